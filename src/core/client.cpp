// awan::Client (include/awan/function.hpp): blocking in-process calls for function handlers.
#include <future>

#include "awan/function.hpp"

namespace awan {

Result Client::call(const std::string& service, const std::string& operation, nlohmann::json input) const {
  if (!transport_) return Result::fail(AwsError("ServiceUnavailable", "no in-process transport", 503, false));
  RequestContext ctx = ctx_;
  ctx.service = service;
  ctx.operation = operation;
  std::promise<Result> done;
  auto result = done.get_future();
  transport_(ctx, service, operation, std::move(input), [&done](Result r) { done.set_value(std::move(r)); });
  return result.get();
}

nlohmann::json Client::ok(const std::string& service, const std::string& operation, nlohmann::json input) const {
  Result r = call(service, operation, std::move(input));
  if (r.error) throw *r.error;
  return std::move(r.output);
}

}  // namespace awan
