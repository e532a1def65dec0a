// The @connections management API of WebSocket APIs (service "apigatewaymanagementapi"):
// PostToConnection, GetConnection, DeleteConnection over the v2 service's connections
// (websocket_connections.cpp).
#include "apigateway/apigateway.hpp"
#include "apigateway/v2_impl.hpp"

namespace awan::apigateway {

namespace {

class ManagementService : public Service {
 public:
  explicit ManagementService(v2::V2Service& v2) : v2_(v2) {}
  std::string_view name() const override { return "apigatewaymanagementapi"; }
  Result call(const RequestContext&, const std::string& op, nlohmann::json input) override {
    std::string id = input.is_object() ? input.value("ConnectionId", "") : "";
    if (op == "PostToConnection") {
      std::string data = input.is_object() && input.contains("Data") && input["Data"].is_string() ? input["Data"].get<std::string>() : "";
      return v2_.post_to_connection(id, data);
    }
    if (op == "GetConnection") return v2_.get_connection(id);
    if (op == "DeleteConnection") return v2_.delete_connection(id);
    return Result::fail(AwsError::not_implemented("The API Gateway management operation " + op));
  }
  void reset() override {}

 private:
  v2::V2Service& v2_;
};

}  // namespace

std::unique_ptr<Service> make_management_service(Service& v2) {
  return std::make_unique<ManagementService>(static_cast<v2::V2Service&>(v2));
}

}  // namespace awan::apigateway
