// libFuzzer target: arbitrary CloudWatch Logs operations on an in-memory service (reset every 256
// inputs) holding group "g" with stream "s" and a few events: names, limits, tokens, batches
// and filter patterns as the JSON documents the codec produces.
// Input: "<operation>\n<JSON input>"; logGroupName and logStreamName are filled in when absent.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "logs/logs.hpp"
#include "protocol/wire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan;
  using json = nlohmann::json;
  static ServiceEnv env;
  static std::unique_ptr<Service> logs = logs::make_service(env);
  static int calls = 0;
  RequestContext ctx;
  ctx.service = "logs";
  if (calls++ % 256 == 0) {
    logs->reset();
    logs->call(ctx, "CreateLogGroup", {{"logGroupName", "g"}});
    logs->call(ctx, "CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "s"}});
    int64_t now = env.clock->epoch_millis();
    logs->call(ctx, "PutLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"},
                                     {"logEvents", {{{"timestamp", now - 5}, {"message", "ERROR one"}},
                                                    {{"timestamp", now}, {"message", R"({"a":1,"b":"x"})"}}}}});
  }
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  if (nl == std::string_view::npos || nl > 64) return 0;
  std::string op(in.substr(0, nl));
  std::string_view body = in.substr(nl + 1);
  if (protocol::wire::json_nesting_exceeds(body)) return 0;
  json doc = json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return 0;
  if (!doc.contains("logGroupName") && !doc.contains("logGroupIdentifier") && !doc.contains("resourceArn"))
    doc["logGroupName"] = "g";
  if (!doc.contains("logStreamName") && (size & 1)) doc["logStreamName"] = "s";
  logs->call(ctx, op, std::move(doc));
  return 0;
}
