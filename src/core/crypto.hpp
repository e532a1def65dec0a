#pragma once
// Hashing and encoding helpers (OpenSSL, zlib).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace awan::crypto {

std::string sha256(std::string_view data);                       // raw 32 bytes
std::string sha256_hex(std::string_view data);
std::string md5(std::string_view data);                          // raw 16 bytes
std::string md5_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string hex(std::string_view raw);
std::optional<std::string> unhex(std::string_view hex);
std::string base64_encode(std::string_view raw);
// Strict RFC 4648 decoding (padding required when the length is not a multiple of 4 is
// tolerated); nullopt on any invalid character.
std::optional<std::string> base64_decode(std::string_view text);
uint32_t crc32(std::string_view data, uint32_t seed = 0);
uint32_t crc32c(std::string_view data, uint32_t seed = 0);
// Big-endian bytes of a 32-bit value, base64 encoded (the x-amz-checksum-crc32 form).
std::string base64_be32(uint32_t value);
// Compares without an early exit (signatures, secrets).
bool constant_time_equals(std::string_view a, std::string_view b);
// Cryptographically random bytes.
std::string random_bytes(size_t n);

}  // namespace awan::crypto
