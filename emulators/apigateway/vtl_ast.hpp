#pragma once
// The mapping-template syntax tree (vtl.hpp's internals): what vtl_parser.cpp builds and
// vtl.cpp evaluates, and the bounds both keep.
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan::apigateway::vtl {

using json = nlohmann::json;

constexpr int kMaxDepth = 48;
constexpr int kMaxIterations = 1000;
constexpr size_t kMaxOutput = 10 * 1024 * 1024;
constexpr long kMaxSteps = 1000000;

struct VtlError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Expr;
using ExprP = std::unique_ptr<Expr>;

struct Accessor {
  enum Kind { Field, Call, Index } kind = Field;
  std::string name;
  std::vector<ExprP> args;
};

struct Expr {
  enum Kind { Lit, Str, Ref, List, Map, Range, Unary, Binary } kind = Lit;
  json lit;
  std::string op;  // Unary/Binary operator; Str: the raw text of a double-quoted string
  std::vector<ExprP> kids;
  std::string root;
  std::vector<Accessor> chain;
  bool quiet = false;
  std::string source;  // Ref: its text, rendered when it does not resolve
};

struct Node {
  enum Kind { Text, Ref, Set, If, Foreach, Break } kind = Text;
  std::string text;
  ExprP expr, target;  // Ref/Set value; Set target
  std::vector<std::pair<ExprP, std::vector<Node>>> branches;  // If: (condition, body); null condition = #else
  std::string var;                                            // Foreach
  std::vector<Node> body;
};

// The template as nodes; VtlError on a syntax error (with what and where).
std::vector<Node> parse_template(const std::string& text);

}  // namespace awan::apigateway::vtl
