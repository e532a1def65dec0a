// libFuzzer target: arbitrary SNS operations on a standard and a FIFO topic of an in-memory
// service (reset every 256 inputs), each with an SQS subscription whose filter policy and
// attributes the input may change: publishes with message attributes, structures and batches,
// subscription attributes, tags, the recorded SMS/platform operations, as the JSON documents the
// codecs produce. Input: "<operation>\n<JSON input>"; TopicArn is filled in when absent.
// Deliveries go nowhere: no cross-service calls in this environment, email to a closed port,
// and HTTP/S subscriptions become SQS ones (no outbound connections from a fuzzer).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "protocol/wire.hpp"
#include "sns/sns.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan;
  using json = nlohmann::json;
  static ServiceEnv env = [] {
    spdlog::set_level(spdlog::level::off);
    ServiceEnv e;
    e.smtp_server = "127.0.0.1:1";
    return e;
  }();
  static std::unique_ptr<Service> sns = sns::make_service(env);
  static int calls = 0;
  const std::string topic = "arn:aws:sns:us-east-1:000000000000:t", fifo = topic + ".fifo";
  RequestContext ctx;
  ctx.service = "sns";
  if (calls++ % 256 == 0) {
    sns->reset();
    sns->call(ctx, "CreateTopic", {{"Name", "t"}});
    sns->call(ctx, "CreateTopic", {{"Name", "t.fifo"}, {"Attributes", {{"FifoTopic", "true"}}}});
    sns->call(ctx, "Subscribe", {{"TopicArn", topic}, {"Protocol", "sqs"}, {"Endpoint", "arn:aws:sqs:us-east-1:000000000000:q"},
                                 {"Attributes", {{"FilterPolicy", R"({"a": [{"prefix": "x"}]})"}}}});
    sns->call(ctx, "Subscribe", {{"TopicArn", fifo}, {"Protocol", "sqs"},
                                 {"Endpoint", "arn:aws:sqs:us-east-1:000000000000:q.fifo"}});
  }
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  if (nl == std::string_view::npos || nl > 64) return 0;
  std::string op(in.substr(0, nl));
  std::string_view body = in.substr(nl + 1);
  if (protocol::wire::json_nesting_exceeds(body)) return 0;
  json doc = json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return 0;
  if (!doc.contains("TopicArn")) doc["TopicArn"] = (size & 1) ? fifo : topic;
  if (auto p = doc.find("Protocol"); p != doc.end() && p->is_string() && p->get<std::string>().rfind("http", 0) == 0)
    *p = "sqs";
  sns->invoke(ctx, op, std::move(doc), [](Result) {});
  return 0;
}
