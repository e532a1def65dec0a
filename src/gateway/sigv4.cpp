#include "gateway/sigv4.hpp"

#include <algorithm>
#include <charconv>

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "core/timefmt.hpp"

namespace awan::sigv4 {

namespace {

using time_point = std::chrono::system_clock::time_point;

constexpr std::string_view kS3MalformedPrefix = "The authorization header is malformed; ";
constexpr std::string_view kS3CredentialPrefix = "Error parsing the X-Amz-Credential parameter; ";
constexpr std::string_view kMismatchS3 =
    "The request signature we calculated does not match the signature you provided. Check your key and signing "
    "method.";
constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details.";
constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";
constexpr std::string_view kExpiredToken = "The security token included in the request is expired";

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string lower(std::string_view s) { return text::ascii_lower(s); }
int hex_value(char c) { return text::hex_digit_value(c); }

// Splits a presigned credential on '/' or its encoding %2F. Returns the number of parts found
// (up to 6, so that "more than 5" is detectable).
size_t split_credential(std::string_view cred, std::string_view (&parts)[6]) {
  size_t n = 0;
  size_t start = 0;
  size_t i = 0;
  while (i <= cred.size()) {
    size_t sep_len = 0;
    if (i == cred.size()) {
      sep_len = 0;
    } else if (cred[i] == '/') {
      sep_len = 1;
    } else if (cred[i] == '%' && cred.size() - i >= 3 && cred[i + 1] == '2' &&
               (cred[i + 2] == 'F' || cred[i + 2] == 'f')) {
      sep_len = 3;
    } else {
      ++i;
      continue;
    }
    if (n < 6) parts[n] = cred.substr(start, i - start);
    ++n;
    if (i == cred.size()) break;
    i += sep_len;
    start = i;
  }
  return n;
}

std::string_view query_param(std::string_view query, std::string_view name) {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(pos, amp - pos);
    size_t eq = pair.find('=');
    std::string_view key = eq == std::string_view::npos ? pair : pair.substr(0, eq);
    if (key == name) return eq == std::string_view::npos ? pair.substr(pair.size()) : pair.substr(eq + 1);
    pos = amp + 1;
  }
  return {};
}

bool has_query_param(std::string_view query, std::string_view name) {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(pos, amp - pos);
    size_t eq = pair.find('=');
    if ((eq == std::string_view::npos ? pair : pair.substr(0, eq)) == name) return true;
    pos = amp + 1;
  }
  return false;
}

void split_scope(Auth& a) {
  std::string_view parts[6];
  size_t n = split_credential(a.credential, parts);
  if (n != 5) {
    a.problem = Problem::BadCredential;
    if (n >= 1) a.access_key = parts[0];
    return;
  }
  a.access_key = parts[0];
  a.date = parts[1];
  a.region = parts[2];
  a.service = parts[3];
  a.terminator = parts[4];
  if (a.date.size() != 8 || !all_digits(a.date)) {
    a.problem = Problem::BadCredentialDate;
  } else if (a.terminator != kTerminator) {
    a.problem = Problem::BadTerminator;
  }
}

void parse_header_auth(Auth& a, const http::Request& req, std::string_view rest) {
  // rest: "Credential=..., SignedHeaders=..., Signature=..."
  bool have_credential = false, have_signed = false, have_signature = false;
  size_t pos = 0;
  while (pos <= rest.size()) {
    size_t comma = rest.find(',', pos);
    if (comma == std::string_view::npos) comma = rest.size();
    std::string_view comp = trim(rest.substr(pos, comma - pos));
    pos = comma + 1;
    if (comp.empty()) continue;
    size_t eq = comp.find('=');
    if (eq == std::string_view::npos) {
      if (a.problem == Problem::None) {
        a.problem = Problem::MissingEquals;
        a.bad_component = comp;
      }
      continue;
    }
    std::string_view key = trim(comp.substr(0, eq));
    std::string_view value = trim(comp.substr(eq + 1));
    if (key == "Credential") {
      a.credential = value;
      have_credential = true;
    } else if (key == "SignedHeaders") {
      a.signed_headers = value;
      have_signed = true;
    } else if (key == "Signature") {
      a.signature = value;
      have_signature = true;
    }
  }
  a.amz_date = req.headers.get("x-amz-date");
  if (a.amz_date.empty()) a.http_date = req.headers.get("date");
  a.security_token = req.headers.get("x-amz-security-token");

  a.missing_credential = !have_credential;
  a.missing_signed_headers = !have_signed;
  a.missing_signature = !have_signature;
  a.missing_date = a.amz_date.empty() && a.http_date.empty();
  if (a.problem != Problem::None) return;
  if (a.missing_credential || a.missing_signed_headers || a.missing_signature || a.missing_date) {
    if (have_credential) split_scope(a);  // still learn the access key and region
    a.problem = Problem::MissingParts;
    return;
  }
  split_scope(a);
  if (a.problem != Problem::None) return;
  if (!a.request_time()) a.problem = Problem::BadAmzDate;
}

void parse_presigned(Auth& a, const http::Request& req) {
  std::string_view q = req.query;
  std::string_view algorithm = query_param(q, "X-Amz-Algorithm");
  a.algorithm = algorithm;
  a.credential = query_param(q, "X-Amz-Credential");
  a.signature = query_param(q, "X-Amz-Signature");
  a.amz_date = query_param(q, "X-Amz-Date");
  a.signed_headers = query_param(q, "X-Amz-SignedHeaders");
  a.expires_raw = query_param(q, "X-Amz-Expires");
  a.security_token = query_param(q, "X-Amz-Security-Token");
  a.missing_credential = a.credential.empty();
  a.missing_signature = a.signature.empty();
  a.missing_signed_headers = a.signed_headers.empty();
  a.missing_date = a.amz_date.empty();
  if (algorithm.empty() || a.missing_credential || a.missing_signature || a.missing_signed_headers || a.missing_date ||
      a.expires_raw.empty()) {
    a.problem = Problem::PresignMissingParams;
    if (!a.missing_credential) {
      Problem keep = a.problem;
      split_scope(a);
      a.problem = keep;
    }
    return;
  }
  if (algorithm != kAlgorithm) {
    a.problem = Problem::PresignBadAlgorithm;
    return;
  }
  split_scope(a);
  if (a.problem != Problem::None) return;
  if (!timefmt::parse_amz_date(a.amz_date)) {
    a.problem = Problem::BadAmzDate;
    return;
  }
  std::string_view e = a.expires_raw;
  if (!e.empty() && e.front() == '-' && all_digits(e.substr(1))) {
    a.problem = Problem::PresignNegativeExpires;
    return;
  }
  if (!all_digits(e) || e.size() > 12) {
    a.problem = all_digits(e) ? Problem::PresignExpiresTooLarge : Problem::PresignBadExpires;
    return;
  }
  int64_t v = 0;
  std::from_chars(e.data(), e.data() + e.size(), v);
  a.expires = v;
  if (v > kMaxPresignExpires) a.problem = Problem::PresignExpiresTooLarge;
}

AwsError incomplete(Dialect d, std::string message) {
  if (d == Dialect::Json) return {"IncompleteSignatureException", std::move(message), 400};
  return {"IncompleteSignature", std::move(message), 400};
}

AwsError mismatch(Dialect d, std::string message) {
  if (d == Dialect::Json) return {"InvalidSignatureException", std::move(message), 400};
  return {"SignatureDoesNotMatch", std::move(message), 403};
}

AwsError s3_malformed(std::string detail) {
  return {"AuthorizationHeaderMalformed", std::string(kS3MalformedPrefix) + detail, 400};
}

AwsError s3_query_error(std::string message) { return {"AuthorizationQueryParametersError", std::move(message), 400}; }

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string format_amz(time_point t) { return timefmt::amz_date(t); }

bool valid_content_sha256(std::string_view v) {
  static constexpr std::string_view kAllowed[] = {
      kUnsignedPayload,
      kStreamingUnsignedTrailer,
      kStreamingSigned,
      kStreamingSignedTrailer,
      "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
      "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
  };
  for (auto a : kAllowed)
    if (v == a) return true;
  return v.size() == 64 && std::all_of(v.begin(), v.end(), [](char c) { return hex_value(c) >= 0; });
}

}  // namespace

// ---------------------------------------------------------------- Auth helpers

std::string Auth::scope() const {
  std::string s;
  s.reserve(date.size() + region.size() + service.size() + terminator.size() + 3);
  s.append(date).append("/").append(region).append("/").append(service).append("/").append(terminator);
  return s;
}

std::string Auth::session_token() const {
  if (kind == AuthKind::Presigned) return uri_decode(security_token);
  return std::string(security_token);
}

std::vector<std::string> Auth::signed_header_list() const {
  std::string decoded = kind == AuthKind::Presigned ? uri_decode(signed_headers) : std::string(signed_headers);
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= decoded.size()) {
    size_t semi = decoded.find(';', pos);
    if (semi == std::string::npos) semi = decoded.size();
    std::string_view name = trim(std::string_view(decoded).substr(pos, semi - pos));
    if (!name.empty()) out.push_back(lower(name));
    pos = semi + 1;
  }
  return out;
}

std::optional<time_point> Auth::request_time() const {
  if (!amz_date.empty()) return timefmt::parse_amz_date(amz_date);
  if (!http_date.empty()) return timefmt::parse_http_date(http_date);
  return std::nullopt;
}

// ---------------------------------------------------------------- parse

Auth parse(const http::Request& req) {
  Auth a;
  if (const std::string* h = req.headers.find("authorization")) {
    std::string_view v = trim(*h);
    a.header = *h;
    if (starts_with(v, kAlgorithm) && (v.size() == kAlgorithm.size() || is_space(v[kAlgorithm.size()]))) {
      a.kind = AuthKind::Header;
      a.algorithm = v.substr(0, kAlgorithm.size());
      parse_header_auth(a, req, v.substr(kAlgorithm.size()));
    } else if (starts_with(v, "AWS ")) {
      a.kind = AuthKind::SigV2;
      std::string_view rest = trim(v.substr(4));
      size_t colon = rest.find(':');
      a.access_key = rest.substr(0, colon);
      if (colon != std::string_view::npos) a.signature = rest.substr(colon + 1);
    } else {
      a.kind = AuthKind::Other;
      a.problem = Problem::UnsupportedScheme;
    }
    return a;
  }
  std::string_view q = req.query;
  if (!q.empty()) {
    if (has_query_param(q, "X-Amz-Algorithm") || has_query_param(q, "X-Amz-Credential") ||
        has_query_param(q, "X-Amz-Signature")) {
      a.kind = AuthKind::Presigned;
      parse_presigned(a, req);
    } else if (has_query_param(q, "AWSAccessKeyId") && has_query_param(q, "Signature")) {
      a.kind = AuthKind::SigV2;
      a.access_key = query_param(q, "AWSAccessKeyId");
      a.signature = query_param(q, "Signature");
    }
  }
  return a;
}

std::optional<AwsError> parse_error(const Auth& a, Dialect d) {
  const bool s3 = d == Dialect::S3;
  if (a.kind == AuthKind::None) {
    if (s3) return std::nullopt;
    if (d == Dialect::Json)
      return AwsError{"MissingAuthenticationTokenException", "Request is missing Authentication Token", 400};
    return AwsError{"MissingAuthenticationToken", "Request is missing Authentication Token", 403};
  }
  if (a.kind == AuthKind::SigV2) {
    // Signature Version 2 is not verified: refused the way SigV4-only AWS endpoints refuse it.
    if (s3)
      return AwsError{"InvalidRequest",
                      "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
                      400};
    if (a.header.empty()) {
      // AWSAccessKeyId/Signature in the query string: not a SigV4 signature at all.
      if (d == Dialect::Json)
        return AwsError{"MissingAuthenticationTokenException", "Request is missing Authentication Token", 400};
      return incomplete(d, "The request signature does not conform to AWS standards.");
    }
    // "AWS AKID:signature" is an unknown scheme to a SigV4 endpoint.
    std::string_view h = trim(a.header);
    return incomplete(d, "'" + std::string(trim(h.substr(3))) +
                             "' not a valid key=value pair (missing equal-sign) in Authorization header: '" +
                             std::string(h) + "'.");
  }
  const bool presigned = a.kind == AuthKind::Presigned;
  switch (a.problem) {
    case Problem::None:
      return std::nullopt;
    case Problem::UnsupportedScheme: {
      if (s3) return AwsError{"InvalidArgument", "Unsupported Authorization Type", 400};
      std::string_view h = trim(a.header);
      size_t sp = h.find(' ');
      std::string_view comp = sp == std::string_view::npos ? h : trim(h.substr(sp + 1));
      return incomplete(d, "'" + std::string(comp) +
                               "' not a valid key=value pair (missing equal-sign) in Authorization header: '" +
                               std::string(h) + "'.");
    }
    case Problem::MissingEquals:
      if (s3) return s3_malformed("the authorization component " + quoted(a.bad_component) + " is malformed.");
      return incomplete(d, "'" + std::string(a.bad_component) +
                               "' not a valid key=value pair (missing equal-sign) in Authorization header: '" +
                               std::string(trim(a.header)) + "'.");
    case Problem::MissingParts: {
      if (s3) {
        if (!a.missing_credential && !a.missing_signed_headers && !a.missing_signature && a.missing_date)
          return AwsError{"AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", 403};
        return s3_malformed(
            "the authorization header requires three components: Credential, SignedHeaders, and Signature.");
      }
      std::string m;
      if (a.missing_credential) m += "Authorization header requires 'Credential' parameter. ";
      if (a.missing_signature) m += "Authorization header requires 'Signature' parameter. ";
      if (a.missing_signed_headers) m += "Authorization header requires 'SignedHeaders' parameter. ";
      if (a.missing_date)
        m += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
      m += "Authorization=" + std::string(trim(a.header));
      return incomplete(d, std::move(m));
    }
    case Problem::BadCredential:
      if (s3) {
        std::string detail =
            "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".";
        if (presigned) return s3_query_error(std::string(kS3CredentialPrefix) + detail);
        return s3_malformed(detail);
      }
      return incomplete(d, "Credential must have exactly 5 slash-delimited elements, e.g. "
                           "keyid/date/region/service/term, got '" +
                               (presigned ? uri_decode(a.credential) : std::string(a.credential)) + "'");
    case Problem::BadCredentialDate:
      if (s3) {
        std::string detail = "incorrect date format " + quoted(a.date) +
                             ". This date in the credential must be in the format \"yyyyMMdd\".";
        if (presigned) return s3_query_error(std::string(kS3CredentialPrefix) + detail);
        return s3_malformed(detail);
      }
      return incomplete(d, "Date must be in ISO-8601 'basic format'. Got '" + std::string(a.date) +
                               "'. See http://en.wikipedia.org/wiki/ISO_8601");
    case Problem::BadTerminator:
      if (s3) {
        std::string detail =
            "incorrect terminal " + quoted(a.terminator) + ". This endpoint uses \"aws4_request\".";
        if (presigned) return s3_query_error(std::string(kS3CredentialPrefix) + detail);
        return s3_malformed(detail);
      }
      return mismatch(d, "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                             std::string(a.terminator) + "'. ");
    case Problem::BadAmzDate:
      if (s3) {
        if (presigned) return s3_query_error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
        return AwsError{"AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", 403};
      }
      return incomplete(d, "Date must be in ISO-8601 'basic format'. Got '" +
                               std::string(a.amz_date.empty() ? a.http_date : a.amz_date) +
                               "'. See http://en.wikipedia.org/wiki/ISO_8601");
    case Problem::PresignMissingParams:
      if (s3)
        return s3_query_error(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
            "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
      {
        std::string m;
        auto need = [&](bool missing, std::string_view name) {
          if (missing) m += "AWS query-string parameters must include '" + std::string(name) + "'. ";
        };
        need(a.credential.empty(), "X-Amz-Credential");
        need(a.signature.empty(), "X-Amz-Signature");
        need(a.signed_headers.empty(), "X-Amz-SignedHeaders");
        need(a.amz_date.empty(), "X-Amz-Date");
        if (m.empty()) m = "AWS query-string parameters must include 'X-Amz-Algorithm'. ";
        m += "Re-examine the query-string parameters.";
        return incomplete(d, std::move(m));
      }
    case Problem::PresignBadAlgorithm:
      if (s3) return s3_query_error("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
      return incomplete(d, "Unsupported AWS 'algorithm': '" + uri_decode(a.algorithm) + "'");
    case Problem::PresignBadExpires:
      if (s3) return s3_query_error("X-Amz-Expires should be a number");
      return incomplete(d, "X-Amz-Expires should be a number");
    case Problem::PresignNegativeExpires:
      if (s3) return s3_query_error("X-Amz-Expires must be non-negative");
      return incomplete(d, "X-Amz-Expires must be non-negative");
    case Problem::PresignExpiresTooLarge:
      if (s3)
        return s3_query_error(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less "
            "than 604800 seconds");
      return incomplete(d, "X-Amz-Expires must be less than a week (in seconds); that is, the given "
                           "X-Amz-Expires must be less than 604800 seconds");
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- canonical forms

std::string uri_encode(std::string_view s, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~' || (c == '/' && !encode_slash)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string uri_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::string canonical_uri(std::string_view raw, bool s3) {
  if (raw.empty()) return "/";
  if (s3) {
    // S3 signs the key encoded once: decode each segment as sent, encode it again (so that
    // "$" and "%24" agree), never touching '/' or dot segments.
    std::string out;
    size_t pos = 0;
    while (pos <= raw.size()) {
      size_t slash = raw.find('/', pos);
      if (slash == std::string_view::npos) slash = raw.size();
      if (pos) out += '/';
      out += uri_encode(uri_decode(raw.substr(pos, slash - pos)), true);
      pos = slash + 1;
    }
    if (out.empty() || out.front() != '/') out.insert(out.begin(), '/');
    return out;
  }
  // Other services: remove empty and dot segments, then URI-encode the path as sent. SDKs send
  // the path encoded once and sign it encoded twice, so encoding the wire form once more gives
  // the same string ("/a%20b" -> "/a%2520b").
  std::vector<std::string_view> kept;
  size_t pos = 0;
  while (pos <= raw.size()) {
    size_t slash = raw.find('/', pos);
    if (slash == std::string_view::npos) slash = raw.size();
    std::string_view seg = raw.substr(pos, slash - pos);
    pos = slash + 1;
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!kept.empty()) kept.pop_back();
      continue;
    }
    kept.push_back(seg);
  }
  std::string out = "/";
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i) out += '/';
    out += uri_encode(kept[i], true);
  }
  if (!kept.empty() && raw.back() == '/') out += '/';
  return out;
}

std::string canonical_query(std::string_view raw, bool presigned) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t amp = raw.find('&', pos);
    if (amp == std::string_view::npos) amp = raw.size();
    std::string_view pair = raw.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view k = eq == std::string_view::npos ? pair : pair.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (presigned && k == "X-Amz-Signature") continue;
    pairs.emplace_back(uri_encode(uri_decode(k)), uri_encode(uri_decode(v)));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i) out += '&';
    out += pairs[i].first;
    out += '=';
    out += pairs[i].second;
  }
  return out;
}

std::string canonical_headers(const http::Headers& headers, const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    out += name;
    out += ':';
    bool first = true;
    for (const http::Header& h : headers.items()) {
      if (!http::iequals(h.name, name)) continue;
      if (!first) out += ',';
      first = false;
      std::string_view v = trim(h.value);
      bool in_space = false;
      for (char c : v) {
        if (is_space(c)) {
          in_space = true;
          continue;
        }
        if (in_space) out += ' ';
        in_space = false;
        out += c;
      }
    }
    out += '\n';
  }
  return out;
}

std::string canonical_request(const http::Request& req, const std::vector<std::string>& names,
                              std::string_view payload_hash, bool s3, bool presigned) {
  std::string path = req.path;
  std::string query = req.query;
  if (path.empty() && !req.target.empty()) {
    size_t q = req.target.find('?');
    path = req.target.substr(0, q);
    if (q != std::string::npos) query = req.target.substr(q + 1);
  }
  std::string out;
  out.reserve(256);
  out += req.method;
  out += '\n';
  out += canonical_uri(path, s3);
  out += '\n';
  out += canonical_query(query, presigned);
  out += '\n';
  out += canonical_headers(req.headers, names);
  out += '\n';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ';';
    out += names[i];
  }
  out += '\n';
  out += payload_hash;
  return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope, std::string_view creq) {
  std::string out;
  out.reserve(kAlgorithm.size() + amz_date.size() + scope.size() + 70);
  out.append(kAlgorithm).append("\n").append(amz_date).append("\n").append(scope).append("\n");
  out += crypto::sha256_hex(creq);
  return out;
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
  std::string k = "AWS4";
  k.append(secret);
  std::string k_date = crypto::hmac_sha256(k, date);
  std::string k_region = crypto::hmac_sha256(k_date, region);
  std::string k_service = crypto::hmac_sha256(k_region, service);
  return crypto::hmac_sha256(k_service, kTerminator);
}

std::string signature(std::string_view key, std::string_view sts) { return crypto::hex(crypto::hmac_sha256(key, sts)); }

bool constant_time_equals(std::string_view a, std::string_view b) { return crypto::constant_time_equals(a, b); }

// ---------------------------------------------------------------- verify

std::optional<AwsError> verify(const http::Request& req, const Auth& a, const std::optional<Credentials>& creds,
                               const VerifyOptions& opts) {
  const Dialect d = opts.dialect;
  const bool s3 = d == Dialect::S3;
  if (a.kind != AuthKind::Header && a.kind != AuthKind::Presigned) {
    if (auto e = parse_error(a, d)) return e;
    return mismatch(d, std::string(s3 ? kMismatchS3 : kMismatch));
  }
  if (auto e = parse_error(a, d)) return e;
  const bool presigned = a.presigned();

  // Who is calling.
  if (!creds) {
    if (s3) return AwsError{"InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403};
    if (d == Dialect::Json) return AwsError{"UnrecognizedClientException", std::string(kInvalidToken), 400};
    return AwsError{"InvalidClientTokenId", std::string(kInvalidToken), 403};
  }
  const time_point now = opts.clock->now();
  {
    std::string token = a.session_token();
    if (token != creds->session_token) {
      if (s3) return AwsError{"InvalidToken", "The provided token is malformed or otherwise invalid.", 400};
      if (d == Dialect::Json) return AwsError{"UnrecognizedClientException", std::string(kInvalidToken), 400};
      return AwsError{"InvalidClientTokenId", std::string(kInvalidToken), 403};
    }
    if (creds->expires && now >= *creds->expires) {
      if (s3) return AwsError{"ExpiredToken", "The provided token has expired.", 400};
      if (d == Dialect::Json) return AwsError{"ExpiredTokenException", std::string(kExpiredToken), 400};
      return AwsError{"ExpiredToken", std::string(kExpiredToken), 403};
    }
  }

  // Scope.
  if (!opts.expected_service.empty() && a.service != opts.expected_service) {
    if (s3) {
      std::string detail = "incorrect service " + quoted(a.service) + ". This endpoint belongs to " +
                           quoted(opts.expected_service) + ".";
      if (presigned) return s3_query_error(std::string(kS3CredentialPrefix) + detail);
      return s3_malformed(detail);
    }
    return mismatch(d, "Credential should be scoped to correct service: '" + std::string(opts.expected_service) +
                           "'. ");
  }
  std::optional<time_point> t = a.request_time();
  if (!t) return mismatch(d, std::string(s3 ? kMismatchS3 : kMismatch));  // parse() rejected this already
  const std::string amz = a.amz_date.empty() ? format_amz(*t) : std::string(a.amz_date);
  if (a.date != std::string_view(amz).substr(0, 8)) {
    if (s3) {
      if (presigned)
        return s3_query_error("Invalid credential date " + quoted(a.date) + ". This date is not the same as X-Amz-Date: " +
                              quoted(amz.substr(0, 8)) + ".");
      return s3_malformed("Invalid credential date. Date is not the same as X-Amz-Date.");
    }
    return mismatch(d, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                           std::string(a.date) + "' != '" + amz.substr(0, 8) + "', from '" + amz + "'.");
  }

  // Time, compared in whole seconds: a far-off request time minus now would overflow the
  // clock's nanoseconds.
  const int64_t t_s = std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const int64_t skew = kMaxSkew.count();
  if (presigned) {
    if (t_s - now_s > skew) {
      if (s3) return AwsError{"AccessDenied", "Request is not valid yet", 403};
      return mismatch(d, "Signature not yet current: " + amz + " is still later than " + format_amz(now + kMaxSkew) +
                             " (" + format_amz(now) + " + 15 min.)");
    }
    if (now_s - t_s > a.expires || (now_s - t_s == a.expires && now > *t + std::chrono::seconds(a.expires))) {
      if (s3) return AwsError{"AccessDenied", "Request has expired", 403};
      return mismatch(d, "Signature expired: " + format_amz(*t + std::chrono::seconds(a.expires)) +
                             " is now earlier than " + format_amz(now) + " (" + format_amz(now) + ")");
    }
  } else if (now_s - t_s > skew || t_s - now_s > skew ||
             (std::max(now_s - t_s, t_s - now_s) == skew && (now - *t > kMaxSkew || *t - now > kMaxSkew))) {
    if (s3)
      return AwsError{"RequestTimeTooSkewed",
                      "The difference between the request time and the current time is too large.", 403};
    if (*t < now)
      return mismatch(d, "Signature expired: " + amz + " is now earlier than " + format_amz(now - kMaxSkew) + " (" +
                             format_amz(now) + " - 15 min.)");
    return mismatch(d, "Signature not yet current: " + amz + " is still later than " + format_amz(now + kMaxSkew) +
                           " (" + format_amz(now) + " + 15 min.)");
  }

  // Payload hash.
  std::string payload_hash;
  const std::string* content_sha = req.headers.find("x-amz-content-sha256");
  if (content_sha) {
    payload_hash = trim(*content_sha);
    if (s3 && !valid_content_sha256(payload_hash))
      return AwsError{"InvalidArgument",
                      "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
                      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
                      "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a "
                      "valid sha256 value.",
                      400};
  } else if (presigned && s3) {
    payload_hash = kUnsignedPayload;
  } else if (s3) {
    return AwsError{"InvalidRequest", "Missing required header for this request: x-amz-content-sha256", 400};
  } else {
    payload_hash = crypto::sha256_hex(req.body);
  }

  std::vector<std::string> names = a.signed_header_list();
  if (!s3 && std::find(names.begin(), names.end(), "host") == names.end())
    return incomplete(d, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  if (s3 && !presigned) {
    for (const http::Header& h : req.headers.items()) {
      if (h.name.size() < 6 || lower(std::string_view(h.name).substr(0, 6)) != "x-amz-") continue;
      if (std::find(names.begin(), names.end(), lower(h.name)) == names.end())
        return AwsError{"AccessDenied", "There were headers present in the request which were not signed", 403};
    }
  }

  const std::string creq = canonical_request(req, names, payload_hash, s3, presigned);
  const std::string scope = a.scope();
  const std::string sts = string_to_sign(amz, scope, creq);
  const std::string key = signing_key(creds->secret_access_key, a.date, a.region, a.service);
  const std::string expected = signature(key, sts);
  if (constant_time_equals(expected, a.signature)) return std::nullopt;
  if (s3) return AwsError{"SignatureDoesNotMatch", std::string(kMismatchS3), 403};
  return mismatch(d, std::string(kMismatch) + "\n\nThe Canonical String for this request should have been\n'" + creq +
                         "'\n\nThe String-to-Sign should have been\n'" + sts + "'\n");
}

http::ChunkSigningContext chunk_signing_context(const Auth& a, std::string_view secret) {
  http::ChunkSigningContext ctx;
  ctx.signing_key = signing_key(secret, a.date, a.region, a.service);
  if (auto t = a.request_time()) ctx.amz_date = a.amz_date.empty() ? timefmt::amz_date(*t) : std::string(a.amz_date);
  ctx.scope = a.scope();
  ctx.seed_signature = std::string(a.signature);
  return ctx;
}

std::optional<AwsError> check_payload_hash(const http::Request& req) {
  const std::string* v = req.headers.find("x-amz-content-sha256");
  if (!v) return std::nullopt;
  std::string_view claimed = trim(*v);
  if (claimed.size() != 64 || !std::all_of(claimed.begin(), claimed.end(), [](char c) { return hex_value(c) >= 0; }))
    return std::nullopt;
  if (lower(claimed) == crypto::sha256_hex(req.body)) return std::nullopt;
  return AwsError{"XAmzContentSHA256Mismatch",
                  "The provided 'x-amz-content-sha256' header does not match what was computed.", 400};
}

// ---------------------------------------------------------------- signing

namespace {

bool skipped_when_signing(std::string_view lname) {
  static constexpr std::string_view kSkip[] = {"authorization", "user-agent",     "expect",           "x-amzn-trace-id",
                                               "content-length", "connection", "transfer-encoding"};
  for (auto s : kSkip)
    if (lname == s) return true;
  return false;
}

void split_target(http::Request& req) {
  if (req.path.empty() && !req.target.empty()) {
    size_t q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos) req.query = req.target.substr(q + 1);
  }
}

}  // namespace

std::string sign(http::Request& req, const SignParams& p) {
  split_target(req);
  const std::string amz = timefmt::amz_date(p.time);
  const std::string date = amz.substr(0, 8);
  req.headers.remove("authorization");
  req.headers.set("X-Amz-Date", amz);
  if (!p.session_token.empty()) req.headers.set("X-Amz-Security-Token", p.session_token);
  const std::string payload = p.payload_hash.empty() ? crypto::sha256_hex(req.body) : p.payload_hash;
  if (p.s3 || p.content_sha256_header) req.headers.set("x-amz-content-sha256", payload);

  std::vector<std::string> names;
  for (const http::Header& h : req.headers.items()) {
    std::string l = lower(h.name);
    if (skipped_when_signing(l)) continue;
    if (std::find(names.begin(), names.end(), l) == names.end()) names.push_back(std::move(l));
  }
  std::sort(names.begin(), names.end());
  const std::string scope = date + "/" + p.region + "/" + p.service + "/" + std::string(kTerminator);
  const std::string creq = canonical_request(req, names, payload, p.s3, false);
  const std::string sig = signature(signing_key(p.secret_key, date, p.region, p.service), string_to_sign(amz, scope, creq));
  std::string signed_list;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) signed_list += ';';
    signed_list += names[i];
  }
  req.headers.add("Authorization", std::string(kAlgorithm) + " Credential=" + p.access_key + "/" + scope +
                                       ", SignedHeaders=" + signed_list + ", Signature=" + sig);
  return sig;
}

std::string presign(http::Request& req, const SignParams& p, int64_t expires_seconds) {
  split_target(req);
  const std::string amz = timefmt::amz_date(p.time);
  const std::string date = amz.substr(0, 8);
  const std::string scope = date + "/" + p.region + "/" + p.service + "/" + std::string(kTerminator);
  std::string q = req.query;
  auto add = [&](std::string_view k, std::string_view v) {
    if (!q.empty()) q += '&';
    q.append(k).append("=").append(uri_encode(v));
  };
  add("X-Amz-Algorithm", kAlgorithm);
  add("X-Amz-Credential", p.access_key + "/" + scope);
  add("X-Amz-Date", amz);
  add("X-Amz-Expires", std::to_string(expires_seconds));
  add("X-Amz-SignedHeaders", "host");
  if (!p.session_token.empty()) add("X-Amz-Security-Token", p.session_token);
  req.query = q;
  const std::string payload =
      !p.payload_hash.empty() ? p.payload_hash : (p.s3 ? std::string(kUnsignedPayload) : crypto::sha256_hex(req.body));
  const std::string creq = canonical_request(req, {"host"}, payload, p.s3, true);
  const std::string sig = signature(signing_key(p.secret_key, date, p.region, p.service), string_to_sign(amz, scope, creq));
  add("X-Amz-Signature", sig);
  req.query = q;
  req.target = req.path + "?" + q;
  return sig;
}

}  // namespace awan::sigv4
