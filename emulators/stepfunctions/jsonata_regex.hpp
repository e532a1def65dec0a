#pragma once
// Regular expressions of the JSONata subset: /pattern/flags literals (flags i and m) and the
// matching behind the regex forms of $match, $contains, $replace and $split. ECMAScript syntax
// through std::regex with libstdc++'s breadth-first executor (no backtracking, so no ReDoS);
// patterns (≤ 256 characters, no back-references, bounded repetition counts) are checked when
// the expression is parsed, subjects are bounded (10 000 bytes) when it runs.
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace awan::stepfunctions::jsonata {

struct Regex;

// The compiled pattern, or nullptr with the reason in `why`.
std::shared_ptr<const Regex> compile_regex(const std::string& pattern, const std::string& flags, std::string* why);

struct RegexMatch {
  size_t begin = 0, end = 0;                        // byte offsets in the subject
  std::vector<std::optional<std::string>> groups;  // the capturing groups (nullopt: did not take part)
};

// The successive non-overlapping matches of `re` in `s`, at most `limit`. Throws StatesError
// (States.QueryEvaluationError) for a subject too long, a match of zero length (JSONata's
// D1004) or a failure of the engine.
std::vector<RegexMatch> regex_matches(const Regex& re, const std::string& s, size_t limit);
bool regex_test(const Regex& re, const std::string& s);
// $replace's replacement string: $$ is $, $0 the match, $N the Nth group (the longest N that
// names a group; a group that took no part is empty).
std::string regex_substitute(const std::string& rep, const std::string& whole,
                             const std::vector<std::optional<std::string>>& groups);

}  // namespace awan::stepfunctions::jsonata
