#pragma once
// DynamoDB expressions: ConditionExpression, KeyConditionExpression, FilterExpression,
// ProjectionExpression and UpdateExpression. A lexer, a recursive-descent parser, AWS's
// validation phases (syntax, redundant parentheses, function names and contexts, reserved
// words, attribute names/values, operand counts and types, path overlaps) with AWS's messages,
// and the evaluator. Every failure is an AwsError ValidationException, never a crash.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan::dynamodb::expr {

using json = nlohmann::json;

bool is_reserved_word(std::string_view word);

struct PathElement {
  std::string name;     // attribute / map key (resolved after name substitution)
  int64_t index = -1;   // >= 0: list index
  bool placeholder = false;  // name is an unresolved #placeholder
  bool is_index() const { return index >= 0; }
  bool operator==(const PathElement& o) const { return index == o.index && (index >= 0 || name == o.name); }
};
using Path = std::vector<PathElement>;
// "[a, b, [1]]" as in AWS's messages.
std::string render_path(const Path& p);

enum class Kind { Path, Value, Call, Compare, Between, In, And, Or, Not, Plus, Minus };

struct Node {
  Kind kind = Kind::Path;
  std::string op;              // comparator ("=", "<>", ...) or function name
  Path path;                   // Kind::Path
  std::string value_name;      // Kind::Value (":v")
  const json* value = nullptr; // Kind::Value, after resolution (points into ExpressionAttributeValues)
  std::vector<Node> args;      // operands / children
  bool parens = false;
  size_t token = 0;
};

// Names/values of one request, shared by all its expressions; records which were used.
struct Context {
  const json* names = nullptr;   // ExpressionAttributeNames object (or null)
  const json* values = nullptr;  // ExpressionAttributeValues object, validated (or null)
  std::set<std::string> used_names;
  std::set<std::string> used_values;
};

// "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}" (names first).
void check_unused(const Context& ctx);

// label: "ConditionExpression", "FilterExpression", "KeyConditionExpression".
Node parse_condition(std::string_view text, std::string_view label, Context& ctx);
bool evaluate(const Node& condition, const json& item);

struct UpdateAction {
  enum Type { Set, Remove, Add, Delete } type = Set;
  Path path;
  Node value;  // SET: the value expression; ADD/DELETE: the :value
};
struct Update {
  std::vector<UpdateAction> actions;
  // Only REMOVE and DELETE actions (at least one): on an item that does not exist such an update
  // writes nothing, as in DynamoDB (UpdateItem and TransactWriteItems).
  bool only_removals() const {
    return !actions.empty() && std::all_of(actions.begin(), actions.end(), [](const UpdateAction& a) {
      return a.type == UpdateAction::Remove || a.type == UpdateAction::Delete;
    });
  }
};
Update parse_update(std::string_view text, Context& ctx);
// Applies the update to `item` (name -> AttributeValue) in place; runtime errors throw
// ValidationException ("The provided expression refers to an attribute that does not exist
// in the item", ...).
void apply_update(const Update& update, json& item);

std::vector<Path> parse_projection(std::string_view text, Context& ctx);
// The item restricted to the given paths.
json project(const json& item, const std::vector<Path>& paths);

// The value at `path` in `item`, or null.
const json* resolve(const json& item, const Path& path);

}  // namespace awan::dynamodb::expr
