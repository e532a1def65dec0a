#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "helpers.hpp"
#include "protocol/codecs.hpp"

using namespace awan;
using namespace awan::protocol;
using namespace awan::protocol::test;
using nlohmann::json;

namespace {
const Codec& s3() { return *codec_for("s3"); }
const Codec& lambda() { return *codec_for("lambda"); }
std::string op_of(const Codec& c, http::Request r) {
  auto res = c.decode(r);
  if (auto* e = std::get_if<AwsError>(&res)) return "error:" + e->code;
  return std::get<Decoded>(res).operation;
}
}  // namespace

TEST(RestXmlRouting, PicksMostSpecificOperation) {
  EXPECT_EQ(op_of(s3(), make_request("GET", "/")), "ListBuckets");
  EXPECT_EQ(op_of(s3(), make_request("PUT", "/bucket")), "CreateBucket");
  EXPECT_EQ(op_of(s3(), make_request("GET", "/bucket")), "ListObjects");
  EXPECT_EQ(op_of(s3(), make_request("GET", "/bucket/")), "ListObjects");
  EXPECT_EQ(op_of(s3(), make_request("GET", "/bucket?list-type=2&prefix=a")), "ListObjectsV2");
  EXPECT_EQ(op_of(s3(), make_request("GET", "/bucket?location")), "GetBucketLocation");
  EXPECT_EQ(op_of(s3(), make_request("GET", "/bucket?tagging")), "GetBucketTagging");
  EXPECT_EQ(op_of(s3(), make_request("GET", "/bucket?lifecycle")), "GetBucketLifecycleConfiguration");
  EXPECT_EQ(op_of(s3(), make_request("GET", "/bucket?notification")), "GetBucketNotificationConfiguration");
  EXPECT_EQ(op_of(s3(), make_request("GET", "/bucket?uploads")), "ListMultipartUploads");
  EXPECT_EQ(op_of(s3(), make_request("DELETE", "/bucket")), "DeleteBucket");
  EXPECT_EQ(op_of(s3(), make_request("HEAD", "/bucket")), "HeadBucket");
  EXPECT_EQ(op_of(s3(), make_request("POST", "/bucket?delete")), "DeleteObjects");
  EXPECT_EQ(op_of(s3(), make_request("GET", "/bucket/a/b.txt")), "GetObject");
  EXPECT_EQ(op_of(s3(), make_request("HEAD", "/bucket/a/b.txt")), "HeadObject");
  EXPECT_EQ(op_of(s3(), make_request("PUT", "/bucket/key")), "PutObject");
  EXPECT_EQ(op_of(s3(), make_request("GET", "/bucket/key?tagging")), "GetObjectTagging");
  EXPECT_EQ(op_of(s3(), make_request("GET", "/bucket/key?uploadId=u1")), "ListParts");
  EXPECT_EQ(op_of(s3(), make_request("POST", "/bucket/key?uploads")), "CreateMultipartUpload");
  EXPECT_EQ(op_of(s3(), make_request("POST", "/bucket/key?uploadId=u1")), "CompleteMultipartUpload");
  EXPECT_EQ(op_of(s3(), make_request("PUT", "/bucket/key?partNumber=1&uploadId=u1")), "UploadPart");
  EXPECT_EQ(op_of(s3(), make_request("DELETE", "/bucket/key?uploadId=u1")), "AbortMultipartUpload");
  EXPECT_EQ(op_of(s3(), make_request("DELETE", "/bucket/key")), "DeleteObject");
  auto copy = make_request("PUT", "/bucket/key");
  copy.headers.add("x-amz-copy-source", "/src/k");
  EXPECT_EQ(op_of(s3(), copy), "CopyObject");
  auto part_copy = make_request("PUT", "/bucket/key?partNumber=2&uploadId=u1");
  part_copy.headers.add("x-amz-copy-source", "/src/k");
  EXPECT_EQ(op_of(s3(), part_copy), "UploadPartCopy");
  // JS SDK v3 adds x-id
  EXPECT_EQ(op_of(s3(), make_request("GET", "/bucket/key?x-id=GetObject")), "GetObject");
}

TEST(RestXmlRouting, NoMatchIsMethodNotAllowed) {
  auto res = s3().decode(make_request("PATCH", "/bucket"));
  AwsError e = err(res);
  EXPECT_EQ(e.code, "MethodNotAllowed");
  EXPECT_EQ(e.http_status, 405);
}

TEST(RestXmlCodec, PutObjectBindsHeadersAndMetadataAndLeavesTheStreamingBodyOut) {
  std::string body("binary\0data\xff", 12);
  auto r = make_request("PUT", "/my-bucket/dir/hello%20world.txt", body);
  r.headers.add("Content-Type", "text/plain");
  r.headers.add("Content-Length", "12");
  r.headers.add("x-amz-meta-Owner", "alice");
  r.headers.add("X-Amz-Meta-color", "red");
  r.headers.add("x-amz-tagging", "a=b");
  r.headers.add("x-amz-server-side-encryption", "AES256");
  auto res = s3().decode(r);
  const Decoded& d = ok(res);
  EXPECT_EQ(d.operation, "PutObject");
  const json& in = *d.input;
  EXPECT_EQ(in["Bucket"], "my-bucket");
  EXPECT_EQ(in["Key"], "dir/hello world.txt");
  // A streaming payload is handed over beside the document (RequestContext::payload).
  EXPECT_TRUE(d.streaming_payload);
  EXPECT_FALSE(in.contains("Body"));
  EXPECT_TRUE(s3().streams_payload(r));
  EXPECT_EQ(in["ContentType"], "text/plain");
  EXPECT_EQ(in["ContentLength"], 12);
  EXPECT_EQ(in["Metadata"], json({{"owner", "alice"}, {"color", "red"}}));
  EXPECT_EQ(in["Tagging"], "a=b");
  EXPECT_EQ(in["ServerSideEncryption"], "AES256");
}

// Header bytes that are not UTF-8 (obs-text) are read as ISO-8859-1, so that the document is
// always valid text (a json dump of raw bytes threw: metadata was answered as MalformedXML).
TEST(RestXmlCodec, HeaderBytesThatAreNotUtf8AreReadAsLatin1) {
  auto r = make_request("PUT", "/my-bucket/k", "x");
  r.headers.add("x-amz-meta-name", "caf\xe9");
  r.headers.add("x-amz-meta-utf8", "caf\xc3\xa9");
  r.headers.add("Content-Disposition", "attachment; filename=\"\xff.txt\"");
  auto res = s3().decode(r);
  const json& in = *ok(res).input;
  EXPECT_EQ(in["Metadata"], json({{"name", "caf\xc3\xa9"}, {"utf8", "caf\xc3\xa9"}}));
  EXPECT_EQ(in["ContentDisposition"], "attachment; filename=\"\xc3\xbf.txt\"");
  EXPECT_NO_THROW((void)in.dump());
}

TEST(RestXmlCodec, NonStreamingPayloadsStayInTheDocument) {
  auto r = make_request("PUT", "/my-bucket?policy", "{\"Version\":\"2012-10-17\"}");
  auto res = s3().decode(r);
  const Decoded& d = ok(res);
  EXPECT_EQ(d.operation, "PutBucketPolicy");
  EXPECT_FALSE(d.streaming_payload);
  EXPECT_FALSE(s3().streams_payload(r));
  EXPECT_EQ((*d.input)["Policy"], "{\"Version\":\"2012-10-17\"}");
}

TEST(RestXmlCodec, TimestampHeaders) {
  auto r = make_request("GET", "/b/k");
  r.headers.add("If-Modified-Since", "Thu, 01 Dec 1994 16:00:00 GMT");
  auto res = s3().decode(r);
  EXPECT_EQ((*ok(res).input)["IfModifiedSince"], 786297600);
  // A date the codec cannot read reaches S3 as its text (S3 reads RFC 850 and asctime dates
  // and ignores the rest).
  auto other = make_request("GET", "/b/k");
  other.headers.add("If-Modified-Since", "Sunday, 06-Nov-94 08:49:37 GMT");
  EXPECT_EQ((*ok(s3().decode(other)).input)["IfModifiedSince"], "Sunday, 06-Nov-94 08:49:37 GMT");
}

TEST(RestXmlCodec, KeysKeepPlusAndSlashes) {
  auto res = s3().decode(make_request("GET", "/b/a+b/%E2%9C%93/c%2Fd"));
  const json& in = *ok(res).input;
  EXPECT_EQ(in["Key"], "a+b/\xE2\x9C\x93/c/d");
}

TEST(RestXmlCodec, GetObjectOutputHeadersAndBody) {
  json out = {{"Body", std::string("hello\0world", 11)},
              {"ContentType", "text/plain"},
              {"ContentLength", 11},
              {"ETag", "\"5eb63bbbe01eeed093cb22bb8f5acdc3\""},
              {"LastModified", 1700000000},
              {"Metadata", {{"owner", "alice"}}},
              {"AcceptRanges", "bytes"}};
  http::Response resp;
  s3().encode_output("GetObject", out, ctx("GET"), resp);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, std::string("hello\0world", 11));
  EXPECT_EQ(resp.headers.get("Content-Type"), "text/plain");
  EXPECT_EQ(resp.headers.get("ETag"), "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
  EXPECT_EQ(resp.headers.get("Last-Modified"), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(resp.headers.get("x-amz-meta-owner"), "alice");
  EXPECT_EQ(resp.headers.get("accept-ranges"), "bytes");
  EXPECT_FALSE(resp.headers.has("Content-Length"));  // the HTTP layer sizes the body
  EXPECT_EQ(resp.headers.get("x-amz-request-id"), "req-1234");
  EXPECT_FALSE(resp.omit_body);
}

TEST(RestXmlCodec, HeadObjectOmitsBodyAndAnnouncesLength) {
  http::Response resp;
  s3().encode_output("HeadObject", {{"ContentLength", 1234}, {"ETag", "\"e\""}}, ctx("HEAD"), resp);
  EXPECT_TRUE(resp.omit_body);
  EXPECT_EQ(resp.content_length_override, "1234");
  EXPECT_TRUE(resp.body.empty());
}

TEST(RestXmlCodec, ListObjectsV2QueryAndOutput) {
  auto res = s3().decode(make_request("GET", "/b?list-type=2&prefix=photos%2F&delimiter=%2F&max-keys=2&continuation-token=t1&fetch-owner=true"));
  const json& in = *ok(res).input;
  EXPECT_EQ(in["Bucket"], "b");
  EXPECT_EQ(in["Prefix"], "photos/");
  EXPECT_EQ(in["Delimiter"], "/");
  EXPECT_EQ(in["MaxKeys"], 2);
  EXPECT_EQ(in["ContinuationToken"], "t1");
  EXPECT_EQ(in["FetchOwner"], true);

  json out = {{"IsTruncated", true},
              {"Name", "b"},
              {"Prefix", "photos/"},
              {"MaxKeys", 2},
              {"KeyCount", 2},
              {"NextContinuationToken", "t2"},
              {"Contents", json::array({{{"Key", "photos/a.jpg"}, {"LastModified", 1700000000}, {"ETag", "\"x\""}, {"Size", 10},
                                         {"StorageClass", "STANDARD"}},
                                        {{"Key", "photos/b.jpg"}, {"LastModified", 1700000001.5}, {"Size", 0}}})},
              {"CommonPrefixes", json::array({{{"Prefix", "photos/2023/"}}})}};
  http::Response resp;
  s3().encode_output("ListObjectsV2", out, ctx("GET"), resp);
  EXPECT_EQ(resp.headers.get("Content-Type"), "application/xml");
  EXPECT_EQ(resp.body.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u);
  pugi::xml_document doc;
  auto root = parse_xml(doc, resp.body);
  EXPECT_STREQ(root.name(), "ListBucketResult");
  EXPECT_STREQ(root.attribute("xmlns").value(), "http://s3.amazonaws.com/doc/2006-03-01/");
  EXPECT_STREQ(root.child_value("IsTruncated"), "true");
  int contents = 0;
  for ([[maybe_unused]] auto c : root.children("Contents")) ++contents;  // flattened
  EXPECT_EQ(contents, 2);
  EXPECT_STREQ(root.child("Contents").child_value("Key"), "photos/a.jpg");
  EXPECT_STREQ(root.child("Contents").child_value("LastModified"), "2023-11-14T22:13:20.000Z");
  EXPECT_STREQ(root.child("Contents").next_sibling("Contents").child_value("LastModified"), "2023-11-14T22:13:21.500Z");
  EXPECT_STREQ(root.child("CommonPrefixes").child_value("Prefix"), "photos/2023/");
}

TEST(RestXmlCodec, ListBucketsRootAndNestedList) {
  json out = {{"Buckets", json::array({{{"Name", "a"}, {"CreationDate", 0}}})},
              {"Owner", {{"ID", "owner-id"}, {"DisplayName", "me"}}}};
  http::Response resp;
  s3().encode_output("ListBuckets", out, ctx("GET"), resp);
  pugi::xml_document doc;
  auto root = parse_xml(doc, resp.body);
  EXPECT_STREQ(root.name(), "ListAllMyBucketsResult");
  EXPECT_STREQ(root.child("Buckets").child("Bucket").child_value("Name"), "a");
  EXPECT_STREQ(root.child("Owner").child_value("ID"), "owner-id");
}

TEST(RestXmlCodec, GetBucketLocationTextRoot) {
  http::Response resp;
  s3().encode_output("GetBucketLocation", {{"LocationConstraint", "eu-west-1"}}, ctx("GET"), resp);
  pugi::xml_document doc;
  auto root = parse_xml(doc, resp.body);
  EXPECT_STREQ(root.name(), "LocationConstraint");
  EXPECT_STREQ(root.child_value(), "eu-west-1");
}

TEST(RestXmlCodec, XmlPayloadRequests) {
  auto r = make_request("PUT", "/b?tagging",
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                        "<TagSet><Tag><Key>env</Key><Value>dev</Value></Tag><Tag><Key>k2</Key><Value></Value></Tag></TagSet></Tagging>");
  auto res = s3().decode(r);
  const Decoded& d = ok(res);
  EXPECT_EQ(d.operation, "PutBucketTagging");
  EXPECT_EQ((*d.input)["Tagging"]["TagSet"], json::array({{{"Key", "env"}, {"Value", "dev"}}, {{"Key", "k2"}, {"Value", ""}}}));

  auto cb = make_request("PUT", "/b",
                         "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                         "<LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>");
  auto res2 = s3().decode(cb);
  EXPECT_EQ((*ok(res2).input)["CreateBucketConfiguration"]["LocationConstraint"], "eu-west-1");

  auto del = make_request("POST", "/b?delete",
                          "<Delete><Object><Key>a</Key></Object><Object><Key>b</Key><VersionId>v</VersionId></Object>"
                          "<Quiet>true</Quiet></Delete>");
  auto res3 = s3().decode(del);
  const json& dl = (*ok(res3).input)["Delete"];
  EXPECT_EQ(dl["Objects"].size(), 2u);  // flattened <Object> elements
  EXPECT_EQ(dl["Objects"][1]["VersionId"], "v");
  EXPECT_EQ(dl["Quiet"], true);

  auto complete = make_request("POST", "/b/k?uploadId=u",
                               "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag></Part>"
                               "<Part><PartNumber>2</PartNumber><ETag>\"e2\"</ETag></Part></CompleteMultipartUpload>");
  auto res4 = s3().decode(complete);
  const json& mu = (*ok(res4).input)["MultipartUpload"];
  ASSERT_EQ(mu["Parts"].size(), 2u);
  EXPECT_EQ(mu["Parts"][1]["PartNumber"], 2);
  EXPECT_EQ((*ok(res4).input)["UploadId"], "u");
}

TEST(RestXmlCodec, TaggingOutputRoot) {
  http::Response resp;
  s3().encode_output("GetObjectTagging", {{"TagSet", json::array({{{"Key", "a"}, {"Value", "b"}}})}, {"VersionId", "v1"}},
                     ctx("GET"), resp);
  pugi::xml_document doc;
  auto root = parse_xml(doc, resp.body);
  EXPECT_STREQ(root.name(), "Tagging");
  EXPECT_STREQ(root.child("TagSet").child("Tag").child_value("Key"), "a");
  EXPECT_EQ(resp.headers.get("x-amz-version-id"), "v1");
}

TEST(RestXmlCodec, MalformedXmlAndBadValues) {
  AwsError e = err(s3().decode(make_request("PUT", "/b?tagging", "<Tagging><TagSet>")));
  EXPECT_EQ(e.code, "MalformedXML");
  EXPECT_EQ(e.http_status, 400);
  e = err(s3().decode(make_request("GET", "/b?list-type=2&max-keys=abc")));
  EXPECT_EQ(e.code, "InvalidArgument");
  EXPECT_EQ(e.message, "Provided max-keys not an integer or within integer range.");
  ASSERT_TRUE(e.details);
  EXPECT_EQ((*e.details)["ArgumentValue"], "abc");
  e = err(s3().decode(make_request("GET", "/b?list-type=2&prefix=%zz")));
  EXPECT_EQ(e.code, "InvalidArgument");
  e = err(s3().decode(make_request("POST", "/b/k?uploadId=u", "<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>")));
  EXPECT_EQ(e.code, "MalformedXML");
}

TEST(RestXmlCodec, ErrorForm) {
  AwsError e("NoSuchKey", "The specified key does not exist.", 404);
  e.details = std::make_shared<const json>(json{{"Key", "a/b.txt"}});
  http::Response resp;
  s3().encode_error(e, ctx("GET"), resp);
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(resp.headers.get("Content-Type"), "application/xml");
  pugi::xml_document doc;
  auto root = parse_xml(doc, resp.body);
  EXPECT_STREQ(root.name(), "Error");
  EXPECT_STREQ(root.child_value("Code"), "NoSuchKey");
  EXPECT_STREQ(root.child_value("Message"), "The specified key does not exist.");
  EXPECT_STREQ(root.child_value("Key"), "a/b.txt");
  EXPECT_STREQ(root.child_value("RequestId"), "req-1234");
  EXPECT_TRUE(root.child("HostId"));

  http::Response head;
  s3().encode_error(AwsError("NoSuchKey", "The specified key does not exist.", 404), ctx("HEAD"), head);
  EXPECT_EQ(head.status, 404);
  EXPECT_TRUE(head.omit_body);
  EXPECT_TRUE(head.body.empty());
}

TEST(RestJsonRouting, LambdaOperations) {
  EXPECT_EQ(op_of(lambda(), make_request("POST", "/2015-03-31/functions")), "CreateFunction");
  EXPECT_EQ(op_of(lambda(), make_request("GET", "/2015-03-31/functions/")), "ListFunctions");
  EXPECT_EQ(op_of(lambda(), make_request("GET", "/2015-03-31/functions/f1")), "GetFunction");
  EXPECT_EQ(op_of(lambda(), make_request("GET", "/2015-03-31/functions/f1/configuration")), "GetFunctionConfiguration");
  EXPECT_EQ(op_of(lambda(), make_request("POST", "/2015-03-31/functions/f1/invocations")), "Invoke");
  EXPECT_EQ(op_of(lambda(), make_request("DELETE", "/2015-03-31/functions/f1")), "DeleteFunction");
  EXPECT_EQ(op_of(lambda(), make_request("POST", "/2015-03-31/event-source-mappings/")), "CreateEventSourceMapping");
  auto e = err(lambda().decode(make_request("GET", "/2015-03-31/nothing")));
  EXPECT_EQ(e.code, "UnknownOperationException");
}

TEST(RestJsonCodec, InvokeRawPayloadAndHeaders) {
  auto r = make_request("POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af1/invocations?Qualifier=live",
                        R"({"key":"value"})");
  r.headers.add("X-Amz-Invocation-Type", "Event");
  r.headers.add("X-Amz-Log-Type", "Tail");
  auto res = lambda().decode(r);
  const Decoded& d = ok(res);
  EXPECT_EQ(d.operation, "Invoke");
  const json& in = *d.input;
  EXPECT_EQ(in["FunctionName"], "arn:aws:lambda:us-east-1:000000000000:function:f1");
  EXPECT_EQ(in["Qualifier"], "live");
  EXPECT_EQ(in["InvocationType"], "Event");
  EXPECT_EQ(in["LogType"], "Tail");
  EXPECT_EQ(in["Payload"], R"({"key":"value"})");  // raw bytes, not base64

  json out = {{"StatusCode", 202}, {"Payload", ""}, {"ExecutedVersion", "$LATEST"}, {"FunctionError", "Unhandled"},
              {"LogResult", "bG9n"}};
  http::Response resp;
  lambda().encode_output("Invoke", out, ctx("POST"), resp);
  EXPECT_EQ(resp.status, 202);
  EXPECT_EQ(resp.headers.get("X-Amz-Executed-Version"), "$LATEST");
  EXPECT_EQ(resp.headers.get("X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(resp.headers.get("X-Amz-Log-Result"), "bG9n");
  EXPECT_EQ(resp.body, "");

  http::Response r2;
  lambda().encode_output("Invoke", {{"StatusCode", 200}, {"Payload", "{\"ok\":true}"}}, ctx("POST"), r2);
  EXPECT_EQ(r2.status, 200);
  EXPECT_EQ(r2.body, "{\"ok\":true}");
}

TEST(RestJsonCodec, CreateFunctionJsonBody) {
  auto r = make_request("POST", "/2015-03-31/functions",
                        R"({"FunctionName":"Load-Inventory","Runtime":"python3.12","Role":"arn:aws:iam::000000000000:role/r",
                            "Handler":"index.handler","Code":{"ZipFile":"UEsDBA=="},"Timeout":30,"MemorySize":128,
                            "Environment":{"Variables":{"TABLE":"Inventory"}},"Tags":{"app":"inv"}})");
  auto res = lambda().decode(r);
  const json& in = *ok(res).input;
  EXPECT_EQ(in["FunctionName"], "Load-Inventory");
  EXPECT_EQ(in["Code"]["ZipFile"], "UEsDBA==");  // nested blob stays base64
  EXPECT_EQ(in["Timeout"], 30);
  EXPECT_EQ(in["Environment"]["Variables"]["TABLE"], "Inventory");

  json out = {{"FunctionName", "Load-Inventory"}, {"FunctionArn", "arn:aws:lambda:us-east-1:000000000000:function:Load-Inventory"},
              {"Runtime", "python3.12"}, {"CodeSize", 22}, {"LastModified", "2023-11-14T22:13:20.000+0000"}, {"State", "Active"}};
  http::Response resp;
  lambda().encode_output("CreateFunction", out, ctx("POST"), resp);
  EXPECT_EQ(resp.status, 201);
  EXPECT_EQ(resp.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(resp.body), out);
}

TEST(RestJsonCodec, DeleteFunctionNoBody) {
  http::Response resp;
  lambda().encode_output("DeleteFunction", json::object(), ctx("DELETE"), resp);
  int expected = Model::get("lambda")->operation("DeleteFunction")->response_code;
  EXPECT_EQ(resp.status, expected ? expected : 200);
  EXPECT_TRUE(resp.body.empty());
}

TEST(RestJsonCodec, MalformedAndWrongTypes) {
  AwsError e = err(lambda().decode(make_request("POST", "/2015-03-31/functions", "{nope")));
  EXPECT_EQ(e.code, "InvalidRequestContentException");
  EXPECT_EQ(e.http_status, 400);
  e = err(lambda().decode(make_request("POST", "/2015-03-31/functions", R"({"FunctionName":"f","Timeout":"long"})")));
  EXPECT_EQ(e.code, "InvalidRequestContentException");
  e = err(lambda().decode(make_request("GET", "/2015-03-31/functions/?MaxItems=lots")));
  EXPECT_EQ(e.code, "SerializationException");
}

TEST(RestJsonCodec, LambdaErrorForm) {
  http::Response resp;
  lambda().encode_error(AwsError("ResourceNotFoundException",
                                 "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope", 404),
                        ctx("GET"), resp);
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(resp.headers.get("x-amzn-ErrorType"), "ResourceNotFoundException");
  json body = json::parse(resp.body);
  EXPECT_EQ(body["Type"], "User");
  EXPECT_EQ(body["Message"], "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
  EXPECT_EQ(resp.headers.get("Content-Type"), "application/json");
}

TEST(RestJsonCodec, ApiGatewayErrorAndRouting) {
  const Codec* apigw = codec_for("apigateway");
  ASSERT_NE(apigw, nullptr);
  EXPECT_EQ(op_of(*apigw, make_request("POST", "/restapis")), "CreateRestApi");
  EXPECT_EQ(op_of(*apigw, make_request("GET", "/restapis/abc/resources")), "GetResources");
  EXPECT_EQ(op_of(*apigw, make_request("PUT", "/restapis/abc/resources/r1/methods/GET")), "PutMethod");
  http::Response resp;
  apigw->encode_error(AwsError("NotFoundException", "Invalid API identifier specified 000000000000:abc", 404), ctx(), resp);
  json body = json::parse(resp.body);
  EXPECT_EQ(body["message"], "Invalid API identifier specified 000000000000:abc");
  EXPECT_FALSE(body.contains("Type"));
  EXPECT_EQ(resp.headers.get("x-amzn-ErrorType"), "NotFoundException");
}

TEST(RestXmlCodec, AclGranteeXsiType) {
  json acl = {{"Owner", {{"ID", "o"}}},
              {"Grants", json::array({{{"Grantee", {{"ID", "o"}, {"Type", "CanonicalUser"}}}, {"Permission", "FULL_CONTROL"}}})}};
  http::Response resp;
  s3().encode_output("GetBucketAcl", acl, ctx("GET"), resp);
  pugi::xml_document doc;
  auto root = parse_xml(doc, resp.body);
  EXPECT_STREQ(root.name(), "AccessControlPolicy");
  auto grantee = root.child("AccessControlList").child("Grant").child("Grantee");
  EXPECT_STREQ(grantee.attribute("xsi:type").value(), "CanonicalUser");
  EXPECT_STREQ(grantee.attribute("xmlns:xsi").value(), "http://www.w3.org/2001/XMLSchema-instance");
  // and back
  auto res = s3().decode(make_request("PUT", "/b?acl", resp.body.substr(resp.body.find('<', 5))));
  const json& in = *ok(res).input;
  EXPECT_EQ(in["AccessControlPolicy"]["Grants"][0]["Grantee"]["Type"], "CanonicalUser");
}

TEST(RestXmlCodec, RangedGetIs206) {
  http::Response resp;
  s3().encode_output("GetObject", {{"Body", "ell"}, {"ContentRange", "bytes 1-3/5"}}, ctx("GET"), resp);
  EXPECT_EQ(resp.status, 206);
  EXPECT_EQ(resp.headers.get("Content-Range"), "bytes 1-3/5");
}

TEST(RestXmlCodec, InvalidRangeNamesTheSize) {
  AwsError e("InvalidRange", "The requested range is not satisfiable", 416);
  e.details = std::make_shared<const json>(json{{"ActualObjectSize", "5"}, {"RangeRequested", "bytes=9-"}});
  http::Response resp;
  s3().encode_error(e, ctx("GET"), resp);
  EXPECT_EQ(resp.status, 416);
  EXPECT_EQ(resp.headers.get("Content-Range"), "bytes */5");
}

TEST(RestXmlCodec, PostObjectFormUploads) {
  auto form = make_request("POST", "/bucket", "--B--\r\n");
  form.headers.add("Content-Type", "multipart/form-data; boundary=B");
  form.headers.add("Host", "localhost:4566");
  EXPECT_TRUE(is_s3_post_object(form));
  EXPECT_TRUE(s3().streams_payload(form));
  auto res = s3().decode(form);
  EXPECT_EQ(ok(res).operation, "PostObject");
  EXPECT_EQ((*ok(res).input)["Bucket"], "bucket");
  EXPECT_EQ((*ok(res).input)["ContentType"], "multipart/form-data; boundary=B");
  EXPECT_TRUE(ok(res).streaming_payload);
  EXPECT_FALSE(is_s3_post_object(make_request("POST", "/bucket?delete")));
  auto to_key = make_request("POST", "/bucket/key");
  to_key.headers.add("Content-Type", "multipart/form-data; boundary=B");
  EXPECT_FALSE(is_s3_post_object(to_key));
  http::Response resp;
  s3().encode_output("PostObject", {{"Status", 303}, {"Headers", {{"Location", "http://x/?key=k"}, {"ETag", "\"e\""}}}},
                     ctx("POST"), resp);
  EXPECT_EQ(resp.status, 303);
  EXPECT_EQ(resp.headers.get("Location"), "http://x/?key=k");
  EXPECT_EQ(resp.headers.get("ETag"), "\"e\"");
}

TEST(RestXmlRouting, NamesAKey) {
  EXPECT_FALSE(s3_names_key(make_request("OPTIONS", "/bucket")));
  EXPECT_FALSE(s3_names_key(make_request("OPTIONS", "/bucket/")));
  EXPECT_TRUE(s3_names_key(make_request("OPTIONS", "/bucket/a/b")));
  auto hosted = make_request("OPTIONS", "/k");
  hosted.headers.add("Host", "b1.s3.amazonaws.com");
  EXPECT_TRUE(s3_names_key(hosted));
}

TEST(Codecs, WarmUpBuildsEveryCodec) {
  warm_up();
  for (std::string_view s : {"sts", "iam", "dynamodb", "dynamodbstreams", "sqs", "sns", "s3", "lambda", "apigateway", "logs"})
    EXPECT_NE(codec_for(s), nullptr) << s;
}

TEST(RestXmlRouting, VirtualHostedBuckets) {
  auto r = make_request("GET", "/photos/a.jpg");
  r.headers.add("Host", "my.bucket.s3.us-east-1.localhost:4566");
  auto res = s3().decode(r);
  EXPECT_EQ(ok(res).operation, "GetObject");
  EXPECT_EQ((*ok(res).input)["Bucket"], "my.bucket");
  EXPECT_EQ((*ok(res).input)["Key"], "photos/a.jpg");

  auto l = make_request("GET", "/?list-type=2");
  l.headers.add("Host", "b1.s3.amazonaws.com");
  auto res2 = s3().decode(l);
  EXPECT_EQ(ok(res2).operation, "ListObjectsV2");
  EXPECT_EQ((*ok(res2).input)["Bucket"], "b1");

  auto path_style = make_request("GET", "/b2/k");
  path_style.headers.add("Host", "s3.us-east-1.amazonaws.com");
  auto res3 = s3().decode(path_style);
  EXPECT_EQ((*ok(res3).input)["Bucket"], "b2");
  auto local = make_request("GET", "/");
  local.headers.add("Host", "127.0.0.1:4566");
  EXPECT_EQ(ok(s3().decode(local)).operation, "ListBuckets");
}
