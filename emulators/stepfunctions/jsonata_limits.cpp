// The numeric limits of JSONata states (see jsonata.hpp): TimeoutSeconds, HeartbeatSeconds,
// MaxConcurrency, ToleratedFailureCount and ToleratedFailurePercentage written as "{% %}" are
// evaluated when the state runs and checked like their literal forms are when the state
// machine is created (asl_parser.cpp).
#include <cmath>

#include "stepfunctions/errors.hpp"
#include "stepfunctions/jsonata.hpp"

namespace awan::stepfunctions::jsonata {

using json = nlohmann::json;

double limit(const json& st, const char* field, Limit kind, const Bindings& b, double fallback) {
  auto it = st.find(field);
  if (it == st.end()) return fallback;
  json v = is_expression(*it) ? evaluate_template(*it, b) : *it;
  const char* want = kind == Limit::Positive      ? "a positive integer"
                     : kind == Limit::NonNegative ? "a non-negative integer"
                                                  : "a number between 0 and 100";
  bool ok = v.is_number();
  if (ok) {
    double d = v.get<double>();
    if (kind == Limit::Percentage) ok = d >= 0 && d <= 100;
    else ok = std::floor(d) == d && d >= (kind == Limit::Positive ? 1 : 0) && d <= 99999999;
  }
  if (!ok)
    throw StatesError{"States.QueryEvaluationError",
                      std::string("The value of the field '") + field + "' must be " + want + ", was " + v.dump()};
  return v.get<double>();
}

}  // namespace awan::stepfunctions::jsonata
