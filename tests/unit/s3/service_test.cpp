// The S3 service through its operation interface (no HTTP): listings folded by delimiters over
// many pages, versions and delete markers, conditional requests against an injected clock,
// payloads in and out (inline and file-backed), and the refusal paths that must leave nothing.
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "awan/clock.hpp"
#include "awan/service.hpp"
#include "s3/s3.hpp"

namespace awan {
namespace {

using json = nlohmann::json;

class S3Test : public ::testing::Test {
 protected:
  S3Test() : clock_(std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000))) {
    env_.clock = &clock_;
    s3_ = s3::make_service(env_);
    ctx_.clock = &clock_;
  }

  Result call(const std::string& op, json in, std::string body = {}, bool payload = false) {
    RequestContext c = ctx_;
    if (payload || !body.empty()) c.payload = std::make_shared<Payload>(Payload::of_bytes(std::move(body)));
    return s3_->call(c, op, std::move(in));
  }
  json ok(const std::string& op, json in, std::string body = {}) {
    bool payload = op == "PutObject" || op == "UploadPart";
    Result r = call(op, std::move(in), std::move(body), payload);
    EXPECT_FALSE(r.error) << op << ": " << (r.error ? r.error->code + " " + r.error->message : "");
    return r.output;
  }
  std::string fail(const std::string& op, json in, std::string body = {}) {
    Result r = call(op, std::move(in), std::move(body), op == "PutObject");
    EXPECT_TRUE(r.error) << op << " succeeded";
    return r.error ? r.error->code : "";
  }
  std::string body_of(const Result& r) {
    EXPECT_TRUE(r.payload);
    if (!r.payload) return "";
    if (!r.payload->in_file()) return r.payload->bytes;
    std::string out(r.payload->length, '\0');
    FILE* f = std::fopen(r.payload->file->path().c_str(), "rb");
    if (!f) return "<unreadable>";
    std::fseek(f, static_cast<long>(r.payload->offset), SEEK_SET);
    size_t n = std::fread(out.data(), 1, out.size(), f);
    std::fclose(f);
    out.resize(n);
    return out;
  }

  ManualClock clock_;
  ServiceEnv env_;
  std::unique_ptr<Service> s3_;
  RequestContext ctx_;
};

TEST_F(S3Test, DelimiterListingFoldsPrefixesAcrossPages) {
  ok("CreateBucket", {{"Bucket", "bkt"}});
  // 250 keys under one prefix fold into one common prefix even though they span store batches.
  for (int i = 0; i < 250; ++i) ok("PutObject", {{"Bucket", "bkt"}, {"Key", "logs/" + std::to_string(1000 + i)}}, "x");
  ok("PutObject", {{"Bucket", "bkt"}, {"Key", "a"}}, "x");
  ok("PutObject", {{"Bucket", "bkt"}, {"Key", "z"}}, "x");
  json page = ok("ListObjectsV2", {{"Bucket", "bkt"}, {"Delimiter", "/"}, {"MaxKeys", 2}});
  EXPECT_EQ(page["Contents"].size(), 1u);
  EXPECT_EQ(page["CommonPrefixes"], json::array({{{"Prefix", "logs/"}}}));
  EXPECT_TRUE(page["IsTruncated"]);
  json next = ok("ListObjectsV2", {{"Bucket", "bkt"}, {"Delimiter", "/"}, {"MaxKeys", 2},
                                   {"ContinuationToken", page["NextContinuationToken"]}});
  EXPECT_EQ(next["Contents"][0]["Key"], "z");
  EXPECT_FALSE(next["IsTruncated"]);
  EXPECT_FALSE(next.contains("CommonPrefixes"));
}

TEST_F(S3Test, MaxKeysZeroAndNegative) {
  ok("CreateBucket", {{"Bucket", "bkt"}});
  ok("PutObject", {{"Bucket", "bkt"}, {"Key", "a"}}, "x");
  json out = ok("ListObjectsV2", {{"Bucket", "bkt"}, {"MaxKeys", 0}});
  EXPECT_EQ(out["KeyCount"], 0);
  EXPECT_EQ(fail("ListObjectsV2", {{"Bucket", "bkt"}, {"MaxKeys", -1}}), "InvalidArgument");
}

TEST_F(S3Test, DeleteMarkersAndVersionPromotion) {
  ok("CreateBucket", {{"Bucket", "bkt"}});
  ok("PutBucketVersioning", {{"Bucket", "bkt"}, {"VersioningConfiguration", {{"Status", "Enabled"}}}});
  std::string v1 = ok("PutObject", {{"Bucket", "bkt"}, {"Key", "k"}}, "one")["VersionId"];
  json del = ok("DeleteObject", {{"Bucket", "bkt"}, {"Key", "k"}});
  EXPECT_TRUE(del["DeleteMarker"]);
  EXPECT_EQ(fail("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}}), "NoSuchKey");
  EXPECT_EQ(fail("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"VersionId", del["VersionId"]}}), "MethodNotAllowed");
  // The key is hidden from listings but its versions are not.
  EXPECT_FALSE(ok("ListObjectsV2", {{"Bucket", "bkt"}}).contains("Contents"));
  json versions = ok("ListObjectVersions", {{"Bucket", "bkt"}});
  EXPECT_EQ(versions["Versions"][0]["VersionId"], v1);
  EXPECT_FALSE(versions["Versions"][0]["IsLatest"]);
  EXPECT_TRUE(versions["DeleteMarkers"][0]["IsLatest"]);
  EXPECT_EQ(fail("DeleteBucket", {{"Bucket", "bkt"}}), "BucketNotEmpty");
  ok("DeleteObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"VersionId", del["VersionId"]}});
  EXPECT_EQ(body_of(call("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}})), "one");
}

TEST_F(S3Test, ConditionalReadsAgainstTheInjectedClock) {
  ok("CreateBucket", {{"Bucket", "bkt"}});
  ok("PutObject", {{"Bucket", "bkt"}, {"Key", "k"}}, "data");
  double t = 1'700'000'000;
  EXPECT_EQ(fail("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"IfModifiedSince", t}}), "NotModified");
  EXPECT_FALSE(call("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"IfModifiedSince", t - 1}}).error);
  EXPECT_EQ(fail("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"IfUnmodifiedSince", t - 1}}), "PreconditionFailed");
  // If-Match that holds wins over a failing If-Unmodified-Since (S3's rule).
  std::string etag = ok("HeadObject", {{"Bucket", "bkt"}, {"Key", "k"}})["ETag"];
  EXPECT_FALSE(call("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"IfMatch", etag}, {"IfUnmodifiedSince", t - 1}}).error);
  clock_.advance(std::chrono::seconds(10));
  ok("PutObject", {{"Bucket", "bkt"}, {"Key", "k"}}, "newer");
  EXPECT_EQ(ok("HeadObject", {{"Bucket", "bkt"}, {"Key", "k"}})["LastModified"], t + 10);
}

TEST_F(S3Test, RangesAndParts) {
  ok("CreateBucket", {{"Bucket", "bkt"}});
  ok("PutObject", {{"Bucket", "bkt"}, {"Key", "k"}}, "0123456789");
  Result r = call("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"Range", "bytes=3-4"}});
  EXPECT_EQ(body_of(r), "34");
  EXPECT_EQ(r.output["ContentRange"], "bytes 3-4/10");
  EXPECT_EQ(body_of(call("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"Range", "bytes=-2"}})), "89");
  EXPECT_EQ(body_of(call("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"Range", "bytes=5-1"}})), "0123456789");
  EXPECT_EQ(body_of(call("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"Range", "bytes=0-1,4-5"}})), "0123456789");
  EXPECT_EQ(fail("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"Range", "bytes=10-"}}), "InvalidRange");
  EXPECT_EQ(fail("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"Range", "bytes=-0"}}), "InvalidRange");
  ok("PutObject", {{"Bucket", "bkt"}, {"Key", "empty"}}, "");
  EXPECT_EQ(fail("GetObject", {{"Bucket", "bkt"}, {"Key", "empty"}, {"Range", "bytes=0-"}}), "InvalidRange");
  Result tail = call("GetObject", {{"Bucket", "bkt"}, {"Key", "empty"}, {"Range", "bytes=-8"}});
  ASSERT_FALSE(tail.error);
  EXPECT_FALSE(tail.output.contains("ContentRange"));
  EXPECT_EQ(body_of(tail), "");
  EXPECT_EQ(fail("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"PartNumber", 2}}), "InvalidPartNumber");
}

TEST_F(S3Test, ConditionalWrites) {
  ok("CreateBucket", {{"Bucket", "bkt"}});
  ok("PutObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"IfNoneMatch", "*"}}, "one");
  EXPECT_EQ(fail("PutObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"IfNoneMatch", "*"}}, "two"), "PreconditionFailed");
  std::string etag = ok("HeadObject", {{"Bucket", "bkt"}, {"Key", "k"}})["ETag"];
  EXPECT_EQ(fail("PutObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"IfNoneMatch", etag}}, "two"), "NotImplemented");
  EXPECT_EQ(fail("PutObject", {{"Bucket", "bkt"}, {"Key", "new"}, {"IfMatch", etag}}, "two"), "NoSuchKey");
  ok("PutObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"IfMatch", etag}}, "two");
  EXPECT_EQ(body_of(call("GetObject", {{"Bucket", "bkt"}, {"Key", "k"}})), "two");
}

TEST_F(S3Test, MultipartChecksumsFromThePartDigests) {
  ok("CreateBucket", {{"Bucket", "bkt"}});
  auto complete = [&](const json& create, const json& part, const json& extra) {
    json in = {{"Bucket", "bkt"}, {"Key", "m"}};
    in.update(create);
    std::string id = ok("CreateMultipartUpload", in)["UploadId"];
    json up = {{"Bucket", "bkt"}, {"Key", "m"}, {"UploadId", id}, {"PartNumber", 1}};
    up.update(part);
    json listed = {{"PartNumber", 1}, {"ETag", ok("UploadPart", up, "abc")["ETag"]}};
    for (auto& [k, v] : part.items())
      if (k.rfind("Checksum", 0) == 0 && k != "ChecksumAlgorithm") listed[k] = v;
    json done = {{"Bucket", "bkt"}, {"Key", "m"}, {"UploadId", id}, {"MultipartUpload", {{"Parts", {listed}}}}};
    done.update(extra);
    return call("CompleteMultipartUpload", done);
  };
  Result full = complete({{"ChecksumAlgorithm", "CRC32"}, {"ChecksumType", "FULL_OBJECT"}}, json::object(), json::object());
  ASSERT_FALSE(full.error) << full.error->message;
  EXPECT_EQ(full.output["ChecksumCRC32"], "NSRBwg==");  // the CRC32 of "abc", no "-1"
  EXPECT_EQ(full.output["ETag"], "\"af5da9f45af7a300e3aded972f8ff687-1\"");
  Result wrong = complete({{"ChecksumAlgorithm", "CRC32"}, {"ChecksumType", "FULL_OBJECT"}}, json::object(),
                          {{"ChecksumCRC32", "AAAAAA=="}});
  ASSERT_TRUE(wrong.error);
  EXPECT_EQ(wrong.error->code, "BadDigest");
  // An upload that named no algorithm (CRC64NVME) with a part checked by CRC32: hashed as joined.
  Result mixed = complete(json::object(), {{"ChecksumCRC32", "NSRBwg=="}}, json::object());
  ASSERT_FALSE(mixed.error) << mixed.error->message;
  json head = ok("HeadObject", {{"Bucket", "bkt"}, {"Key", "m"}, {"ChecksumMode", "ENABLED"}});
  EXPECT_EQ(head["ChecksumCRC64NVME"], "BeXKuz/B+us=");
  EXPECT_EQ(fail("CreateMultipartUpload", {{"Bucket", "bkt"}, {"Key", "m"}, {"ChecksumType", "COMPOSITE"}}),
            "InvalidRequest");
}

TEST_F(S3Test, PostObjectStoresTheFileField) {
  ok("CreateBucket", {{"Bucket", "bkt"}});
  std::string form =
      "--B\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\ndocs/${filename}\r\n"
      "--B\r\nContent-Disposition: form-data; name=\"X-Amz-Meta-Tag\"\r\n\r\nv\r\n"
      "--B\r\nContent-Disposition: form-data; name=\"success_action_status\"\r\n\r\n201\r\n"
      "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nfile body\r\n"
      "--B--\r\n";
  Result r = call("PostObject", {{"Bucket", "bkt"}, {"ContentType", "multipart/form-data; boundary=B"}, {"Host", "h"}},
                  form);
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.output["Status"], 201);
  EXPECT_EQ(r.output["Headers"]["Location"], "http://h/bkt/docs/a.txt");
  EXPECT_NE(body_of(r).find("<Key>docs/a.txt</Key>"), std::string::npos);
  Result got = call("GetObject", {{"Bucket", "bkt"}, {"Key", "docs/a.txt"}});
  EXPECT_EQ(body_of(got), "file body");
  EXPECT_EQ(got.output["Metadata"]["tag"], "v");
  EXPECT_EQ(fail("PostObject", {{"Bucket", "bkt"}, {"ContentType", "text/plain"}}, "x"), "PreconditionFailed");
}

TEST_F(S3Test, LargeBodiesAreFileBackedPayloads) {
  ok("CreateBucket", {{"Bucket", "bkt"}});
  std::string big(3 * 1024 * 1024, 'b');
  big[12345] = 'X';
  ok("PutObject", {{"Bucket", "bkt"}, {"Key", "big"}}, big);
  Result r = call("GetObject", {{"Bucket", "bkt"}, {"Key", "big"}, {"Range", "bytes=12340-12349"}});
  ASSERT_TRUE(r.payload);
  EXPECT_TRUE(r.payload->in_file());
  EXPECT_EQ(body_of(r), "bbbbbXbbbb");
  // Overwritten while the answer's descriptor is open: the answer stays readable.
  ok("PutObject", {{"Bucket", "bkt"}, {"Key", "big"}}, "small now");
  char c = 0;
  ASSERT_EQ(::pread(r.payload->file->fd(), &c, 1, 12345), 1);
  EXPECT_EQ(c, 'X');
}

TEST_F(S3Test, RefusedWritesLeaveNothing) {
  ok("CreateBucket", {{"Bucket", "bkt"}});
  EXPECT_EQ(fail("PutObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"ContentMD5", "AAAAAAAAAAAAAAAAAAAAAA=="}}, "abc"),
            "BadDigest");
  EXPECT_EQ(fail("PutObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"ChecksumSHA256", "nope"}}, "abc"), "InvalidRequest");
  EXPECT_EQ(fail("PutObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"ChecksumCRC32", "AAAAAA=="}, {"ChecksumSHA1", "x"}}, "abc"),
            "InvalidRequest");
  EXPECT_EQ(fail("PutObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"StorageClass", "FAST"}}, "abc"), "InvalidStorageClass");
  EXPECT_EQ(fail("PutObject", {{"Bucket", "bkt"}, {"Key", "k"}, {"Tagging", "a=1&a=2"}}, "abc"), "InvalidTag");
  EXPECT_EQ(fail("PutObject", {{"Bucket", "bkt"}, {"Key", std::string(1025, 'k')}}, "abc"), "KeyTooLongError");
  EXPECT_FALSE(ok("ListObjectsV2", {{"Bucket", "bkt"}}).contains("Contents"));
  EXPECT_EQ(fail("PutObject", {{"Bucket", "nope"}, {"Key", "k"}}, "abc"), "NoSuchBucket");
}

TEST_F(S3Test, PayloadSha256IsChecked) {
  ok("CreateBucket", {{"Bucket", "bkt"}});
  RequestContext c = ctx_;
  c.payload = std::make_shared<Payload>(Payload::of_bytes("abc"));
  c.payload_sha256 = std::string(64, '0');
  Result r = s3_->call(c, "PutObject", {{"Bucket", "bkt"}, {"Key", "k"}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "XAmzContentSHA256Mismatch");
  c.payload = std::make_shared<Payload>(Payload::of_bytes("abc"));
  c.payload_sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  EXPECT_FALSE(s3_->call(c, "PutObject", {{"Bucket", "bkt"}, {"Key", "k"}}).error);
}

TEST_F(S3Test, BucketsArePerAccountButNamesAreGlobal) {
  ok("CreateBucket", {{"Bucket", "shared-name"}});
  ctx_.account_id = "111122223333";
  EXPECT_EQ(fail("CreateBucket", {{"Bucket", "shared-name"}}), "BucketAlreadyExists");
  EXPECT_TRUE(ok("ListBuckets", json::object())["Buckets"].empty());
  ctx_.region = "eu-west-1";
  EXPECT_EQ(fail("CreateBucket", {{"Bucket", "euro-name"}}), "IllegalLocationConstraintException");
  ok("CreateBucket", {{"Bucket", "euro-name"}, {"CreateBucketConfiguration", {{"LocationConstraint", "eu-west-1"}}}});
  EXPECT_EQ(ok("GetBucketLocation", {{"Bucket", "euro-name"}})["LocationConstraint"], "eu-west-1");
}

}  // namespace
}  // namespace awan
