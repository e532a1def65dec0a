#pragma once
// gzip (RFC 1952) and zlib "deflate" (RFC 1950) bodies with zlib: compressed responses
// (DynamoDB's Accept-Encoding) and the Accept-Encoding negotiation.
#include <optional>
#include <string>
#include <string_view>

namespace awan::compress {

enum class Encoding { identity, gzip, deflate };

// The encoding to answer with for an Accept-Encoding header: gzip before deflate, neither when
// refused with q=0 or absent.
Encoding negotiate(std::string_view accept_encoding);
// Compresses `data`; nullopt if zlib fails.
std::optional<std::string> encode(std::string_view data, Encoding encoding);
// Decompresses at most `max_output` bytes; nullopt when the data is broken, truncated or larger
// (then *too_large, when given, says whether it was the size).
std::optional<std::string> decode(std::string_view data, Encoding encoding, size_t max_output, bool* too_large = nullptr);

}  // namespace awan::compress
