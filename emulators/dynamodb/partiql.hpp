#pragma once
// PartiQL for DynamoDB: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.
// A lexer and recursive-descent parser build an AST (statement text + bound Parameters);
// the executor translates each statement into the equivalent DynamoDB API document
// (Query / Scan / GetItem / PutItem / UpdateItem / DeleteItem / TransactGetItems /
// TransactWriteItems) and runs it through the service's own operations, so validation, index
// maintenance and the change log are shared with the classic API. Every failure is an AwsError
// with AWS's code and message; malformed statements never crash.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dynamodb/table.hpp"

namespace awan::dynamodb::partiql {

using json = nlohmann::json;

struct PathElem {
  std::string name;
  int64_t index = -1;  // >= 0: list index
};
using Path = std::vector<PathElem>;

// Expressions of WHERE clauses and SET values.
struct Expr {
  enum class Kind {
    Path,       // path
    Value,      // value (an AttributeValue, literal or bound parameter)
    Missing,    // the MISSING literal (only valid after IS)
    Compare,    // op: = <> < <= > >=; args: 2
    Between,    // args: 3
    In,         // args: 1 + n
    And,        // args: 2+
    Or,         // args: 2+
    Not,        // args: 1
    Call,       // op: lower-case function name; args
    IsMissing,  // negated: IS NOT MISSING; args: 1
    IsNull,     // negated: IS NOT NULL; args: 1
    Arith,      // op: + or -; args: 2 (SET values)
  };
  Kind kind = Kind::Value;
  std::string op;
  bool negated = false;
  Path path;
  json value;
  std::vector<Expr> args;
};

struct SetAction {
  enum Type { Assign, Add, Delete } type = Assign;  // Add/Delete: set_add / set_delete
  Path path;
  Expr value;
};

struct Statement {
  enum class Kind { Select, Insert, Update, Delete, Exists };
  Kind kind = Kind::Select;
  std::string table;
  std::string index;               // "table"."index"
  std::vector<Path> projection;    // empty: *
  std::optional<Expr> where;
  json item = json::object();      // INSERT: name -> AttributeValue
  std::vector<SetAction> sets;     // UPDATE SET
  std::vector<Path> removes;       // UPDATE REMOVE
  std::string returning;           // "", ALL_OLD, ALL_NEW, UPDATED_OLD, UPDATED_NEW
  std::string returning_clause;    // as written: "ALL NEW"
  std::vector<std::pair<std::string, bool>> order_by;  // attribute, descending
  size_t parameters_used = 0;

  bool is_read() const { return kind == Kind::Select; }
};

// Parses one statement, binding `?` to `parameters` (a JSON array of validated
// AttributeValues, or null). Throws AwsError (ValidationException) on malformed statements and
// when the number of parameters does not match.
Statement parse(std::string_view text, const json* parameters);

// How the executor reaches the service: `call` runs one DynamoDB operation (already inside
// the service's lock) and returns its output or throws AwsError; `table` finds a table of the
// caller's account and region by name (null when it does not exist).
struct Backend {
  std::function<json(const std::string& operation, json& input)> call;
  std::function<const TableInfo*(const std::string& name)> table;
};

json execute_statement(json& input, const Backend& backend);
json batch_execute_statement(json& input, const Backend& backend);
json execute_transaction(json& input, const Backend& backend);

}  // namespace awan::dynamodb::partiql
