#pragma once
// A subset of JSONata, the query language of Step Functions states with QueryLanguage
// "JSONata" ("{% expression %}" strings in Arguments, Output, Assign, Condition, Items, ...).
// Parser: jsonata_parser.cpp (Pratt parser, depth bounded); evaluation: jsonata_eval.cpp (with
// tuple streams for paths that use %, @ and #);
// the function library: jsonata_functions.cpp. What is supported is listed in
// docs/services/stepfunctions.md. Runtime failures throw StatesError
// {"States.QueryEvaluationError", ...}.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan {
class Clock;
}

namespace awan::stepfunctions::jsonata {

struct Regex;  // jsonata_regex.hpp

struct Node {
  enum Kind {
    Literal,    // value
    Name,       // a field of the context: text
    Variable,   // $text ("" = the context, "$" = the root)
    Path,       // args[0].args[1]
    Filter,     // args[0][args[1]]
    Binary,     // args[0] text args[1]
    Negate,     // -args[0]
    Condition,  // args[0] ? args[1] : args[2] (args[2] may be absent)
    Array,      // [args...]; a Range child expands
    Range,      // args[0]..args[1] inside an array constructor
    Object,     // {args[0]: args[1], args[2]: args[3], ...}
    Block,      // (args[0]; args[1]; ...)
    Call,       // $text(args...)
    Partial,    // $text(args...) with Placeholder args: a function of the missing arguments
    Placeholder,  // ? as an argument of a partial application
    Apply,      // args[0](args[1], ...): a call of what args[0] evaluates to (a lambda, a regex, ...)
    Sort,       // args[0]^(args[1], ...): ordered by the keys; value[i - 1] true for a descending key
    Bind,       // $text := args[0]
    Wildcard,   // * (every field value of the context)
    Lambda,     // function($p, ...)<text> { args[0] }: parameter names in value, the signature
                // (jsonata_signature.hpp) in text; a value (bound with
                // :=, passed to a function, returned, applied)
    Regex,      // /text/flags (flags in value), compiled in `regex`
    Chain,      // args[0] ~> args[1] (a call gets args[0] as its first argument)
    Parent,     // % (the context a path step's value came from)
    Descendants,  // ** (the context and every value below it)
    FocusBind,  // args[0]@$text: each value bound to $text, the context stays that of the step
    IndexBind,  // args[0]#$text: each value's position in its step bound to $text
  } kind = Literal;
  // Whether the subtree holds % or a @/# binding: its paths then carry each value's ancestry
  // and bindings along (a tuple stream).
  bool tuples = false;
  std::string text;
  nlohmann::json value;
  std::vector<std::shared_ptr<const Node>> args;
  std::shared_ptr<const ::awan::stepfunctions::jsonata::Regex> regex;
};
using NodePtr = std::shared_ptr<const Node>;

// The expression tree, or nullptr when `text` is not an expression this subset knows (`why`
// says where and why).
NodePtr parse(std::string_view text, std::string* why = nullptr);

// What an expression sees: $states (input, result, errorOutput, context) and the workflow
// variables. The context ($) is $states.input.
// $now() and $millis() read `clock` once per evaluation (the system clock when null).
struct Bindings {
  const nlohmann::json& states;
  const nlohmann::json& variables;
  const Clock* clock = nullptr;
};

// The value, or nullopt when the expression is undefined (a missing field).
std::optional<nlohmann::json> evaluate(const Node& node, const Bindings& b);

// "{% expr %}": true, with the expression text in `expr`.
bool is_expression(const nlohmann::json& v, std::string* expr = nullptr);
// A JSONata template: every "{% %}" string evaluated (undefined → the member is left out),
// objects and arrays recursively, anything else as written.
nlohmann::json evaluate_template(const nlohmann::json& tpl, const Bindings& b, int depth = 0);
// The first "{% %}" string of a template that does not parse: its pointer ("/a/b") and why.
std::optional<std::pair<std::string, std::string>> check_template(const nlohmann::json& tpl, int depth = 0);

// The numeric limits of a JSONata state, literal or "{% %}" (jsonata_limits.cpp): TimeoutSeconds
// and HeartbeatSeconds (Positive: an integer 1..99999999), MaxConcurrency and
// ToleratedFailureCount (NonNegative: an integer >= 0), ToleratedFailurePercentage (Percentage:
// a number 0..100). `fallback` when the state lacks the field; a value of the wrong kind throws
// States.QueryEvaluationError.
enum class Limit { Positive, NonNegative, Percentage };
double limit(const nlohmann::json& st, const char* field, Limit kind, const Bindings& b, double fallback);

}  // namespace awan::stepfunctions::jsonata
