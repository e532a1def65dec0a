#pragma once
// SNS subscription filter policies: parsing and validating a FilterPolicy as
// Subscribe / SetSubscriptionAttributes do (AWS's InvalidParameter messages and limits), and
// matching a published message against it, on its MessageAttributes or on its (JSON) body
// (FilterPolicyScope). The engine is core/event_pattern.hpp (shared with Lambda's FilterCriteria);
// neighbours: service code in subscriptions.cpp / publish.cpp.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "awan/error.hpp"

namespace awan::sns {

enum class FilterScope { MessageAttributes, MessageBody };

// A parsed filter policy. Opaque to the service: it only matches messages.
class FilterPolicy {
 public:
  FilterPolicy();
  ~FilterPolicy();
  FilterPolicy(FilterPolicy&&) noexcept;
  FilterPolicy& operator=(FilterPolicy&&) noexcept;

  FilterScope scope() const;
  // `attributes`: Publish's MessageAttributes as the operation receives them, an object
  // {"name": {"DataType": "String" | "String.Array" | "Number" | "Binary" (with an optional
  // ".custom" suffix), "StringValue": "...", "BinaryValue": "<base64>"}}.
  // `body`: the message text (for the MessageBody scope; a body that is not a JSON object
  // matches no policy with a key).
  bool matches(const nlohmann::json& attributes, std::string_view body) const;

  struct Impl;

 private:
  friend std::variant<FilterPolicy, AwsError> parse_filter_policy(std::string_view, FilterScope);
  std::unique_ptr<Impl> impl_;
};

// Parses a FilterPolicy attribute value. Errors are what AWS answers to Subscribe or
// SetSubscriptionAttributes: code "InvalidParameter", message
// "Invalid parameter: FilterPolicy: <reason>" (e.g. "Invalid parameter: FilterPolicy: Filter
// policy can not have more than 5 keys", "... Match value must be String, number, true, false, or
// null", "... Unrecognized match type prefi"), and the limits: at most 5 keys (attribute scope;
// body scope counts leaf keys), a total combination count of at most 150, a policy text of at most
// 256 KB, nesting bounded (never recursion without a limit). An empty text or "{}" is valid and
// matches every message. `scope` decides whether nested keys are allowed (MessageBody only).
std::variant<FilterPolicy, AwsError> parse_filter_policy(std::string_view text, FilterScope scope);

// "MessageAttributes" / "MessageBody"; nullopt for anything else.
std::optional<FilterScope> parse_filter_scope(std::string_view text);

}  // namespace awan::sns
