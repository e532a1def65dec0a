#pragma once
// JSONPath as Step Functions uses it: "$", ".name", "['name']", "[n]", "[*]", "[a,b]", "[s:e]",
// ".." (recursive descent) for reading; reference paths ("$.a.b[0]") for ResultPath. "$$" reads
// the context object. Used by the interpreter (interpreter.cpp) and the intrinsic functions.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan::stepfunctions::jsonpath {

struct Segment {
  enum Kind { Name, Index, Wildcard, Slice, Union, Descend } kind = Name;
  std::string name;
  long long index = 0, start = 0, end = 0;
  bool has_start = false, has_end = false;
  std::vector<long long> indexes;
};

struct Path {
  bool context = false;  // "$$"
  std::vector<Segment> segments;
  bool definite() const;  // no wildcard, slice, union or descent: one value at most
};

// nullopt when `text` is not a JSONPath (the message says why).
std::optional<Path> parse(std::string_view text, std::string* why = nullptr);
// A reference path: only names and indexes (ResultPath, ItemsPath in AWS's checks).
bool is_reference_path(std::string_view text);

// The value at `path` (an array of matches for indefinite paths), or nullopt when absent.
std::optional<nlohmann::json> read(const Path& path, const nlohmann::json& input, const nlohmann::json& context);
std::optional<nlohmann::json> read(std::string_view path, const nlohmann::json& input, const nlohmann::json& context);
// Sets `value` at the reference path in `root`, creating objects on the way; false when the
// path runs through a value that is not an object (States.ResultPathMatchFailure).
bool write(nlohmann::json& root, std::string_view path, nlohmann::json value);

}  // namespace awan::stepfunctions::jsonpath
