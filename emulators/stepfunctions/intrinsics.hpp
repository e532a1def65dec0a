#pragma once
// The intrinsic functions (States.Format, States.Array, States.Hash, ...): parsing of the
// "States.Name(arg, ...)" text of a ".$" field and its evaluation. A failure raises
// StatesError{"States.IntrinsicFailure", ...} (evaluation) or is reported by parse (definition).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepfunctions/errors.hpp"

namespace awan::stepfunctions::intrinsics {

struct Expr {
  enum Kind { Literal, Path, Call } kind = Literal;
  nlohmann::json value;       // Literal
  std::string text;           // Path ("$.x", "$$.x", "$var.x") or the function name
  std::vector<Expr> args;     // Call
};

bool looks_like_call(std::string_view text);  // "States." prefix
// nullopt with `why` when malformed or an unknown function / wrong argument count.
std::optional<Expr> parse(std::string_view text, std::string* why = nullptr);

// Resolves a path argument ("$..." input, "$$..." context, "$name..." a variable); nullopt
// when absent.
using PathResolver = std::function<std::optional<nlohmann::json>(const std::string& path)>;

// Throws StatesError (States.IntrinsicFailure, or States.Runtime for a missing path).
nlohmann::json evaluate(const Expr& e, const PathResolver& resolve);
nlohmann::json evaluate(std::string_view text, const PathResolver& resolve);

}  // namespace awan::stepfunctions::intrinsics
