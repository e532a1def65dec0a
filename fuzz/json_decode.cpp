// libFuzzer target: the model-driven JSON decoder and encoder. Input: "<model> <operation>\n"
// then a JSON body, decoded against that operation's input shape (DynamoDB, DynamoDB Streams,
// IAM, STS), encoded back; and the same body through the awsJson codec as a DynamoDB request.
#include <cstddef>
#include <cstdlib>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_codec.hpp"
#include "protocol/json_parse.hpp"
#include "protocol/model.hpp"
#include "protocol/wire.hpp"


namespace {
// Same value and same nlohmann types throughout (== alone treats 1 and 1u as equal).
bool identical(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.type() != b.type() || a.size() != b.size()) return false;
  if (a.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it)
      if (!b.contains(it.key()) || !identical(it.value(), b.at(it.key()))) return false;
    return true;
  }
  if (a.is_array()) {
    for (size_t i = 0; i < a.size(); ++i)
      if (!identical(a[i], b[i])) return false;
    return true;
  }
  return a.dump() == b.dump();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan;
  using nlohmann::json;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  if (nl == std::string_view::npos) return 0;
  std::string_view head = in.substr(0, nl), body = in.substr(nl + 1);
  size_t sp = head.find(' ');
  std::string model_name(head.substr(0, sp));
  if (model_name != "dynamodb" && model_name != "dynamodbstreams" && model_name != "iam" && model_name != "sts")
    model_name = "dynamodb";
  const protocol::Model* model = protocol::Model::get(model_name);
  if (!model || model->operations().empty()) return 0;
  const protocol::Operation* op = sp == std::string_view::npos ? nullptr : model->operation(head.substr(sp + 1));
  if (!op) op = model->operations()[static_cast<uint8_t>(head.empty() ? 0 : head[0]) % model->operations().size()];

  http::Request req;
  req.method = "POST";
  req.target = req.path = "/";
  req.headers.add("Content-Type", "application/x-amz-json-1.0");
  req.headers.add("X-Amz-Target", "DynamoDB_20120810." + op->name);
  req.body = std::string(body);
  fuzz::decode_and_encode(*protocol::codec_for("dynamodb"), req);

  json wire = json::parse(body.begin(), body.end(), nullptr, false);
  // The simdjson fast path (protocol/json_parse.cpp) parses exactly as nlohmann does, or declines.
  if (!protocol::wire::json_nesting_exceeds(body)) {
    json fast;
    if (protocol::parse_json_fast(body, fast) && (wire.is_discarded() || !identical(fast, wire))) std::abort();
  }
  if (!op->input) return 0;
  if (wire.is_discarded() || !wire.is_object()) return 0;
  json doc;
  if (protocol::wire::json_struct_to_doc(*op->input, wire, doc, false)) return 0;
  json back = protocol::wire::doc_struct_to_json(*op->input, doc, false);
  (void)back.dump(-1, ' ', false, json::error_handler_t::replace);
  return 0;
}
