#pragma once
// Function signatures of JSONata lambdas, `function($a, $b)<sn?:s>{ ... }` (see jsonata.hpp):
// parsed with the lambda (jsonata_parser.cpp), fitted to the arguments of each call
// (jsonata_eval.cpp). Types: b n s l (null) a o f j (any JSON) x (anything), `(sn)` a choice,
// `a<n>` an array of numbers, `f<n:n>` (the function's own signature, not checked); modifiers
// `?` optional, `+` one or more, `-` the context when the argument is missing; the return type
// after `:` is not checked.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace awan::stepfunctions::jsonata {

struct SignatureParam {
  std::string types;  // the type letters it accepts
  char modifier = 0;  // 0, '?', '+' or '-'
  char subtype = 0;   // of an array: a<n>
};

// The parameters, or nullopt with the reason in `why`.
std::optional<std::vector<SignatureParam>> parse_signature(std::string_view text, std::string* why);

// Which arguments each parameter takes: spans[i] = [begin, end) of the arguments, whose types
// are given one letter each in `arg_types` (m: undefined). Fails with the 1-based index of the
// first argument that does not fit.
struct SignatureFit {
  bool ok = false;
  size_t bad_argument = 0;
  std::vector<std::pair<size_t, size_t>> spans;
};
SignatureFit fit_signature(const std::vector<SignatureParam>& params, const std::string& arg_types);

// Whether a value of type letter `t` (m: undefined) fits the letters `types` of a parameter.
bool type_fits(char t, const std::string& types);

}  // namespace awan::stepfunctions::jsonata
