#pragma once
// Content-filtering patterns of the EventBridge family, as SNS subscription filter policies and
// Lambda event source mapping FilterCriteria use them: a JSON object whose keys name fields
// (nested objects for nested fields) and whose arrays list the values one of which must match —
// literals (strings, numbers, true, false, null), "prefix", "suffix", "equals-ignore-case",
// "anything-but" (a list, a value, {"prefix"}, {"suffix"}), "numeric" (=, <, <=, >, >= and
// ranges), "exists", "cidr" — with "$or" between groups of keys. Parsing checks the pattern with
// the caller's limits and error spelling (Options); matching never throws.
// Users: emulators/sns/filter_policy.cpp, emulators/lambda/event_filters.cpp.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "awan/error.hpp"

namespace awan::event_pattern {

struct Options {
  // The error for a malformed pattern, from the reason AWS's SNS names ("Empty arrays are not
  // allowed", "Unrecognized match type foo", ...). Required.
  std::function<AwsError(const std::string& reason)> invalid;
  // Keys may hold objects (nested fields); when false, a nested key is `flat_error`.
  bool nested = true;
  std::function<AwsError()> flat_error;
  size_t max_bytes = 256 * 1024;
  size_t max_keys = 0;              // keys per branch; 0: any number
  uint64_t max_combinations = 0;    // SNS's complexity (values × depth, summed); 0: not checked
  uint64_t max_branches = 150;      // branches after "$or" is unfolded (always bounded)
};

// The values a message has for a key path: scalars (arrays flattened), and whether the key is
// present at all (for "exists"). `owned` keeps values a lookup had to make.
struct Found {
  bool present = false;
  std::vector<const nlohmann::json*> values;
  nlohmann::json owned;
};
// A document's values along `path`: objects followed, arrays on the way and at the end
// flattened, as EventBridge reads events.
void find_in_document(const nlohmann::json& document, const std::vector<std::string>& path, Found& found);
// Appends the scalars of `v` (arrays flattened, objects skipped) to `found.values`.
void collect_scalars(const nlohmann::json& v, Found& found);

class Pattern {
 public:
  Pattern();
  ~Pattern();
  Pattern(Pattern&&) noexcept;
  Pattern& operator=(Pattern&&) noexcept;

  // True for "" and "{}": every message matches.
  bool matches_everything() const;
  // Against a JSON document; null: no document (every key is absent and no condition holds).
  bool matches(const nlohmann::json* document) const;
  // With the caller's lookup of a key path (SNS message attributes).
  using Lookup = std::function<void(const std::vector<std::string>& path, Found& found)>;
  bool matches(const Lookup& lookup) const;

  struct Impl;

 private:
  friend std::variant<Pattern, AwsError> parse(std::string_view, const Options&);
  std::unique_ptr<Impl> impl_;
};

// Parses a pattern; an empty text or "{}" is valid and matches every message.
std::variant<Pattern, AwsError> parse(std::string_view text, const Options& options);

}  // namespace awan::event_pattern
