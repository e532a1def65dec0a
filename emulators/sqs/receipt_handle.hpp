#pragma once
// SQS receipt handles: what a ReceiveMessage hands out and DeleteMessage /
// ChangeMessageVisibility take back. A handle names its queue, its message, the receive it came
// from (a token new on every receive) and when that receive happened; it is opaque base64 to
// clients, as AWS's are.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace awan::sqs {

struct ReceiptHandle {
  int64_t queue = 0;
  int64_t seq = 0;
  std::string token;       // 16 lower-case hex digits
  int64_t received_ms = 0;
};

std::string encode_receipt_handle(const ReceiptHandle& h);
// nullopt for anything encode_receipt_handle did not produce.
std::optional<ReceiptHandle> decode_receipt_handle(std::string_view text);
// A fresh receive token.
std::string new_receive_token();

}  // namespace awan::sqs
