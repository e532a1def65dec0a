// SNS subscription filter policies (filter_policy.hpp): the event pattern engine
// (core/event_pattern.hpp) with SNS's limits and InvalidParameter messages, and the lookup of
// message attributes for the MessageAttributes scope.
#include "sns/filter_policy.hpp"

#include <charconv>

#include "core/event_pattern.hpp"

namespace awan::sns {

using nlohmann::json;

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

const event_pattern::Options& options_for(FilterScope scope) {
  static const auto make = [](FilterScope s) {
    event_pattern::Options o;
    o.invalid = [](const std::string& reason) {
      return AwsError("InvalidParameter", "Invalid parameter: FilterPolicy: " + reason, 400);
    };
    o.nested = s == FilterScope::MessageBody;
    o.flat_error = [] {
      return AwsError("InvalidParameter",
                      "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy", 400);
    };
    o.max_bytes = 256 * 1024;
    o.max_keys = 5;
    o.max_combinations = 150;
    o.max_branches = 150;
    return o;
  };
  static const event_pattern::Options attributes = make(FilterScope::MessageAttributes);
  static const event_pattern::Options body = make(FilterScope::MessageBody);
  return scope == FilterScope::MessageBody ? body : attributes;
}

// A message attribute {"DataType", "StringValue"}: Binary ones are ignored, as AWS does.
void find_attribute(const json& attributes, const std::string& name, event_pattern::Found& found) {
  if (!attributes.is_object()) return;
  auto it = attributes.find(name);
  if (it == attributes.end() || !it->is_object()) return;
  auto type_it = it->find("DataType");
  if (type_it == it->end() || !type_it->is_string()) return;
  const std::string& type = type_it->get_ref<const std::string&>();
  std::string_view base = std::string_view(type).substr(0, type.find('.'));
  bool array = type == "String.Array" || starts_with(type, "String.Array.");
  if (base == "Binary" || (base != "String" && base != "Number")) return;
  found.present = true;
  auto value_it = it->find("StringValue");
  if (value_it == it->end() || !value_it->is_string()) return;
  const std::string& text = value_it->get_ref<const std::string&>();
  if (array) {
    found.owned = json::parse(text, nullptr, false);
    if (found.owned.is_array()) event_pattern::collect_scalars(found.owned, found);
  } else if (base == "Number") {
    double n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size()) return;
    found.owned = n;
    found.values.push_back(&found.owned);
  } else {
    found.owned = text;
    found.values.push_back(&found.owned);
  }
}

}  // namespace

struct FilterPolicy::Impl {
  FilterScope scope = FilterScope::MessageAttributes;
  event_pattern::Pattern pattern;
};

FilterPolicy::FilterPolicy() : impl_(std::make_unique<Impl>()) {}
FilterPolicy::~FilterPolicy() = default;
FilterPolicy::FilterPolicy(FilterPolicy&&) noexcept = default;
FilterPolicy& FilterPolicy::operator=(FilterPolicy&&) noexcept = default;

FilterScope FilterPolicy::scope() const { return impl_ ? impl_->scope : FilterScope::MessageAttributes; }

bool FilterPolicy::matches(const json& attributes, std::string_view body) const {
  if (!impl_ || impl_->pattern.matches_everything()) return true;
  if (impl_->scope == FilterScope::MessageAttributes)
    return impl_->pattern.matches([&](const std::vector<std::string>& path, event_pattern::Found& found) {
      find_attribute(attributes, path.front(), found);
    });
  json doc = json::parse(body, nullptr, false);
  return impl_->pattern.matches(doc.is_object() ? &doc : nullptr);
}

std::variant<FilterPolicy, AwsError> parse_filter_policy(std::string_view text, FilterScope scope) {
  FilterPolicy policy;
  policy.impl_->scope = scope;
  auto parsed = event_pattern::parse(text, options_for(scope));
  if (auto* e = std::get_if<AwsError>(&parsed)) return *e;
  policy.impl_->pattern = std::move(std::get<event_pattern::Pattern>(parsed));
  return policy;
}

std::optional<FilterScope> parse_filter_scope(std::string_view text) {
  if (text == "MessageAttributes") return FilterScope::MessageAttributes;
  if (text == "MessageBody") return FilterScope::MessageBody;
  return std::nullopt;
}

}  // namespace awan::sns
