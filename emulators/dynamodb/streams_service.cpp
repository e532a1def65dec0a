// The DynamoDBStreams_20120810 service: a second API endpoint over the DynamoDB emulator's store.
#include "dynamodb/dynamodb.hpp"
#include "dynamodb/features.hpp"
#include "storage/sqlite.hpp"

#include <spdlog/spdlog.h>

namespace awan::dynamodb {

namespace {

class StreamsService final : public Service {
 public:
  explicit StreamsService(std::shared_ptr<FeaturesLink> link) : link_(std::move(link)) {}

  std::string_view name() const override { return "dynamodbstreams"; }

  Result call(const RequestContext& ctx, const std::string& op, nlohmann::json input) override {
    try {
      if (input.is_null()) input = nlohmann::json::object();
      if (!input.is_object()) throw AwsError::serialization("Start of structure or map found where not expected.");
      std::lock_guard lock(link_->mu);
      if (!link_->features) {
        spdlog::error("dynamodbstreams {}: the DynamoDB service is not registered", op);
        return Result::fail(AwsError::internal());
      }
      return Result::ok(link_->features->streams_call(ctx, op, input));
    } catch (const AwsError& e) {
      return Result::fail(e);
    } catch (const storage::SqliteError& e) {
      spdlog::error("dynamodbstreams {}: {}", op, e.what());
      return Result::fail(AwsError::internal());
    } catch (const nlohmann::json::exception& e) {
      return Result::fail(AwsError::serialization(e.what()));
    }
  }

  void reset() override {}  // the DynamoDB service's reset drops the streams too

 private:
  std::shared_ptr<FeaturesLink> link_;
};

}  // namespace

std::unique_ptr<awan::Service> make_streams_service(awan::Service& dynamodb) {
  auto* owner = dynamic_cast<FeaturesOwner*>(&dynamodb);
  if (!owner) return nullptr;
  return std::make_unique<StreamsService>(owner->features_link());
}

}  // namespace awan::dynamodb
