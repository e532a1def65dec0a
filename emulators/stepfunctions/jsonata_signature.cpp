// JSONata function signatures (see jsonata_signature.hpp): the parser of `<...>` and the fitting
// of a call's arguments, a dynamic programme over (parameter, argument), linear in each, so that
// `+` and `?` never backtrack.
#include "stepfunctions/jsonata_signature.hpp"

#include <algorithm>
#include <cstdint>

namespace awan::stepfunctions::jsonata {

namespace {

constexpr size_t kMaxParams = 32;
constexpr int kMaxNesting = 16;  // f<f<...>>

bool is_type(char c) { return std::string_view("bnslaofjx").find(c) != std::string_view::npos; }

std::optional<std::vector<SignatureParam>> parse(std::string_view s, std::string* why, int depth);

}  // namespace

std::optional<std::vector<SignatureParam>> parse_signature(std::string_view s, std::string* why) { return parse(s, why, 0); }

namespace {

std::optional<std::vector<SignatureParam>> parse(std::string_view s, std::string* why, int depth) {
  auto bad = [&](const std::string& w) -> std::optional<std::vector<SignatureParam>> {
    if (why) *why = "invalid function signature <" + std::string(s) + ">: " + w;
    return std::nullopt;
  };
  std::vector<SignatureParam> params;
  size_t i = 0;
  while (i < s.size() && s[i] != ':') {
    SignatureParam p;
    char c = s[i];
    if (c == '(') {
      size_t end = s.find(')', i);
      if (end == std::string_view::npos) return bad("unclosed choice group");
      for (size_t k = i + 1; k < end; ++k) {
        if (!is_type(s[k])) return bad(std::string("unknown type '") + s[k] + "' in a choice group");
        p.types += s[k];
      }
      if (p.types.empty()) return bad("empty choice group");
      i = end + 1;
    } else if (is_type(c)) {
      p.types = std::string(1, c);
      ++i;
    } else {
      return bad(std::string("unknown type '") + c + "'");
    }
    if (i < s.size() && s[i] == '<') {  // a<n>, f<n:n>
      if (p.types != "a" && p.types != "f") return bad("type parameters can only be applied to functions and arrays");
      int open = 0;
      size_t start = i;
      for (; i < s.size(); ++i) {
        if (s[i] == '<') ++open;
        else if (s[i] == '>' && --open == 0) break;
      }
      if (i >= s.size()) return bad("unclosed type parameter");
      std::string_view inner = s.substr(start + 1, i - start - 1);
      ++i;
      if (p.types == "a") {
        if (inner.size() != 1 || !is_type(inner[0])) return bad("an array's type parameter must be one type");
        if (inner[0] != 'x' && inner[0] != 'j') p.subtype = inner[0];
      } else if (depth >= kMaxNesting) {
        return bad("nested too deeply");
      } else if (!parse(inner, why, depth + 1)) {
        return std::nullopt;
      }
    }
    if (i < s.size() && (s[i] == '?' || s[i] == '+' || s[i] == '-')) p.modifier = s[i++];
    params.push_back(std::move(p));
    if (params.size() > kMaxParams) return bad("too many parameters");
  }
  if (i < s.size() && i + 1 == s.size()) return bad("missing return type");  // after ':', not checked
  return params;
}

}  // namespace

bool type_fits(char t, const std::string& types) {
  if (t == 'm') return true;  // an undefined argument fits any parameter
  for (char p : types) {
    if (p == t || p == 'x' || (p == 'j' && t != 'f')) return true;
    if (p == 'a' && t != 'f') return true;  // a single value becomes an array of one
  }
  return false;
}

SignatureFit fit_signature(const std::vector<SignatureParam>& params, const std::string& args) {
  const size_t P = params.size(), A = args.size();
  // run[p][a]: how many arguments from a on fit parameter p's types; a parameter takes between
  // least(p) and most(p, a) of them.
  std::vector<std::vector<size_t>> run(P, std::vector<size_t>(A + 1, 0));
  for (size_t p = 0; p < P; ++p)
    for (size_t a = A; a-- > 0;) run[p][a] = type_fits(args[a], params[p].types) ? run[p][a + 1] + 1 : 0;
  auto least = [&](size_t p) -> size_t { return params[p].modifier == '?' || params[p].modifier == '-' ? 0 : 1; };
  auto most = [&](size_t p, size_t a) -> size_t { return params[p].modifier == '+' ? run[p][a] : std::min<size_t>(1, run[p][a]); };
  // can[p][a]: parameters p.. take exactly the arguments a..; take[p][a]: how many p takes (as
  // many as possible).
  std::vector<std::vector<char>> can(P + 1, std::vector<char>(A + 1, 0));
  std::vector<std::vector<size_t>> take(P + 1, std::vector<size_t>(A + 1, 0));
  can[P][A] = 1;
  for (size_t p = P; p-- > 0;) {
    std::vector<size_t> last(A + 1, SIZE_MAX);  // last[j]: the largest k <= j with can[p + 1][k]
    for (size_t j = 0; j <= A; ++j) last[j] = can[p + 1][j] ? j : j > 0 ? last[j - 1] : SIZE_MAX;
    for (size_t a = 0; a <= A; ++a) {
      size_t k = last[a + most(p, a)];
      if (k != SIZE_MAX && k >= a + least(p)) {
        can[p][a] = 1;
        take[p][a] = k - a;
      }
    }
  }
  SignatureFit fit;
  if (!can[0][0]) {
    // The first argument that no prefix of the parameters can reach past.
    std::vector<char> seen(A + 1, 0);
    seen[0] = 1;
    size_t reach = 0;
    for (size_t p = 0; p < P; ++p) {
      std::vector<int> diff(A + 2, 0);
      for (size_t a = 0; a <= A; ++a)
        if (seen[a] && least(p) <= most(p, a)) {
          ++diff[a + least(p)];
          --diff[a + most(p, a) + 1];
        }
      int open = 0;
      for (size_t a = 0; a <= A; ++a) {
        open += diff[a];
        seen[a] = open > 0;
        if (seen[a]) reach = std::max(reach, a);
      }
    }
    fit.bad_argument = reach + 1;
    return fit;
  }
  fit.ok = true;
  for (size_t p = 0, a = 0; p < P; ++p) {
    fit.spans.emplace_back(a, a + take[p][a]);
    a += take[p][a];
  }
  return fit;
}

}  // namespace awan::stepfunctions::jsonata
