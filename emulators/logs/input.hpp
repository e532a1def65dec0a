#pragma once
// Reading input members under the model's constraints, failing in AWS's validation form
// (errors.hpp); the Describe* operations' paging tokens.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace awan::logs::input {

// nullopt when absent; an error when not a string.
std::optional<std::string> text(const nlohmann::json& in, const char* member);
std::string required_text(const nlohmann::json& in, const char* member);
void check_length(const std::string& value, const char* member, size_t min, size_t max);
std::optional<int64_t> integer(const nlohmann::json& in, const char* member, int64_t min, int64_t max);
bool boolean(const nlohmann::json& in, const char* member, bool fallback);
// 1-512 of [\.\-_/#A-Za-z0-9].
void check_log_group_name(const std::string& value, const char* member);
// 1-512, no ':' nor '*'.
void check_log_stream_name(const std::string& value, const char* member);
// The tags map of CreateLogGroup / TagResource / TagLogGroup: 1-50 entries, keys 1-128, values
// at most 256.
void check_tags(const nlohmann::json& tags, const char* member);

// Describe* paging: the offset a nextToken names (0 without one), the token of the next page.
size_t page_offset(const nlohmann::json& in);
std::string page_token(size_t offset);

}  // namespace awan::logs::input
