// libFuzzer target: the client side of the codecs (protocol/client_codec.hpp) reading answers a
// service might send — JSON, awsQuery XML, restXml and restJson bodies with headers — for a few
// operations of each protocol, and re-encoding what it read as the next request's input.
// Input: byte 0 picks the operation, byte 1 the status class, then "name: value\n" header
// lines up to a blank line, then the body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "protocol/client_codec.hpp"
#include "protocol/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan;
  static const std::pair<const char*, const char*> ops[] = {
      {"dynamodb", "BatchWriteItem"}, {"dynamodb", "Query"},       {"sns", "ListTopics"},
      {"sns", "GetTopicAttributes"},  {"s3", "GetObject"},         {"s3", "ListObjectsV2"},
      {"s3", "HeadObject"},           {"s3", "GetBucketLocation"}, {"lambda", "Invoke"},
      {"lambda", "GetFunction"},      {"sqs", "ReceiveMessage"},   {"logs", "GetLogEvents"}};
  if (size < 2) return 0;
  const auto& [service, operation] = ops[data[0] % (sizeof(ops) / sizeof(ops[0]))];
  static const int statuses[] = {200, 204, 206, 304, 400, 404, 500};
  int status = statuses[data[1] % (sizeof(statuses) / sizeof(statuses[0]))];
  std::string rest(reinterpret_cast<const char*>(data + 2), size - 2);
  http::Headers headers;
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t nl = rest.find('\n', pos);
    if (nl == std::string::npos || nl == pos) {
      pos = nl == std::string::npos ? rest.size() : nl + 1;
      break;
    }
    std::string line = rest.substr(pos, nl - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) headers.add(line.substr(0, colon), line.substr(colon + 1));
    pos = nl + 1;
  }
  (void)protocol::decode_xml_shape("s3", "Tagging", rest);
  Result r = protocol::decode_response(service, operation, status, headers, rest.substr(std::min(pos, rest.size())));
  if (!r.error) (void)protocol::encode_request(service, operation, r.output);
  return 0;
}
