// SigV4 parsing: every malformed Authorization header and presigned query string, each with
// the exact error AWS returns.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "gateway/sigv4.hpp"
#include "gateway/sigv4_test_support.hpp"

namespace awan::sigv4 {
namespace {

using namespace testing_support;

// ---------------------------------------------------------------- parse: every malformed case

Auth parse_header(std::string value, bool with_date = true) {
  http::Request r = suite_request("GET", "/");
  if (with_date) r.headers.add("X-Amz-Date", kSuiteDate);
  r.headers.add("Authorization", std::move(value));
  // parse() returns views into the request: keep it alive for the caller.
  static std::vector<std::unique_ptr<http::Request>> keep;
  keep.push_back(std::make_unique<http::Request>(std::move(r)));
  return parse(*keep.back());
}

TEST(SigV4Parse, WellFormedHeader) {
  Auth a = parse_header(authorization("host;x-amz-date", kVanillaSig, "20150830/eu-west-2/sqs/aws4_request"));
  EXPECT_EQ(a.kind, AuthKind::Header);
  EXPECT_TRUE(a.ok());
  EXPECT_EQ(a.access_key, "AKIDEXAMPLE");
  EXPECT_EQ(a.date, "20150830");
  EXPECT_EQ(a.region, "eu-west-2");
  EXPECT_EQ(a.service, "sqs");
  EXPECT_EQ(a.signature, kVanillaSig);
  EXPECT_EQ(a.signed_headers, "host;x-amz-date");
  EXPECT_EQ(a.amz_date, kSuiteDate);
  EXPECT_EQ(a.scope(), "20150830/eu-west-2/sqs/aws4_request");
  EXPECT_FALSE(parse_error(a, Dialect::Query).has_value());
  // Components without spaces after the commas are accepted too.
  Auth b = parse_header("AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=ab");
  EXPECT_TRUE(b.ok());
  EXPECT_EQ(b.access_key, "AK");
  EXPECT_EQ(b.signature, "ab");
}

TEST(SigV4Parse, NoAuthentication) {
  http::Request r = suite_request("GET", "/", "a=b");
  Auth a = parse(r);
  EXPECT_EQ(a.kind, AuthKind::None);
  EXPECT_FALSE(parse_error(a, Dialect::S3).has_value());  // anonymous S3 request
  auto e = parse_error(a, Dialect::Query);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "MissingAuthenticationToken");
  EXPECT_EQ(e->message, "Request is missing Authentication Token");
  EXPECT_EQ(e->http_status, 403);
  e = parse_error(a, Dialect::Json);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "MissingAuthenticationTokenException");
  EXPECT_EQ(e->http_status, 400);
}

TEST(SigV4Parse, MissingComponents) {
  Auth a = parse_header("AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abc");
  EXPECT_EQ(a.problem, Problem::MissingParts);
  auto e = parse_error(a, Dialect::Query);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "IncompleteSignature");
  EXPECT_EQ(e->http_status, 400);
  EXPECT_EQ(e->message, "Authorization header requires 'Credential' parameter. Authorization=AWS4-HMAC-SHA256 "
                        "SignedHeaders=host;x-amz-date, Signature=abc");
  e = parse_error(a, Dialect::Json);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "IncompleteSignatureException");
  e = parse_error(a, Dialect::S3);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "AuthorizationHeaderMalformed");
  EXPECT_EQ(e->message, "The authorization header is malformed; the authorization header requires three components: "
                        "Credential, SignedHeaders, and Signature.");
  EXPECT_EQ(e->http_status, 400);

  Auth all = parse_header("AWS4-HMAC-SHA256", false);
  e = parse_error(all, Dialect::Query);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' "
            "parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires "
            "existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256");

  // Credential given but no date at all: the access key and region are still learnt.
  Auth nodate = parse_header(authorization("host", "ab", "20150830/ap-south-1/sqs/aws4_request"), false);
  EXPECT_EQ(nodate.problem, Problem::MissingParts);
  EXPECT_EQ(nodate.access_key, "AKIDEXAMPLE");
  EXPECT_EQ(nodate.region, "ap-south-1");
  e = parse_error(nodate, Dialect::S3);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "AccessDenied");
  EXPECT_EQ(e->message, "AWS authentication requires a valid Date or x-amz-date header");
  EXPECT_EQ(e->http_status, 403);
}

TEST(SigV4Parse, ComponentWithoutEquals) {
  Auth a = parse_header("AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=abc");
  EXPECT_EQ(a.problem, Problem::MissingEquals);
  auto e = parse_error(a, Dialect::Query);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "IncompleteSignature");
  EXPECT_EQ(e->message, "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: "
                        "'AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=abc'.");
  e = parse_error(a, Dialect::S3);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "AuthorizationHeaderMalformed");
  EXPECT_EQ(e->message, "The authorization header is malformed; the authorization component \"Credential\" is malformed.");
}

TEST(SigV4Parse, MalformedCredential) {
  Auth a = parse_header(authorization("host;x-amz-date", "ab", "20150830/us-east-1/service"));
  EXPECT_EQ(a.problem, Problem::BadCredential);
  auto e = parse_error(a, Dialect::Query);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "IncompleteSignature");
  EXPECT_EQ(e->message, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
                        "got 'AKIDEXAMPLE/20150830/us-east-1/service'");
  e = parse_error(a, Dialect::S3);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "AuthorizationHeaderMalformed");
  EXPECT_EQ(e->message, "The authorization header is malformed; the Credential is mal-formed; expecting "
                        "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
  Auth six = parse_header(authorization("host", "ab", "20150830/us-east-1/service/aws4_request/extra"));
  EXPECT_EQ(six.problem, Problem::BadCredential);
}

TEST(SigV4Parse, MalformedCredentialDate) {
  Auth a = parse_header(authorization("host;x-amz-date", "ab", "2015083/us-east-1/service/aws4_request"));
  EXPECT_EQ(a.problem, Problem::BadCredentialDate);
  auto e = parse_error(a, Dialect::Query);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "IncompleteSignature");
  EXPECT_EQ(e->message, "Date must be in ISO-8601 'basic format'. Got '2015083'. See http://en.wikipedia.org/wiki/ISO_8601");
  e = parse_error(a, Dialect::S3);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "The authorization header is malformed; incorrect date format \"2015083\". This date in the "
                        "credential must be in the format \"yyyyMMdd\".");
}

TEST(SigV4Parse, BadTerminator) {
  Auth a = parse_header(authorization("host;x-amz-date", "ab", "20150830/us-east-1/service/aws5_request"));
  EXPECT_EQ(a.problem, Problem::BadTerminator);
  auto e = parse_error(a, Dialect::Query);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");
  EXPECT_EQ(e->message, "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ");
  e = parse_error(a, Dialect::S3);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "AuthorizationHeaderMalformed");
  EXPECT_EQ(e->message, "The authorization header is malformed; incorrect terminal \"aws5_request\". This endpoint "
                        "uses \"aws4_request\".");
}

TEST(SigV4Parse, BadXAmzDate) {
  http::Request r = suite_request("GET", "/", "", {{"X-Amz-Date", "2015-08-30T12:36:00Z"}});
  r.headers.add("Authorization", authorization("host;x-amz-date", "ab"));
  Auth a = parse(r);
  EXPECT_EQ(a.problem, Problem::BadAmzDate);
  auto e = parse_error(a, Dialect::Query);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "IncompleteSignature");
  EXPECT_EQ(e->message,
            "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See http://en.wikipedia.org/wiki/ISO_8601");
  e = parse_error(a, Dialect::S3);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "AccessDenied");
}

TEST(SigV4Parse, OtherSchemes) {
  Auth bearer = parse_header("Bearer abc.def");
  EXPECT_EQ(bearer.kind, AuthKind::Other);
  auto e = parse_error(bearer, Dialect::Query);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "IncompleteSignature");
  EXPECT_EQ(e->message, "'abc.def' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc.def'.");
  e = parse_error(bearer, Dialect::S3);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "InvalidArgument");
  EXPECT_EQ(e->message, "Unsupported Authorization Type");

  Auth sha512 = parse_header("AWS4-HMAC-SHA512 Credential=a/b/c/d/e");
  EXPECT_EQ(sha512.kind, AuthKind::Other);

  Auth v2 = parse_header("AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=");
  EXPECT_EQ(v2.kind, AuthKind::SigV2);
  EXPECT_EQ(v2.access_key, "AKIAIOSFODNN7EXAMPLE");
  // SigV2 is never verified: refused in every dialect, as SigV4-only endpoints refuse it.
  e = parse_error(v2, Dialect::S3);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "InvalidRequest");
  EXPECT_EQ(e->message, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
  EXPECT_EQ(e->http_status, 400);
  e = parse_error(v2, Dialect::Query);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "IncompleteSignature");
  EXPECT_EQ(e->message,
            "'AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=' not a valid key=value pair (missing equal-sign) in "
            "Authorization header: 'AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg='.");
  e = parse_error(v2, Dialect::Json);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "IncompleteSignatureException");
}

TEST(SigV4Parse, SigV2QueryIsRefused) {
  static http::Request req =
      make("GET", "/b/k", "AWSAccessKeyId=AKID&Signature=abc%3D&Expires=1700000000", {{"Host", "localhost"}});
  Auth v2 = parse(req);
  EXPECT_EQ(v2.kind, AuthKind::SigV2);
  EXPECT_EQ(v2.access_key, "AKID");
  auto e = parse_error(v2, Dialect::S3);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "InvalidRequest");
  e = parse_error(v2, Dialect::Query);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "IncompleteSignature");
  EXPECT_EQ(e->message, "The request signature does not conform to AWS standards.");
  e = parse_error(v2, Dialect::Json);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "MissingAuthenticationTokenException");
}

// ---------------------------------------------------------------- presigned malformed cases

Auth parse_query(std::string query) {
  static std::vector<std::unique_ptr<http::Request>> keep;
  keep.push_back(std::make_unique<http::Request>(make("GET", "/k", std::move(query), {{"Host", "b.s3.amazonaws.com"}})));
  return parse(*keep.back());
}

const std::string kGoodQuery =
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20130524T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=abc";

TEST(SigV4Presigned, MissingParameters) {
  Auth a = parse_query(kGoodQuery);  // no X-Amz-Expires
  EXPECT_EQ(a.kind, AuthKind::Presigned);
  EXPECT_EQ(a.problem, Problem::PresignMissingParams);
  EXPECT_EQ(a.access_key, "AKIAIOSFODNN7EXAMPLE");
  auto e = parse_error(a, Dialect::S3);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "AuthorizationQueryParametersError");
  EXPECT_EQ(e->http_status, 400);
  EXPECT_EQ(e->message, "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                        "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
  Auth b = parse_query("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=10");
  e = parse_error(b, Dialect::Query);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "IncompleteSignature");
  EXPECT_EQ(e->message, "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must "
                        "include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS "
                        "query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.");
}

TEST(SigV4Presigned, BadValues) {
  auto code_msg = [](const std::string& q) {
    auto e = parse_error(parse_query(q), Dialect::S3);
    return e ? e->code + ": " + e->message : std::string("none");
  };
  EXPECT_EQ(code_msg(kGoodQuery + "&X-Amz-Expires=86400"), "none");
  EXPECT_EQ(code_msg(kGoodQuery + "&X-Amz-Expires=abc"),
            "AuthorizationQueryParametersError: X-Amz-Expires should be a number");
  EXPECT_EQ(code_msg(kGoodQuery + "&X-Amz-Expires=-5"),
            "AuthorizationQueryParametersError: X-Amz-Expires must be non-negative");
  EXPECT_EQ(code_msg(kGoodQuery + "&X-Amz-Expires=604801"),
            "AuthorizationQueryParametersError: X-Amz-Expires must be less than a week (in seconds); that is, the "
            "given X-Amz-Expires must be less than 604800 seconds");
  EXPECT_EQ(code_msg(kGoodQuery + "&X-Amz-Expires=604800"), "none");
  std::string bad_algo = kGoodQuery + "&X-Amz-Expires=60";
  bad_algo.replace(bad_algo.find("SHA256"), 6, "SHA512");
  EXPECT_EQ(code_msg(bad_algo), "AuthorizationQueryParametersError: X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  auto q = parse_error(parse_query(bad_algo), Dialect::Query);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->code, "IncompleteSignature");
  EXPECT_EQ(q->message, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'");
  std::string bad_cred = kGoodQuery + "&X-Amz-Expires=60";
  bad_cred.replace(bad_cred.find("%2Faws4_request"), 15, "");
  EXPECT_EQ(code_msg(bad_cred),
            "AuthorizationQueryParametersError: Error parsing the X-Amz-Credential parameter; the Credential is "
            "mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
  std::string bad_date = kGoodQuery + "&X-Amz-Expires=60";
  bad_date.replace(bad_date.find("20130524T000000Z"), 16, "2013-05-24");
  EXPECT_EQ(code_msg(bad_date),
            "AuthorizationQueryParametersError: X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  std::string bad_term = kGoodQuery + "&X-Amz-Expires=60";
  bad_term.replace(bad_term.find("aws4_request"), 12, "aws4_reqest");
  EXPECT_EQ(code_msg(bad_term),
            "AuthorizationQueryParametersError: Error parsing the X-Amz-Credential parameter; incorrect terminal "
            "\"aws4_reqest\". This endpoint uses \"aws4_request\".");
}

TEST(SigV4Presigned, CredentialDateMismatch) {
  http::Request r = make("GET", "/test.txt", "", {{"Host", "examplebucket.s3.amazonaws.com"}});
  presign(r, s3_params(), 3600);
  r.query.replace(r.query.find("X-Amz-Date=20130524"), 19, "X-Amz-Date=20130525");
  ManualClock clock(at("20130525T000000Z"));
  auto e = verify(r, parse(r), Credentials{kS3Secret, "", std::nullopt}, s3_opts(clock));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "AuthorizationQueryParametersError");
  EXPECT_EQ(e->message, "Invalid credential date \"20130524\". This date is not the same as X-Amz-Date: \"20130525\".");
}

TEST(SigV4Presigned, NonS3PresignWithSessionToken) {
  // e.g. an STS GetCallerIdentity presigned URL.
  http::Request r = make("GET", "/", "Action=GetCallerIdentity&Version=2011-06-15", {{"Host", "sts.amazonaws.com"}});
  SignParams p = suite_params();
  p.service = "sts";
  p.session_token = "tok/en+=";
  presign(r, p, 900);
  Auth a = parse(r);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.session_token(), "tok/en+=");
  ManualClock clock(at(kSuiteDate) + std::chrono::minutes(10));
  VerifyOptions o;
  o.clock = &clock;
  o.expected_service = "sts";
  EXPECT_FALSE(verify(r, a, Credentials{kSecret, "tok/en+=", std::nullopt}, o).has_value());
  clock.advance(std::chrono::minutes(6));
  auto e = verify(r, a, Credentials{kSecret, "tok/en+=", std::nullopt}, o);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");
  EXPECT_EQ(e->message.rfind("Signature expired: 20150830T125100Z is now earlier than 20150830T125200Z", 0), 0u);
}

// Requests as botocore signs them (recorded from the installed SDK): Lambda's ARN path is sent
// encoded once and signed encoded twice; an S3 key with space, '+' and UTF-8 is signed as sent;
}  // namespace
}  // namespace awan::sigv4
