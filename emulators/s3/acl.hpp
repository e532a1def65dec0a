#pragma once
// S3 access control lists as AWS keeps them: grant lists from canned ACLs (x-amz-acl), from the
// x-amz-grant-* headers or from an AccessControlPolicy document; and the rules Object Ownership
// (BucketOwnerEnforced disables ACLs) and Block Public Access (BlockPublicAcls,
// BlockPublicPolicy) put on requests that set them. ACLs are stored and returned; requests are
// not authorized against them (nor against bucket policies).
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "awan/error.hpp"

namespace awan::s3::acl {

using json = nlohmann::json;

inline constexpr std::string_view kAllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
inline constexpr std::string_view kAuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
inline constexpr std::string_view kLogDelivery = "http://acs.amazonaws.com/groups/s3/LogDelivery";

// `owner`: {"ID", "DisplayName"} of who owns the resource; `bucket_owner` of its bucket.
// The grants of a canned ACL; nullopt for a name S3 does not know.
std::optional<json> canned(std::string_view name, const json& owner, const json& bucket_owner);

// The grantees of one x-amz-grant-* header value: `id="…"`, `uri="…"` and `emailAddress="…"`,
// comma-separated (quotes optional). An error message when the text is malformed.
std::optional<std::string> parse_grantees(std::string_view text, json& grantees);

// The ACL a request sets, from its ACL member or its Grant* members (GrantRead, GrantWrite,
// GrantReadACP, GrantWriteACP, GrantFullControl) or, when `policy_member` names one, its
// AccessControlPolicy document; nullopt when it sets none. Throws S3's error for an unknown
// canned ACL, both a canned ACL and grants, a malformed grant or policy.
std::optional<json> requested(const json& in, const json& owner, const json& bucket_owner,
                              const char* policy_member = nullptr);

// Only the owner, with FULL_CONTROL (what "ACLs disabled" allows).
bool owner_full_control_only(const json& grants, const json& owner);
// A grant to AllUsers or AuthenticatedUsers.
bool is_public(const json& grants);

// Whether a bucket policy document (JSON text) is public as Block Public Access judges it: an
// Allow statement for principal "*" without a condition that pins it to accounts, sources or
// networks.
bool policy_is_public(const std::string& policy_text);

// The default grant list: the owner with FULL_CONTROL.
json owner_grants(const json& owner);

}  // namespace awan::s3::acl
