// Private to the PartiQL executor: PartiQL expressions rendered as DynamoDB expression text
// (Renderer) or compiled for local evaluation (Compiled), and relabel for expression errors.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "awan/error.hpp"
#include "dynamodb/expression.hpp"
#include "dynamodb/partiql.hpp"

namespace awan::dynamodb::partiql::render {

inline constexpr const char* kStrip[] = {"Invalid ConditionExpression: ", "Invalid FilterExpression: ",
                                         "Invalid UpdateExpression: ", "Invalid KeyConditionExpression: "};

// Removes the "Invalid XExpression: " prefix of expression-module messages: PartiQL reports
// the bare reason ("Incorrect operand type for operator or function; ...").
template <typename F>
auto relabel(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (AwsError& e) {
    if (e.code == "ValidationException")
      for (const char* p : kStrip)
        if (e.message.rfind(p, 0) == 0) e.message = e.message.substr(std::string(p).size());
    throw;
  }
}

// Renders PartiQL expressions as DynamoDB expression text with #name / :value placeholders.
class Renderer {
 public:
  std::string name(const std::string& n);
  std::string value(const json& av);
  std::string path(const Path& p);
  std::string operand(const Expr& e);
  // prec: 1 = OR, 2 = AND, 3 = NOT / predicates
  std::string condition(const Expr& e, int parent = 0);
  std::string call(const Expr& e);
  static bool is_boolean(const Expr& e);
  static std::string describe(const Expr& e);

  // Adds ExpressionAttributeNames / Values to a request.
  void attach(json& in) const;
  const json& names() const { return names_; }
  const json& values() const { return values_; }

 private:
  std::map<std::string, std::string> name_keys_;
  json names_ = json::object();
  json values_ = json::object();
};

// A condition compiled for local evaluation (read filters, transaction pre-checks).
struct Compiled {
  json names, values;
  expr::Context ctx;
  expr::Node node;
};

std::unique_ptr<Compiled> compile(const Expr& e);
bool matches(const Compiled* c, const json& item);

}  // namespace awan::dynamodb::partiql::render
