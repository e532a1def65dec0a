// JSONata regular expressions (see jsonata_regex.hpp): std::regex in ECMAScript mode, with the
// polynomial (breadth-first) executor where the library has it.
#include "stepfunctions/jsonata_regex.hpp"

#include <algorithm>
#include <regex>

#include "core/regex.hpp"
#include "stepfunctions/errors.hpp"

namespace awan::stepfunctions::jsonata {

struct Regex {
  std::regex re;
};

namespace {

constexpr size_t kMaxPattern = 256;
constexpr size_t kMaxSubject = 10000;

[[noreturn]] void fail(const std::string& why) { throw StatesError{"States.QueryEvaluationError", why}; }

// Why a pattern is refused before the engine sees it: back-references (the breadth-first
// executor cannot run them) and repetition counts whose automaton would be large.
std::string refused(const std::string& p) {
  if (p.size() > kMaxPattern) return "the regular expression is longer than 256 characters";
  double product = 1;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      if (i + 1 < p.size() && p[i + 1] >= '1' && p[i + 1] <= '9') return "back-references are not supported";
      ++i;
      continue;
    }
    if (p[i] != '{') continue;
    double largest = 0, current = 0;
    bool digits = false;
    size_t j = i + 1;
    for (; j < p.size() && ((p[j] >= '0' && p[j] <= '9') || p[j] == ','); ++j) {
      if (p[j] == ',') {
        largest = std::max(largest, current);
        current = 0;
      } else {
        current = current * 10 + (p[j] - '0');
        digits = true;
      }
      if (current > 1e6) return "a repetition count is too large";
    }
    if (!digits || j >= p.size() || p[j] != '}') continue;
    product *= std::max(1.0, std::max(largest, current));
    if (product > 1000) return "the repetition counts of the regular expression are too large";
  }
  return "";
}

}  // namespace

std::shared_ptr<const Regex> compile_regex(const std::string& pattern, const std::string& flags, std::string* why) {
  auto set_why = [&](std::string w) {
    if (why) *why = std::move(w);
    return nullptr;
  };
  if (pattern.empty()) return set_why("Empty regular expressions are not allowed");
  std::regex::flag_type f = core::linear_regex_flags();
  for (char c : flags) {
    if (c == 'i') f |= std::regex::icase;
    else if (c == 'm') f |= std::regex::multiline;
    else return set_why(std::string("unsupported regular expression flag '") + c + "'");
  }
  if (std::string r = refused(pattern); !r.empty()) return set_why(r);
  try {
    auto re = std::make_shared<Regex>();
    re->re = std::regex(pattern, f);
    return re;
  } catch (const std::regex_error& e) {
    return set_why(std::string("invalid regular expression: ") + e.what());
  }
}

std::vector<RegexMatch> regex_matches(const Regex& re, const std::string& s, size_t limit) {
  if (s.size() > kMaxSubject) fail("a regular expression can be applied to at most 10000 characters");
  std::vector<RegexMatch> out;
  try {
    for (auto it = std::sregex_iterator(s.begin(), s.end(), re.re); it != std::sregex_iterator() && out.size() < limit; ++it) {
      const std::smatch& m = *it;
      if (m.length(0) == 0) fail("Regular expression matches zero length string");
      RegexMatch r;
      r.begin = static_cast<size_t>(m.position(0));
      r.end = r.begin + static_cast<size_t>(m.length(0));
      for (size_t g = 1; g < m.size(); ++g)
        r.groups.push_back(m[g].matched ? std::optional<std::string>(m[g].str()) : std::nullopt);
      out.push_back(std::move(r));
    }
  } catch (const std::regex_error& e) {
    fail(std::string("the regular expression could not be applied: ") + e.what());
  }
  return out;
}

bool regex_test(const Regex& re, const std::string& s) { return !regex_matches(re, s, 1).empty(); }

// A replacement string: $$ is $, $0 the match, $N the Nth group (the longest N that names a
// group; a group that took no part is empty).
std::string regex_substitute(const std::string& rep, const std::string& whole,
                             const std::vector<std::optional<std::string>>& groups) {
  std::string out;
  for (size_t i = 0; i < rep.size(); ++i) {
    if (rep[i] != '$' || i + 1 >= rep.size()) {
      out += rep[i];
      continue;
    }
    if (rep[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    size_t j = i + 1, n = 0, used = 0;
    while (j < rep.size() && rep[j] >= '0' && rep[j] <= '9') {
      size_t next = n * 10 + static_cast<size_t>(rep[j] - '0');
      if (j > i + 1 && next > groups.size()) break;
      n = next;
      ++j;
      used = j - i - 1;
    }
    if (used == 0) {
      out += '$';
      continue;
    }
    if (n == 0) out += whole;
    else if (n <= groups.size() && groups[n - 1]) out += *groups[n - 1];
    i += used;
  }
  return out;
}

}  // namespace awan::stepfunctions::jsonata
