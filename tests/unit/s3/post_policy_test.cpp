// POST Object: the SigV4 fields and signature (AWS's documented example), the SigV2 ones, the policy document's
// parse errors, its evaluation against the form, and the success answers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "core/timefmt.hpp"
#include "s3/post_policy.hpp"

using namespace awan::s3;
using nlohmann::json;

namespace {

// The policy of AWS's "Example: Browser-Based Upload using HTTP POST (Using AWS Signature
// Version 4)" page, and the signature the page gives for it.
const char* kAwsExamplePolicy =
    "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2"
    "NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMt"
    "cmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29t"
    "L3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4"
    "LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0s"
    "DQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZP"
    "RE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1B"
    "Qy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";
const char* kAwsExampleSignature = "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e";
const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

time_point at(const char* iso) { return *awan::timefmt::parse_iso8601(iso); }

PostForm form(std::vector<std::pair<std::string, std::string>> fields, std::optional<std::string> filename = "f.jpg") {
  PostForm f;
  for (auto& [n, v] : fields) {
    std::string lower = n;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    f.fields.push_back({lower, v, n});
  }
  f.file.filename = std::move(filename);
  return f;
}

// The example page's form, with its fields as the page spells them.
PostForm aws_example_form() {
  return form({{"key", "user/user1/${filename}"},
               {"acl", "public-read"},
               {"success_action_redirect", "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html"},
               {"Content-Type", "image/jpeg"},
               {"x-amz-meta-uuid", "14365123651274"},
               {"x-amz-server-side-encryption", "AES256"},
               {"X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},
               {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
               {"X-Amz-Date", "20151229T000000Z"},
               {"x-amz-meta-tag", ""},
               {"Policy", kAwsExamplePolicy},
               {"X-Amz-Signature", kAwsExampleSignature}});
}

std::string b64(const std::string& s) { return awan::crypto::base64_encode(s); }

std::string parse_message(const std::string& policy_json) {
  PostPolicy p;
  auto err = parse_post_policy(b64(policy_json), p);
  return err ? err->code + ": " + err->message : "ok";
}

std::string policy_with(const std::string& conditions) {
  return R"({"expiration": "2030-01-01T00:00:00Z", "conditions": [)" + conditions + "]}";
}

std::optional<awan::AwsError> evaluate(const std::string& conditions, const PostForm& f, uint64_t size = 5,
                                       const char* now = "2029-01-01T00:00:00Z") {
  PostPolicy p;
  auto err = parse_post_policy(b64(policy_with(conditions)), p);
  EXPECT_FALSE(err) << (err ? err->message : "");
  return evaluate_post_policy(p, f, "photos", size, at(now));
}

std::string eval_message(const std::string& conditions, const PostForm& f, uint64_t size = 5) {
  auto err = evaluate(conditions, f, size);
  return err ? err->code + ": " + err->message : "ok";
}

}  // namespace

TEST(PostSignature, AwsDocumentationExample) {
  EXPECT_EQ(post_policy_signature(kSecret, "20151229", "us-east-1", "s3", kAwsExamplePolicy), kAwsExampleSignature);
  PostSigV4 sig;
  ASSERT_FALSE(read_post_sigv4(aws_example_form(), sig));
  EXPECT_EQ(sig.access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(sig.region, "us-east-1");
  EXPECT_FALSE(verify_post_sigv4(sig, kSecret, "us-east-1"));
}

TEST(PostSignature, AwsExamplePolicyEvaluates) {
  PostPolicy p;
  ASSERT_FALSE(parse_post_policy(kAwsExamplePolicy, p));
  EXPECT_EQ(p.conditions.size(), 11u);
  EXPECT_FALSE(evaluate_post_policy(p, aws_example_form(), "sigv4examplebucket", 10, at("2015-12-29T10:00:00Z")));
  auto err = evaluate_post_policy(p, aws_example_form(), "sigv4examplebucket", 10, at("2015-12-30T12:00:01Z"));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "Invalid according to Policy: Policy expired.");
  EXPECT_EQ(err->http_status, 403);
}

TEST(PostSignature, MismatchCarriesTheStringToSign) {
  PostSigV4 sig;
  auto f = aws_example_form();
  f.fields.back().value = std::string(64, '0');
  ASSERT_FALSE(read_post_sigv4(f, sig));
  auto err = verify_post_sigv4(sig, kSecret, "us-east-1");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, "SignatureDoesNotMatch");
  EXPECT_EQ(err->http_status, 403);
  EXPECT_EQ((*err->details)["StringToSign"], kAwsExamplePolicy);
  EXPECT_EQ((*err->details)["AWSAccessKeyId"], "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ((*err->details)["StringToSignBytes"].get<std::string>().substr(0, 8), "65 79 41");
}

TEST(PostSignature, WrongRegion) {
  PostSigV4 sig;
  ASSERT_FALSE(read_post_sigv4(aws_example_form(), sig));
  auto err = verify_post_sigv4(sig, kSecret, "us-west-1");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "the region 'us-east-1' is wrong; expecting 'us-west-1'");
  EXPECT_EQ((*err->details)["Region"], "us-west-1");
}

TEST(PostSignature, MissingFieldsInOrder) {
  auto without = [](std::initializer_list<const char*> drop) {
    PostForm f = aws_example_form();
    for (const char* d : drop) {
      std::erase_if(f.fields, [&](const FormField& x) { return x.name == d; });
    }
    PostSigV4 sig;
    auto err = read_post_sigv4(f, sig);
    return err ? err->message : "ok";
  };
  EXPECT_EQ(without({"x-amz-algorithm", "x-amz-credential"}),
            "Bucket POST must contain a field named 'X-Amz-Algorithm'.  If it is specified, please check the order "
            "of the fields.");
  EXPECT_EQ(without({"x-amz-credential"}).substr(0, 60), "Bucket POST must contain a field named 'X-Amz-Credential'.  ");
  EXPECT_NE(without({"x-amz-signature"}).find("'X-Amz-Signature'"), std::string::npos);
  EXPECT_NE(without({"policy"}).find("'Policy'"), std::string::npos);
  EXPECT_EQ(without({}), "ok");
}

TEST(PostSignature, MalformedCredentialDateAlgorithm) {
  auto with = [](const char* name, const char* value) {
    PostForm f = aws_example_form();
    for (auto& x : f.fields) {
      if (x.name == name) x.value = value;
    }
    PostSigV4 sig;
    auto err = read_post_sigv4(f, sig);
    return err ? err->code + ": " + err->message : "ok";
  };
  EXPECT_EQ(with("x-amz-credential", "AKID/2015/us-east-1/s3/aws4_request"),
            "InvalidArgument: the Credential is mal-formed; expecting "
            "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
  EXPECT_EQ(with("x-amz-credential", "AKID/20151229/us-east-1/s3"), with("x-amz-credential", "a/b"));
  EXPECT_EQ(with("x-amz-credential", "/20151229/us-east-1/s3/aws4_request"),
            "InvalidArgument: a non-empty Access Key (AKID) must be provided in the credential.");
  EXPECT_EQ(with("x-amz-date", "2015-12-29"), "InvalidArgument: X-Amz-Date must be formated via ISO8601 Long format");
  EXPECT_EQ(with("x-amz-algorithm", "AWS4-HMAC-SHA1").substr(0, 15), "InvalidArgument");
}

TEST(PostSignature, AnonymousAndSigV2Forms) {
  EXPECT_FALSE(has_post_authentication(form({{"key", "k"}, {"acl", "public-read"}})));
  EXPECT_TRUE(has_post_authentication(form({{"key", "k"}, {"Policy", "x"}})));
  PostSigV4 sig;
  auto err = read_post_sigv4(form({{"key", "k"}, {"AWSAccessKeyId", "AKID"}, {"policy", "p"}, {"signature", "s"}}), sig);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, "InvalidRequest");
}

// A policy and its SigV2 signature, computed independently (Python's hmac and base64).
const char* kV2Policy = "eyJleHBpcmF0aW9uIjogIjIwMzAtMDEtMDFUMDA6MDA6MDBaIiwgImNvbmRpdGlvbnMiOiBbeyJidWNrZXQiOiAiYiJ9XX0=";
const char* kV2Signature = "gXIBTrPeDkMakegS0Nl0IaRFsxA=";

TEST(PostSignatureV2, SignatureIsBase64HmacSha1OfThePolicy) {
  EXPECT_EQ(post_policy_signature_v2(kSecret, kV2Policy), kV2Signature);
  PostSigV2 sig;
  ASSERT_FALSE(read_post_sigv2(form({{"key", "k"}, {"AWSAccessKeyId", "AKIDEXAMPLE"}, {"Policy", kV2Policy},
                                     {"Signature", kV2Signature}}),
                               "us-east-1", sig));
  EXPECT_EQ(sig.access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(sig.policy, kV2Policy);
  EXPECT_FALSE(verify_post_sigv2(sig, kSecret));
  PostPolicy policy;
  ASSERT_FALSE(parse_post_policy(sig.policy, policy));
  EXPECT_FALSE(evaluate_post_policy(policy, form({}), "b", 1, at("2029-01-01T00:00:00Z")));  // {"bucket": "b"}
  EXPECT_TRUE(evaluate_post_policy(policy, form({}), "c", 1, at("2029-01-01T00:00:00Z")));
}

TEST(PostSignatureV2, MismatchCarriesTheStringToSign) {
  PostSigV2 sig{"AKIDEXAMPLE", kV2Policy, kV2Signature};
  auto err = verify_post_sigv2(sig, "another secret");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, "SignatureDoesNotMatch");
  EXPECT_EQ(err->http_status, 403);
  ASSERT_TRUE(err->details);
  EXPECT_EQ((*err->details)["StringToSign"], kV2Policy);
  EXPECT_EQ((*err->details)["SignatureProvided"], kV2Signature);
  EXPECT_EQ((*err->details)["AWSAccessKeyId"], "AKIDEXAMPLE");
  for (const char* forged : {"", "gXIBTrPeDkMakegS0Nl0IaRFsxB=", "gXIBTrPeDkMakegS0Nl0IaRFsxA", "not base64 at all",
                             "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"}) {
    sig.signature = forged;
    EXPECT_TRUE(verify_post_sigv2(sig, kSecret)) << forged;
  }
  sig.signature = kV2Signature;
  sig.policy = std::string(kV2Policy) + " ";
  EXPECT_TRUE(verify_post_sigv2(sig, kSecret));  // the policy is signed as sent
}

TEST(PostSignatureV2, MissingFieldsInOrder) {
  auto message = [](std::vector<std::pair<std::string, std::string>> fields, const char* region = "us-east-1") {
    PostSigV2 sig;
    auto err = read_post_sigv2(form(std::move(fields)), region, sig);
    return err ? err->code + ": " + err->message : std::string("ok");
  };
  auto missing = [](const char* name) {
    return std::string("InvalidArgument: Bucket POST must contain a field named '") + name +
           "'.  If it is specified, please check the order of the fields.";
  };
  EXPECT_EQ(message({{"signature", "s"}, {"policy", "p"}}), missing("AWSAccessKeyId"));
  EXPECT_EQ(message({{"AWSAccessKeyId", "A"}, {"signature", "s"}}), missing("policy"));
  EXPECT_EQ(message({{"AWSAccessKeyId", "A"}, {"policy", "p"}}), missing("Signature"));
  EXPECT_EQ(message({{"AWSAccessKeyId", ""}, {"policy", "p"}, {"signature", "s"}}), missing("AWSAccessKeyId"));
  EXPECT_EQ(message({{"AWSAccessKeyId", "A"}, {"policy", ""}, {"signature", "s"}}), missing("policy"));
  EXPECT_EQ(message({{"AWSAccessKeyId", "A"}, {"policy", "p"}, {"signature", ""}}), missing("Signature"));
  EXPECT_EQ(message({{"AWSAccessKeyId", "A"}, {"policy", "p"}, {"signature", "s"}}), "ok");
  // Regions opened since 2014 take SigV4 only.
  const std::string v4_only =
      "InvalidRequest: The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.";
  EXPECT_EQ(message({{"AWSAccessKeyId", "A"}, {"policy", "p"}, {"signature", "s"}}, "eu-central-1"), v4_only);
  EXPECT_EQ(message({{"AWSAccessKeyId", "A"}, {"policy", "p"}, {"signature", "s"}}, "eu-west-1"), "ok");
  EXPECT_EQ(message({}, "ap-south-1"), v4_only);
}

TEST(PostSignatureV2, WhichFormsAreSigV2) {
  EXPECT_TRUE(is_post_sigv2(form({{"AWSAccessKeyId", "A"}})));
  EXPECT_TRUE(is_post_sigv2(form({{"Signature", "s"}, {"policy", "p"}})));
  EXPECT_FALSE(is_post_sigv2(form({{"policy", "p"}})));
  EXPECT_FALSE(is_post_sigv2(form({{"AWSAccessKeyId", "A"}, {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"}})));
  EXPECT_FALSE(is_post_sigv2(form({{"key", "k"}})));
  EXPECT_TRUE(region_takes_sigv2("us-east-1"));
  EXPECT_TRUE(region_takes_sigv2("sa-east-1"));
  EXPECT_FALSE(region_takes_sigv2("us-east-2"));
  EXPECT_FALSE(region_takes_sigv2(""));
}

TEST(PostPolicyParse, DocumentErrors) {
  const std::string bad = "InvalidPolicyDocument: Invalid Policy: ";
  EXPECT_EQ(parse_message("not json"), bad + "Invalid JSON.");
  EXPECT_EQ(parse_message("[]"), bad + "Invalid JSON.");
  EXPECT_EQ(parse_message(std::string(100, '[') + std::string(100, ']')), bad + "Invalid JSON.");
  EXPECT_EQ(parse_message(R"({"conditions": []})"), bad + "Policy missing expiration.");
  EXPECT_EQ(parse_message(R"({"expiration": "2030-01-01T00:00:00Z"})"), bad + "Policy missing conditions.");
  EXPECT_EQ(parse_message(R"({"expiration": "2030-01-01T00:00:00Z", "conditions": null})"),
            bad + "Policy missing conditions.");
  EXPECT_EQ(parse_message(R"({"expiration": "2030-01-01T00:00:00Z", "conditions": {}})"),
            bad + "Invalid 'conditions' value: must be a List.");
  EXPECT_EQ(parse_message(R"({"Version": "2012-10-17", "Statement": []})"), bad + "Unexpected: 'statement'");
  EXPECT_EQ(parse_message(R"({"expiration": "2011-09-13T07:52:58+02:00", "conditions": []})"),
            bad + "Invalid 'expiration' value: '2011-09-13T07:52:58+02:00'");
  EXPECT_EQ(parse_message(R"({"expiration": "2015-10-17 03:15:59 UTC", "conditions": []})"),
            bad + "Invalid 'expiration' value: '2015-10-17 03:15:59 UTC'");
  EXPECT_EQ(parse_message(R"({"expiration": 5, "conditions": []})"), bad + "Invalid 'expiration' value: '5'");
  EXPECT_EQ(parse_message(R"({"expiration": "2030-01-01T00:00:00.123Z", "conditions": []})"), "ok");
  PostPolicy p;
  EXPECT_EQ(parse_post_policy("%%%", p)->message, "Invalid Policy: Invalid JSON.");
  // line breaks inside the base64 text are tolerated
  std::string wrapped = b64(policy_with(""));
  wrapped.insert(10, "\r\n");
  EXPECT_FALSE(parse_post_policy(wrapped, p));
}

TEST(PostPolicyParse, ConditionErrors) {
  const std::string bad = "InvalidPolicyDocument: Invalid Policy: ";
  EXPECT_EQ(parse_message(policy_with(R"({"bucket": "b", "success_action_redirect": "r"})")),
            bad + "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.");
  EXPECT_EQ(parse_message(policy_with("{}")),
            bad + "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.");
  EXPECT_EQ(parse_message(policy_with(R"({"Content-Length": 6199034})")),
            bad + "Invalid Simple-Condition: value must be a string.");
  EXPECT_EQ(parse_message(policy_with(R"({"success_action_redirect": null})")), bad + "Invalid JSON.");
  EXPECT_EQ(parse_message(policy_with("[]")), bad + "Invalid Condition: missing operation identifier.");
  EXPECT_EQ(parse_message(policy_with(R"(["matches", "$key", "x"])")),
            bad + "Invalid Condition: unknown operation 'matches'.");
  EXPECT_EQ(parse_message(policy_with(R"(["eq", "$key"])")), bad + "Invalid eq: wrong number of arguments.");
  EXPECT_EQ(parse_message(policy_with(R"(["eq", "$key", 5])")), bad + "Invalid JSON.");
  EXPECT_EQ(parse_message(policy_with(R"(["content-length-range", 0, 512.0])")), bad + "Invalid JSON.");
  EXPECT_EQ(parse_message(policy_with("5")), bad + "Invalid condition test: must be a List or Object.");
  EXPECT_EQ(parse_message(policy_with(R"(["StArTs-WiTh", "$key", ""])")), "ok");
}

TEST(PostPolicyEvaluate, ConditionsPassAndFail) {
  PostForm f = form({{"key", "user/${filename}"}, {"Content-Type", "image/jpeg"}, {"x-amz-meta-foo", "bar"}});
  const std::string all =
      R"({"bucket": "photos"}, ["starts-with", "$key", "user/"], ["eq", "$key", "user/f.jpg"],)"
      R"( ["starts-with", "$Content-Type", "image/"], {"x-amz-meta-foo": "bar"})";
  EXPECT_EQ(eval_message(all, f), "ok");
  EXPECT_EQ(eval_message(R"({"bucket": "other"}, ["starts-with", "$key", ""], ["starts-with", "$content-type", ""],)"
                         R"( ["starts-with", "$x-amz-meta-foo", ""])",
                         f),
            "AccessDenied: Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bucket\", \"other\"]");
  EXPECT_EQ(eval_message(R"(["eq", "$key", "v"])", f),
            "AccessDenied: Invalid according to Policy: Policy Condition failed: [\"eq\", \"$key\", \"v\"]");
  // values are case-sensitive, a name without '$' fails, an absent field fails even with ""
  EXPECT_NE(eval_message(R"(["starts-with", "$key", "USER/"])", f), "ok");
  EXPECT_EQ(eval_message(R"(["eq", "key", "user/f.jpg"])", f),
            "AccessDenied: Invalid according to Policy: Policy Condition failed: [\"eq\", \"key\", \"user/f.jpg\"]");
  EXPECT_EQ(eval_message(R"(["starts-with", "$key", ""], ["starts-with", "$content-type", ""],)"
                         R"( ["starts-with", "$x-amz-meta-foo", ""], ["starts-with", "$acl", ""])",
                         f),
            "AccessDenied: Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$acl\", \"\"]");
  // quotes in values are escaped in the message, the policy's spelling is kept
  EXPECT_EQ(eval_message(R"(["eq", "$Content-Disposition", "filename=\"test.png\""])", f),
            "AccessDenied: Invalid according to Policy: Policy Condition failed: "
            "[\"eq\", \"$Content-Disposition\", \"filename=\\\"test.png\\\"\"]");
}

TEST(PostPolicyEvaluate, ContentTypeListsAndRepeatedFields) {
  const std::string rest = R"(["starts-with", "$key", ""])";
  EXPECT_EQ(eval_message(rest + R"(, ["starts-with", "$Content-Type", "image/"])",
                         form({{"key", "k"}, {"Content-Type", "image/jpg,image/png, image/gif"}})),
            "ok");
  EXPECT_NE(eval_message(rest + R"(, ["starts-with", "$Content-Type", "image/"])",
                         form({{"key", "k"}, {"Content-Type", "image/jpg,text/plain"}})),
            "ok");
  EXPECT_EQ(eval_message(rest + R"(, {"x-amz-meta-tag": "Ninja,Stallman"})",
                         form({{"key", "k"}, {"x-amz-meta-tag", "Ninja"}, {"X-Amz-Meta-Tag", "Stallman"}})),
            "ok");
}

TEST(PostPolicyEvaluate, ExtraInputFields) {
  PostForm f = form({{"key", "k"},
                     {"Policy", "p"},
                     {"X-Amz-Signature", "s"},
                     {"x-ignore-padding", "z"},
                     {"AWSAccessKeyId", "a"},
                     {"StorageClass", "STANDARD"}});
  EXPECT_EQ(eval_message(R"(["starts-with", "$key", ""])", f),
            "AccessDenied: Invalid according to Policy: Extra input fields: StorageClass");
  EXPECT_EQ(eval_message(R"(["starts-with", "$key", ""], ["eq", "$storageclass", "STANDARD"])", f), "ok");
}

TEST(PostPolicyEvaluate, ContentLengthRange) {
  PostForm f = form({{"key", "k"}});
  const std::string conds = R"(["starts-with", "$key", ""], ["content-length-range", 5, 10])";
  EXPECT_FALSE(evaluate(conds, f, 5));
  EXPECT_FALSE(evaluate(conds, f, 10));
  auto big = evaluate(conds, f, 12);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->code, "EntityTooLarge");
  EXPECT_EQ(big->message, "Your proposed upload exceeds the maximum allowed size");
  EXPECT_EQ((*big->details)["ProposedSize"], 12);
  EXPECT_EQ((*big->details)["MaxSizeAllowed"], 10);
  auto small = evaluate(conds, f, 1);
  ASSERT_TRUE(small);
  EXPECT_EQ(small->code, "EntityTooSmall");
  EXPECT_EQ(small->message, "Your proposed upload is smaller than the minimum allowed size");
  EXPECT_EQ((*small->details)["MinSizeAllowed"], 5);
  EXPECT_FALSE(evaluate(R"(["starts-with", "$key", ""], ["content-length-range", "5", "10"])", f, 7));
  EXPECT_EQ(eval_message(R"(["starts-with", "$key", ""], ["content-length-range", "test", "10"])", f),
            "AccessDenied: Invalid according to Policy: Policy Condition failed: "
            "[\"content-length-range\", \"test\", \"10\"]");
}

TEST(PostPolicyEvaluate, ExpiredComesFirst) {
  auto err = evaluate(R"(["eq", "$key", "nope"])", form({{"key", "k"}}), 5, "2031-01-01T00:00:00Z");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "Invalid according to Policy: Policy expired.");
}

TEST(PostAnswer, DefaultIs204WithEtagAndLocation) {
  auto a = post_success_answer(form({{"key", "a/b"}}), "photos", "a/b", "abc", "http://h/photos/a%2Fb");
  EXPECT_EQ(a.status, 204);
  EXPECT_TRUE(a.body.empty());
  ASSERT_EQ(a.headers.size(), 2u);
  EXPECT_EQ(a.headers[0], std::make_pair(std::string("ETag"), std::string("\"abc\"")));
  EXPECT_EQ(a.headers[1].second, "http://h/photos/a%2Fb");
  EXPECT_EQ(post_success_answer(form({{"success_action_status", "202"}}), "b", "k", "\"e\"", "u").status, 204);
  EXPECT_EQ(post_success_answer(form({{"success_action_status", "200"}}), "b", "k", "\"e\"", "u").status, 200);
}

TEST(PostAnswer, Status201Document) {
  auto a = post_success_answer(form({{"success_action_status", "201"}}), "foobar", "pr\xC3\xA9sident & co.jpg",
                               "\"14dd\"", "https://foobar.s3.amazonaws.com/pr%C3%A9sident%20%26%20co.jpg");
  EXPECT_EQ(a.status, 201);
  EXPECT_EQ(a.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Location>https://foobar.s3.amazonaws.com/"
            "pr%C3%A9sident%20%26%20co.jpg</Location><Bucket>foobar</Bucket><Key>pr\xC3\xA9sident &amp; co.jpg</Key>"
            "<ETag>\"14dd\"</ETag></PostResponse>");
  EXPECT_EQ(a.headers.back(), std::make_pair(std::string("Content-Type"), std::string("application/xml")));
}

TEST(PostAnswer, RedirectAppendsBucketKeyEtag) {
  auto a = post_success_answer(form({{"success_action_redirect", "https://app.test/done?md5=x"},
                                     {"success_action_status", "201"}}),
                               "omni", "8329/Untitled copy.sketch", "4737", "u");
  EXPECT_EQ(a.status, 303);
  EXPECT_TRUE(a.body.empty());
  EXPECT_EQ(a.headers[0].second,
            "https://app.test/done?md5=x&bucket=omni&key=8329%2FUntitled+copy.sketch&etag=%224737%22");
  auto b = post_success_answer(form({{"redirect", "http://app.test/done"}}), "b", "k", "e", "u");
  EXPECT_EQ(b.headers[0].second, "http://app.test/done?bucket=b&key=k&etag=%22e%22");
  // a URL S3 cannot interpret is ignored
  EXPECT_EQ(post_success_answer(form({{"success_action_redirect", "/wrong/redirect/relative"}}), "b", "k", "e", "u")
                .status,
            204);
}
