// libFuzzer target: arbitrary SQS operations on a standard and a FIFO queue of an in-memory
// service (reset every 256 inputs): attribute maps, batches, receipt handles, message
// attributes, visibility changes and redrive policies as the JSON documents the codecs produce.
// Input: "<operation>\n<JSON input>"; the queue URLs are filled in when absent.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/wire.hpp"
#include "sqs/receipt_handle.hpp"
#include "sqs/sqs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan;
  using json = nlohmann::json;
  static ServiceEnv env;
  static std::unique_ptr<Service> sqs = sqs::make_service(env);
  static int calls = 0;
  RequestContext ctx;
  ctx.service = "sqs";
  ctx.host = "localhost:4566";
  if (calls++ % 256 == 0) {
    sqs->reset();
    sqs->call(ctx, "CreateQueue", {{"QueueName", "q"}});
    sqs->call(ctx, "CreateQueue", {{"QueueName", "f.fifo"}, {"Attributes", {{"FifoQueue", "true"}}}});
  }
  std::string_view in(reinterpret_cast<const char*>(data), size);
  sqs::decode_receipt_handle(in);
  auto nl = in.find('\n');
  if (nl == std::string_view::npos || nl > 64) return 0;
  std::string op(in.substr(0, nl));
  std::string_view body = in.substr(nl + 1);
  if (protocol::wire::json_nesting_exceeds(body)) return 0;
  json doc = json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return 0;
  if (!doc.contains("QueueUrl"))
    doc["QueueUrl"] = (size & 1) ? "http://localhost:4566/000000000000/f.fifo" : "http://localhost:4566/000000000000/q";
  sqs->invoke(ctx, op, std::move(doc), [](Result) {});
  return 0;
}
