// POST Object signature, policy and answer (see post_policy.hpp).
#include "s3/post_policy.hpp"

#include <algorithm>
#include <memory>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "core/timefmt.hpp"

namespace awan::s3 {

using nlohmann::json;

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr int kMaxPolicyDepth = 16;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

AwsError with_details(AwsError e, json details) {
  e.details = std::make_shared<const json>(std::move(details));
  return e;
}

AwsError missing_field(std::string_view canonical) {
  return with_details(AwsError{"InvalidArgument",
                               "Bucket POST must contain a field named '" + std::string(canonical) +
                                   "'.  If it is specified, please check the order of the fields.",
                               400},
                      {{"ArgumentName", canonical}, {"ArgumentValue", ""}});
}

AwsError credential_error(std::string message, std::string_view credential) {
  return with_details(AwsError{"InvalidArgument", std::move(message), 400},
                      {{"ArgumentName", "X-Amz-Credential"}, {"ArgumentValue", credential}});
}

AwsError invalid_policy(std::string message) { return {"InvalidPolicyDocument", "Invalid Policy: " + message, 400}; }
AwsError invalid_json() { return invalid_policy("Invalid JSON."); }

AwsError denied(std::string message) { return {"AccessDenied", "Invalid according to Policy: " + message, 403}; }

std::string dump_value(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

// Nesting depth of a JSON text (brackets outside strings), so that nothing recursive ever meets a
// deeply nested document.
bool depth_within(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

// YYYY-MM-DDTHH:MM:SS[.fraction]Z, UTC only (S3 refuses offsets and a space for the T).
std::optional<time_point> parse_expiration(std::string_view s) {
  auto digit = [&](size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; };
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u, 11u, 12u, 14u, 15u, 17u, 18u}) {
    if (!digit(i)) return std::nullopt;
  }
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return std::nullopt;
  size_t p = 19;
  if (s[p] == '.') {
    ++p;
    size_t start = p;
    while (digit(p)) ++p;
    if (p == start) return std::nullopt;
  }
  if (p + 1 != s.size() || s[p] != 'Z') return std::nullopt;
  return timefmt::parse_iso8601(s);
}

std::optional<int64_t> bound_of(const json& v, bool& invalid) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_unsigned()) {
    auto u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return INT64_MAX;
    return static_cast<int64_t>(u);
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    return std::stoll(s);
  }
  invalid = true;  // floats, booleans, null, containers
  return std::nullopt;
}

std::string render(const json& array) {
  std::string out = "[";
  for (size_t i = 0; i < array.size(); ++i) {
    if (i) out += ", ";
    out += dump_value(array[i]);
  }
  return out + "]";
}

std::optional<AwsError> parse_condition(const json& c, PolicyCondition& out) {
  if (c.is_object()) {
    if (c.size() != 1) {
      return invalid_policy("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.");
    }
    auto member = c.begin();
    const std::string& name = member.key();
    const json& value = member.value();
    if (value.is_null()) return invalid_json();
    if (!value.is_string()) return invalid_policy("Invalid Simple-Condition: value must be a string.");
    out.op = PolicyCondition::Op::Eq;
    std::string_view n = name;
    if (starts_with(n, "$")) n.remove_prefix(1);
    out.field = text::ascii_lower(n);
    out.value = value.get<std::string>();
    out.text = render(json::array({"eq", "$" + std::string(n), out.value}));
    return std::nullopt;
  }
  if (!c.is_array()) return invalid_policy("Invalid condition test: must be a List or Object.");
  if (c.empty()) return invalid_policy("Invalid Condition: missing operation identifier.");
  if (!c[0].is_string()) return invalid_json();
  std::string op = text::ascii_lower(c[0].get<std::string>());
  if (op == "eq" || op == "starts-with") {
    out.op = op == "eq" ? PolicyCondition::Op::Eq : PolicyCondition::Op::StartsWith;
  } else if (op == "content-length-range") {
    out.op = PolicyCondition::Op::ContentLengthRange;
  } else {
    return invalid_policy("Invalid Condition: unknown operation '" + c[0].get<std::string>() + "'.");
  }
  if (c.size() != 3) return invalid_policy("Invalid " + op + ": wrong number of arguments.");
  out.text = render(c);
  if (out.op == PolicyCondition::Op::ContentLengthRange) {
    bool invalid = false;
    out.min = bound_of(c[1], invalid);
    out.max = bound_of(c[2], invalid);
    if (invalid) return invalid_json();
    return std::nullopt;
  }
  if (!c[1].is_string() || !c[2].is_string()) return invalid_json();
  std::string_view field = c[1].get_ref<const std::string&>();
  out.field_ok = starts_with(field, "$");
  if (out.field_ok) field.remove_prefix(1);
  out.field = text::ascii_lower(field);
  out.value = c[2].get<std::string>();
  return std::nullopt;
}

bool exempt_from_coverage(std::string_view name) {
  return name == "x-amz-signature" || name == "file" || name == "policy" || name == "awsaccesskeyid" ||
         name == "signature" || starts_with(name, "x-ignore-");
}

// Content-Type values with commas are lists for starts-with: every item must match.
bool content_type_starts_with(std::string_view value, std::string_view prefix) {
  size_t i = 0;
  for (;;) {
    size_t comma = value.find(',', i);
    std::string_view item = value.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (!starts_with(item, prefix)) return false;
    if (comma == std::string_view::npos) return true;
    i = comma + 1;
  }
}

// Element text: quotes stay as they are (S3 writes <ETag>"..."</ETag>).
std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

AwsError sigv4_only() {
  return {"InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
          400};
}

// SignatureDoesNotMatch for a POST policy signature, with what S3 says it signed.
AwsError signature_mismatch(const std::string& access_key_id, const std::string& policy, const std::string& provided) {
  std::string bytes;
  for (unsigned char c : policy) {
    static constexpr char kHex[] = "0123456789abcdef";
    if (!bytes.empty()) bytes.push_back(' ');
    bytes.push_back(kHex[c >> 4]);
    bytes.push_back(kHex[c & 15]);
  }
  return with_details(
      AwsError{"SignatureDoesNotMatch",
               "The request signature we calculated does not match the signature you provided. Check your key and "
               "signing method.",
               403},
      {{"AWSAccessKeyId", access_key_id}, {"StringToSign", policy}, {"SignatureProvided", provided},
       {"StringToSignBytes", bytes}});
}

bool http_url(std::string_view url) {
  std::string lower = text::ascii_lower(url.substr(0, 8));
  return (starts_with(lower, "http://") && url.size() > 7) || (starts_with(lower, "https://") && url.size() > 8);
}

}  // namespace

// ---- signature ----

bool has_post_authentication(const PostForm& form) {
  for (const char* name : {"policy", "x-amz-signature", "x-amz-credential", "x-amz-algorithm", "awsaccesskeyid",
                           "signature"}) {
    if (form.get(name)) return true;
  }
  return false;
}

std::optional<AwsError> read_post_sigv4(const PostForm& form, PostSigV4& out) {
  out = PostSigV4{};
  if (is_post_sigv2(form)) return sigv4_only();
  struct Field {
    const char* name;
    const char* canonical;
    std::string* into;
  };
  const Field fields[] = {{"x-amz-algorithm", "X-Amz-Algorithm", &out.algorithm},
                          {"x-amz-credential", "X-Amz-Credential", &out.credential},
                          {"x-amz-date", "X-Amz-Date", &out.date},
                          {"x-amz-signature", "X-Amz-Signature", &out.signature},
                          {"policy", "Policy", &out.policy}};
  for (const auto& f : fields) {
    const std::string* v = form.get(f.name);
    if (!v) return missing_field(f.canonical);
    *f.into = *v;
  }
  if (const std::string* token = form.get("x-amz-security-token")) out.security_token = *token;
  if (out.algorithm != kAlgorithm) {
    return with_details(AwsError{"InvalidArgument", "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"", 400},
                        {{"ArgumentName", "X-Amz-Algorithm"}, {"ArgumentValue", out.algorithm}});
  }
  std::vector<std::string_view> parts;
  std::string_view cred = out.credential;
  for (size_t i = 0;;) {
    size_t slash = cred.find('/', i);
    parts.push_back(cred.substr(i, slash == std::string_view::npos ? std::string_view::npos : slash - i));
    if (slash == std::string_view::npos) break;
    i = slash + 1;
  }
  const std::string malformed =
      "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".";
  if (parts.size() != 5 || parts[4] != "aws4_request" || parts[1].size() != 8 || parts[2].empty() ||
      parts[3].empty() || !std::all_of(parts[1].begin(), parts[1].end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return credential_error(malformed, out.credential);
  }
  if (parts[0].empty()) {
    return credential_error("a non-empty Access Key (AKID) must be provided in the credential.", out.credential);
  }
  out.access_key_id = parts[0];
  out.scope_date = parts[1];
  out.region = parts[2];
  out.service = parts[3];
  if (!timefmt::parse_amz_date(out.date)) {
    return with_details(AwsError{"InvalidArgument", "X-Amz-Date must be formated via ISO8601 Long format", 400},
                        {{"ArgumentName", "X-Amz-Date"}, {"ArgumentValue", out.date}});
  }
  return std::nullopt;
}

std::string post_policy_signature(std::string_view secret, std::string_view scope_date, std::string_view region,
                                  std::string_view service, std::string_view policy_base64) {
  std::string k = crypto::hmac_sha256("AWS4" + std::string(secret), scope_date);
  k = crypto::hmac_sha256(k, region);
  k = crypto::hmac_sha256(k, service);
  k = crypto::hmac_sha256(k, "aws4_request");
  return crypto::hex(crypto::hmac_sha256(k, policy_base64));
}

std::optional<AwsError> verify_post_sigv4(const PostSigV4& sig, std::string_view secret,
                                          std::string_view bucket_region) {
  if (sig.region != bucket_region) {
    return with_details(
        AwsError{"InvalidArgument",
                 "the region '" + sig.region + "' is wrong; expecting '" + std::string(bucket_region) + "'", 400},
        {{"ArgumentName", "X-Amz-Credential"}, {"ArgumentValue", sig.credential}, {"Region", bucket_region}});
  }
  std::string expected = post_policy_signature(secret, sig.scope_date, sig.region, sig.service, sig.policy);
  if (crypto::constant_time_equals(expected, sig.signature)) return std::nullopt;
  return signature_mismatch(sig.access_key_id, sig.policy, sig.signature);
}

// ---- SigV2 ----

bool is_post_sigv2(const PostForm& form) {
  return !form.get("x-amz-algorithm") && (form.get("awsaccesskeyid") || form.get("signature"));
}

bool region_takes_sigv2(std::string_view region) {
  for (std::string_view r : {"us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2",
                             "ap-northeast-1", "sa-east-1"}) {
    if (region == r) return true;
  }
  return false;
}

std::optional<AwsError> read_post_sigv2(const PostForm& form, std::string_view bucket_region, PostSigV2& out) {
  out = PostSigV2{};
  if (!region_takes_sigv2(bucket_region)) return sigv4_only();
  struct Field {
    const char* name;
    const char* canonical;
    std::string* into;
  };
  const Field fields[] = {{"awsaccesskeyid", "AWSAccessKeyId", &out.access_key_id},
                          {"policy", "policy", &out.policy},
                          {"signature", "Signature", &out.signature}};
  for (const auto& f : fields) {
    const std::string* v = form.get(f.name);
    if (!v || v->empty()) return missing_field(f.canonical);
    *f.into = *v;
  }
  return std::nullopt;
}

std::string post_policy_signature_v2(std::string_view secret, std::string_view policy_base64) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(policy_base64.data()), policy_base64.size(), mac, &length)) {
    return {};
  }
  return crypto::base64_encode(std::string_view(reinterpret_cast<const char*>(mac), length));
}

std::optional<AwsError> verify_post_sigv2(const PostSigV2& sig, std::string_view secret) {
  std::string expected = post_policy_signature_v2(secret, sig.policy);
  if (!expected.empty() && crypto::constant_time_equals(expected, sig.signature)) return std::nullopt;
  return signature_mismatch(sig.access_key_id, sig.policy, sig.signature);
}

// ---- policy ----

std::optional<AwsError> parse_post_policy(std::string_view policy_base64, PostPolicy& out) {
  out = PostPolicy{};
  std::string compact;
  compact.reserve(policy_base64.size());
  for (char c : policy_base64) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact.push_back(c);
  }
  auto decoded = crypto::base64_decode(compact);
  if (!decoded || !depth_within(*decoded, kMaxPolicyDepth)) return invalid_json();
  json doc = json::parse(*decoded, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return invalid_json();

  const json* expiration = nullptr;
  const json* conditions = nullptr;
  for (const auto& [name, value] : doc.items()) {
    std::string lower = text::ascii_lower(name);
    if (lower == "expiration") {
      expiration = &value;
    } else if (lower == "conditions") {
      conditions = &value;
    } else {
      return invalid_policy("Unexpected: '" + lower + "'");
    }
  }
  if (!expiration) return invalid_policy("Policy missing expiration.");
  std::optional<time_point> when;
  if (expiration->is_string()) when = parse_expiration(expiration->get_ref<const std::string&>());
  if (!when) {
    std::string shown = expiration->is_string() ? expiration->get<std::string>() : dump_value(*expiration);
    return invalid_policy("Invalid 'expiration' value: '" + shown + "'");
  }
  out.expiration = *when;
  if (!conditions || conditions->is_null()) return invalid_policy("Policy missing conditions.");
  if (!conditions->is_array()) return invalid_policy("Invalid 'conditions' value: must be a List.");
  for (const auto& c : *conditions) {
    PolicyCondition pc;
    if (auto err = parse_condition(c, pc)) return err;
    out.conditions.push_back(std::move(pc));
  }
  return std::nullopt;
}

std::optional<AwsError> evaluate_post_policy(const PostPolicy& policy, const PostForm& form, std::string_view bucket,
                                             uint64_t file_size, time_point now) {
  if (now > policy.expiration) return denied("Policy expired.");

  // A field's value, ${filename} expanded; repeated fields are joined with commas.
  auto value_of = [&](std::string_view name) -> std::optional<std::string> {
    std::optional<std::string> out;
    for (const auto& f : form.fields) {
      if (f.name != name) continue;
      std::string v = form.expand_filename(f.value);
      out = out ? *out + "," + v : v;
    }
    return out;
  };

  for (const auto& c : policy.conditions) {
    bool ok;
    if (c.op == PolicyCondition::Op::ContentLengthRange) {
      ok = c.min && c.max;  // the bounds are checked against the size last
    } else if (!c.field_ok) {
      ok = false;
    } else {
      std::optional<std::string> v = c.field == "bucket" ? std::optional<std::string>(std::string(bucket)) : value_of(c.field);
      if (!v) {
        ok = false;
      } else if (c.op == PolicyCondition::Op::Eq) {
        ok = *v == c.value;
      } else if (c.field == "content-type") {
        ok = content_type_starts_with(*v, c.value);
      } else {
        ok = starts_with(*v, c.value);
      }
    }
    if (!ok) return denied("Policy Condition failed: " + c.text);
  }

  for (const auto& f : form.fields) {
    if (exempt_from_coverage(f.name)) continue;
    bool covered = std::any_of(policy.conditions.begin(), policy.conditions.end(), [&](const PolicyCondition& c) {
      return c.op != PolicyCondition::Op::ContentLengthRange && c.field_ok && c.field == f.name;
    });
    if (!covered) return denied("Extra input fields: " + f.sent_name);
  }

  for (const auto& c : policy.conditions) {
    if (c.op != PolicyCondition::Op::ContentLengthRange) continue;
    const auto size = static_cast<int64_t>(std::min<uint64_t>(file_size, INT64_MAX));
    if (size < *c.min) {
      return with_details(AwsError{"EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", 400},
                          {{"ProposedSize", file_size}, {"MinSizeAllowed", *c.min}});
    }
    if (size > *c.max) {
      return with_details(AwsError{"EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400},
                          {{"ProposedSize", file_size}, {"MaxSizeAllowed", *c.max}});
    }
  }
  return std::nullopt;
}

// ---- answer ----

std::string form_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

PostAnswer post_success_answer(const PostForm& form, std::string_view bucket, std::string_view key,
                               std::string_view etag, std::string_view object_url) {
  std::string quoted = starts_with(etag, "\"") ? std::string(etag) : "\"" + std::string(etag) + "\"";
  PostAnswer a;
  const std::string* redirect = form.get("success_action_redirect");
  if (!redirect) redirect = form.get("redirect");
  if (redirect && http_url(*redirect)) {
    std::string url = *redirect;
    char last = url.back();
    if (last != '?' && last != '&') url += url.find('?') == std::string::npos ? '?' : '&';
    url += "bucket=" + form_encode(bucket) + "&key=" + form_encode(key) + "&etag=" + form_encode(quoted);
    a.status = 303;
    a.headers = {{"Location", std::move(url)}, {"ETag", quoted}};
    return a;
  }
  const std::string* status = form.get("success_action_status");
  a.status = status && *status == "200" ? 200 : status && *status == "201" ? 201 : 204;
  a.headers = {{"ETag", quoted}, {"Location", std::string(object_url)}};
  if (a.status == 201) {
    a.headers.emplace_back("Content-Type", "application/xml");
    a.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Location>" + xml_escape(object_url) +
             "</Location><Bucket>" + xml_escape(bucket) + "</Bucket><Key>" + xml_escape(key) + "</Key><ETag>" +
             xml_escape(quoted) + "</ETag></PostResponse>";
  }
  return a;
}

}  // namespace awan::s3
