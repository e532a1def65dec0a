#pragma once
// SQS message attributes and bodies: validation of SendMessage's MessageAttributes and
// MessageSystemAttributes (names, data types with custom suffixes, values, at most 10), the
// MD5 digests SDKs verify (MD5OfMessageBody, MD5OfMessageAttributes,
// MD5OfMessageSystemAttributes), the size they count toward MaximumMessageSize, and the
// selection ReceiveMessage makes with MessageAttributeNames ("All", ".*", "prefix.*").
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "awan/error.hpp"

namespace awan::sqs {

struct MessageAttribute {
  std::string data_type;     // "String", "Number", "Binary", or one of them + "." + custom suffix
  std::string string_value;  // String and Number types
  std::string binary_value;  // Binary types: the raw bytes (decoded from base64)
  bool is_binary() const;    // data_type is Binary or Binary.<suffix>
};

// Sorted by name (the order the MD5 and ReceiveMessage use).
using MessageAttributes = std::vector<std::pair<std::string, MessageAttribute>>;

// SendMessage's MessageAttributes as the input document carries them:
//   {"<name>": {"DataType": "...", "StringValue": "...", "BinaryValue": "<base64>"}, ...}
// (StringListValues / BinaryListValues are refused as AWS does: not implemented by SQS.)
// Returns AWS's error (InvalidParameterValue, ... with its message) for a bad name, type or value.
std::variant<MessageAttributes, AwsError> parse_message_attributes(const nlohmann::json& doc);

// MessageSystemAttributes: only AWSTraceHeader (DataType String) is allowed.
std::variant<MessageAttributes, AwsError> parse_system_attributes(const nlohmann::json& doc);

// Back to the document form above (BinaryValue base64), keeping only the names that
// `selection` asks for (ReceiveMessage's MessageAttributeNames); all when selection is null.
nlohmann::json to_document(const MessageAttributes& attrs, const std::vector<std::string>* selection = nullptr);

// Whether one ReceiveMessage MessageAttributeNames entry ("All", ".*", "prefix.*", "name")
// selects `name`.
bool selects(std::string_view pattern, std::string_view name);

// Lower-case hex MD5 digests, computed exactly as SQS does; "" for an empty attribute set.
std::string md5_of_body(std::string_view body);
std::string md5_of_attributes(const MessageAttributes& attrs);

// Bytes the attributes count toward the queue's MaximumMessageSize (name + type + value).
size_t attributes_size(const MessageAttributes& attrs);

// The characters SQS accepts in a body and in String attribute values:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF, as well-formed UTF-8.
// Returns nullopt when valid, else AWS's InvalidMessageContents error.
std::optional<AwsError> check_message_body(std::string_view body);

}  // namespace awan::sqs
