#pragma once
// Identifiers: request ids, AWS-style resource ids, random strings.
#include <string>
#include <string_view>

namespace awan::ids {

// RFC 4122 version-4 UUID, lower case ("1b4e28ba-2fa1-11d2-883f-0016d3cca427").
std::string uuid4();
// Random characters from `alphabet`.
std::string random_string(size_t n, std::string_view alphabet);
// Upper-case letters and digits, as in IAM unique ids ("AROA" + 17 chars).
std::string random_upper_alnum(size_t n);
// An IAM-style unique id: prefix + 17 upper-case alphanumerics (e.g. "AROA...").
std::string iam_unique_id(std::string_view prefix);

}  // namespace awan::ids
