// aws-chunked decoding: bodies framed the way the SDKs frame them (a small encoder below), the
// S3 documentation's signed chunked-upload example, byte-at-a-time feeding, and every malformed
// case with the error S3 returns.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto.hpp"
#include "http/aws_chunked.hpp"
#include "core/checksum.hpp"

namespace awan::http {
namespace {

std::string hex_size(size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%zx", n);
  return buf;
}

// Frames `payload` like the SDKs: fixed-size chunks, a final empty chunk, then the trailers.
struct Encoder {
  AwsChunkedMode mode = AwsChunkedMode::UnsignedTrailer;
  size_t chunk_size = 8192;
  const ChunkSigningContext* signing = nullptr;  // signed modes
  std::vector<Header> trailers;                  // trailer modes
  std::vector<std::string> signatures;           // chunk signatures produced (final one included)

  std::string encode(std::string_view payload) {
    std::string out;
    std::string prev = signing ? signing->seed_signature : "";
    auto header = [&](std::string_view data) {
      out += hex_size(data.size());
      if (mode != AwsChunkedMode::UnsignedTrailer) {
        std::string sig = signing ? chunk_signature(*signing, prev, data) : std::string(64, '0');
        signatures.push_back(sig);
        prev = sig;
        out += ";chunk-signature=" + sig;
      }
      out += "\r\n";
    };
    for (size_t pos = 0; pos < payload.size(); pos += chunk_size) {
      std::string_view data = payload.substr(pos, chunk_size);
      header(data);
      out.append(data);
      out += "\r\n";
    }
    header("");
    if (mode != AwsChunkedMode::Signed) {
      std::string canonical;
      for (const Header& t : trailers) {
        out += t.name + ":" + t.value + "\r\n";
        canonical += t.name + ":" + t.value + "\n";
      }
      if (mode == AwsChunkedMode::SignedTrailer && signing)
        out += "x-amz-trailer-signature:" + trailer_signature(*signing, prev, canonical) + "\r\n";
    }
    out += "\r\n";
    return out;
  }
};

struct Decoded {
  std::string body;
  std::optional<AwsError> error;
  std::vector<Header> trailers;
};

Decoded decode(const AwsChunkedOptions& opts, std::string_view encoded, size_t step = 0) {
  Decoded d;
  AwsChunkedDecoder dec(opts, [&](std::string_view piece) { d.body.append(piece); });
  if (step == 0) step = encoded.size() ? encoded.size() : 1;
  for (size_t pos = 0; pos < encoded.size() && !d.error; pos += step) d.error = dec.feed(encoded.substr(pos, step));
  if (!d.error) d.error = dec.finish();
  d.trailers = dec.trailers();
  return d;
}

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
  return s;
}

AwsChunkedOptions unsigned_opts(uint64_t len, std::vector<std::string> trailer_names = {}) {
  AwsChunkedOptions o;
  o.mode = AwsChunkedMode::UnsignedTrailer;
  o.decoded_length = len;
  o.trailer_names = std::move(trailer_names);
  return o;
}

std::string s3_signing_key() {
  std::string k = crypto::hmac_sha256("AWS4wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524");
  k = crypto::hmac_sha256(k, "us-east-1");
  k = crypto::hmac_sha256(k, "s3");
  return crypto::hmac_sha256(k, "aws4_request");
}

ChunkSigningContext s3_example_context() {
  return {s3_signing_key(), "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
          "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"};
}

void expect_error(const Decoded& d, const char* code, const char* message, int status = 400) {
  ASSERT_TRUE(d.error.has_value()) << "expected " << code;
  EXPECT_EQ(d.error->code, code);
  EXPECT_EQ(d.error->message, message);
  EXPECT_EQ(d.error->http_status, status);
}

constexpr const char* kIncomplete = "The request body terminated unexpectedly";
constexpr const char* kMalformedTrailer =
    "The request contained trailing data that was not well-formed or did not conform to our published schema.";
constexpr const char* kSigMismatch =
    "The request signature we calculated does not match the signature you provided. Check your key and signing "
    "method.";

// ---------------------------------------------------------------- the S3 documentation example

TEST(AwsChunked, S3DocumentationSignedExample) {
  // 66560 bytes of 'a' in a 65536-byte chunk and a 1024-byte chunk (Content-Length 66824).
  const std::string payload(66560, 'a');
  ChunkSigningContext ctx = s3_example_context();
  Encoder enc;
  enc.mode = AwsChunkedMode::Signed;
  enc.chunk_size = 65536;
  enc.signing = &ctx;
  std::string body = enc.encode(payload);
  EXPECT_EQ(body.size(), 66824u);
  ASSERT_EQ(enc.signatures.size(), 3u);
  EXPECT_EQ(enc.signatures[0], "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648");
  EXPECT_EQ(enc.signatures[1], "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497");
  EXPECT_EQ(enc.signatures[2], "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9");

  AwsChunkedOptions o;
  o.mode = AwsChunkedMode::Signed;
  o.decoded_length = payload.size();
  o.signing = ctx;
  Decoded d = decode(o, body);
  ASSERT_FALSE(d.error.has_value()) << d.error->message;
  EXPECT_EQ(d.body, payload);
  // Byte at a time.
  Decoded slow = decode(o, body, 1);
  ASSERT_FALSE(slow.error.has_value()) << slow.error->message;
  EXPECT_EQ(slow.body, payload);
}

TEST(AwsChunked, BadChunkSignature) {
  const std::string payload(66560, 'a');
  ChunkSigningContext ctx = s3_example_context();
  Encoder enc;
  enc.mode = AwsChunkedMode::Signed;
  enc.chunk_size = 65536;
  enc.signing = &ctx;
  std::string body = enc.encode(payload);
  AwsChunkedOptions o;
  o.mode = AwsChunkedMode::Signed;
  o.decoded_length = payload.size();
  o.signing = ctx;
  // A flipped data byte in the second chunk.
  std::string tampered = body;
  tampered[tampered.size() - 200] = 'b';
  expect_error(decode(o, tampered), "SignatureDoesNotMatch", kSigMismatch, 403);
  // A wrong final-chunk signature.
  std::string bad_final = body;
  size_t last = bad_final.rfind("chunk-signature=") + 16;
  bad_final[last] = bad_final[last] == '0' ? '1' : '0';
  expect_error(decode(o, bad_final), "SignatureDoesNotMatch", kSigMismatch, 403);
  // Another seed (the headers were signed with another key).
  AwsChunkedOptions other = o;
  other.signing->seed_signature = std::string(64, 'f');
  expect_error(decode(other, body), "SignatureDoesNotMatch", kSigMismatch, 403);
  // Without verification the same body decodes.
  AwsChunkedOptions noverify = o;
  noverify.signing.reset();
  EXPECT_FALSE(decode(noverify, tampered).error.has_value());
}

TEST(AwsChunked, SignedModeRequiresChunkSignatures) {
  AwsChunkedOptions o;
  o.mode = AwsChunkedMode::Signed;
  o.decoded_length = 3;
  expect_error(decode(o, "3\r\nabc\r\n0\r\n\r\n"), "IncompleteBody", kIncomplete);
}

// ---------------------------------------------------------------- unsigned payload with trailers

TEST(AwsChunked, UnsignedTrailerWithCrc32LikeBotocore) {
  const std::string payload = pattern(20000);
  Encoder enc;
  enc.trailers = {{"x-amz-checksum-crc32", checksum_base64(ChecksumAlgorithm::Crc32, payload)}};
  std::string body = enc.encode(payload);
  EXPECT_EQ(body.substr(0, 6), "2000\r\n");  // lower-case hex size, no extension
  auto opts = unsigned_opts(payload.size(), {"x-amz-checksum-crc32"});
  for (size_t step : {size_t(0), size_t(1), size_t(7), size_t(8193)}) {
    Decoded d = decode(opts, body, step);
    ASSERT_FALSE(d.error.has_value()) << step << ": " << d.error->message;
    EXPECT_EQ(d.body, payload);
    ASSERT_EQ(d.trailers.size(), 1u);
    EXPECT_EQ(d.trailers[0].name, "x-amz-checksum-crc32");
    EXPECT_EQ(d.trailers[0].value, enc.trailers[0].value);
  }
}

TEST(AwsChunked, BotocoreFraming) {
  // What botocore's AwsChunkedWrapper sends for 'hello world' * 1000 with a CRC32 trailer
  // (recorded: 11051 bytes, x-amz-checksum-crc32:iH6F8A==).
  std::string payload;
  for (int i = 0; i < 1000; ++i) payload += "hello world";
  std::string body = "2000\r\n" + payload.substr(0, 8192) + "\r\naf8\r\n" + payload.substr(8192) +
                     "\r\n0\r\nx-amz-checksum-crc32:iH6F8A==\r\n\r\n";
  ASSERT_EQ(body.size(), 11051u);
  EXPECT_EQ(checksum_base64(ChecksumAlgorithm::Crc32, payload), "iH6F8A==");
  Decoded d = decode(unsigned_opts(payload.size(), {"x-amz-checksum-crc32"}), body, 1);
  ASSERT_FALSE(d.error.has_value()) << d.error->message;
  EXPECT_EQ(d.body, payload);
}

TEST(AwsChunked, EveryChecksumAlgorithmAsTrailer) {
  const std::string payload = pattern(9000);
  for (auto a : {ChecksumAlgorithm::Crc32, ChecksumAlgorithm::Crc32c, ChecksumAlgorithm::Crc64Nvme,
                 ChecksumAlgorithm::Sha1, ChecksumAlgorithm::Sha256}) {
    std::string name(checksum_header(a));
    Encoder enc;
    enc.trailers = {{name, checksum_base64(a, payload)}};
    Decoded d = decode(unsigned_opts(payload.size(), {name}), enc.encode(payload), 1000);
    EXPECT_FALSE(d.error.has_value()) << name;
    EXPECT_EQ(d.body, payload);
  }
}

TEST(AwsChunked, EmptyPayload) {
  Encoder enc;
  enc.trailers = {{"x-amz-checksum-crc32", checksum_base64(ChecksumAlgorithm::Crc32, "")}};
  std::string body = enc.encode("");
  EXPECT_EQ(body, "0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n");
  Decoded d = decode(unsigned_opts(0, {"x-amz-checksum-crc32"}), body, 1);
  EXPECT_FALSE(d.error.has_value());
  EXPECT_EQ(d.body, "");
}

TEST(AwsChunked, BadTrailerChecksum) {
  const std::string payload = pattern(100);
  Encoder enc;
  enc.trailers = {{"x-amz-checksum-crc32", checksum_base64(ChecksumAlgorithm::Crc32, "other")}};
  expect_error(decode(unsigned_opts(100, {"x-amz-checksum-crc32"}), enc.encode(payload)), "BadDigest",
               "The CRC32 you specified did not match the calculated checksum.");
  enc.trailers = {{"x-amz-checksum-crc32", "not base64!"}};
  expect_error(decode(unsigned_opts(100, {"x-amz-checksum-crc32"}), enc.encode(payload)), "InvalidRequest",
               "Value for x-amz-checksum-crc32 trailing header is invalid.");
  enc.trailers = {{"x-amz-checksum-sha256", checksum_base64(ChecksumAlgorithm::Crc32, payload)}};  // wrong size
  expect_error(decode(unsigned_opts(100, {"x-amz-checksum-sha256"}), enc.encode(payload)), "InvalidRequest",
               "Value for x-amz-checksum-sha256 trailing header is invalid.");
}

TEST(AwsChunked, TrailerRules) {
  const std::string payload = pattern(100);
  const std::string crc = checksum_base64(ChecksumAlgorithm::Crc32, payload);
  Encoder none;
  // Declared in x-amz-trailer but absent.
  expect_error(decode(unsigned_opts(100, {"x-amz-checksum-crc32"}), none.encode(payload)), "MalformedTrailerError",
               kMalformedTrailer);
  // Present but not declared.
  Encoder extra;
  extra.trailers = {{"x-amz-checksum-crc32", crc}};
  expect_error(decode(unsigned_opts(100), extra.encode(payload)), "MalformedTrailerError", kMalformedTrailer);
  // Declared crc32, sent crc32c.
  Encoder other;
  other.trailers = {{"x-amz-checksum-crc32c", checksum_base64(ChecksumAlgorithm::Crc32c, payload)}};
  expect_error(decode(unsigned_opts(100, {"x-amz-checksum-crc32"}), other.encode(payload)), "MalformedTrailerError",
               kMalformedTrailer);
  // Empty key, no colon.
  expect_error(decode(unsigned_opts(3, {"x-amz-checksum-crc32"}), "3\r\nabc\r\n0\r\n:" + crc + "\r\n\r\n"),
               "MalformedTrailerError", kMalformedTrailer);
  expect_error(decode(unsigned_opts(3, {"x-amz-checksum-crc32"}), "3\r\nabc\r\n0\r\nx-amz-checksum-crc32\r\n\r\n"),
               "MalformedTrailerError", kMalformedTrailer);
  // No trailers at all, none declared: fine.
  Decoded d = decode(unsigned_opts(100), none.encode(payload));
  EXPECT_FALSE(d.error.has_value());
  EXPECT_EQ(d.body, payload);
}

// ---------------------------------------------------------------- signed payload with trailers

TEST(AwsChunked, SignedTrailerRoundTrip) {
  const std::string payload = pattern(30000);
  ChunkSigningContext ctx = s3_example_context();
  Encoder enc;
  enc.mode = AwsChunkedMode::SignedTrailer;
  enc.chunk_size = 10000;
  enc.signing = &ctx;
  enc.trailers = {{"x-amz-checksum-crc32c", checksum_base64(ChecksumAlgorithm::Crc32c, payload)}};
  std::string body = enc.encode(payload);
  AwsChunkedOptions o;
  o.mode = AwsChunkedMode::SignedTrailer;
  o.decoded_length = payload.size();
  o.trailer_names = {"x-amz-checksum-crc32c"};
  o.signing = ctx;
  Decoded d = decode(o, body, 1);
  ASSERT_FALSE(d.error.has_value()) << d.error->message;
  EXPECT_EQ(d.body, payload);
  ASSERT_EQ(d.trailers.size(), 1u);  // the trailer signature is not reported as a trailer

  // Tampered trailer value: the trailer signature no longer matches.
  std::string tampered = body;
  size_t at = tampered.find("x-amz-checksum-crc32c:") + 22;
  tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
  expect_error(decode(o, tampered), "SignatureDoesNotMatch", kSigMismatch, 403);
  // Trailer signature missing.
  std::string unsigned_trailer = body;
  size_t sig = unsigned_trailer.find("x-amz-trailer-signature:");
  unsigned_trailer.erase(sig, unsigned_trailer.find("\r\n", sig) + 2 - sig);
  expect_error(decode(o, unsigned_trailer), "IncompleteBody", kIncomplete);
  // Declared checksum missing in a signed-trailer body: IncompleteBody.
  Encoder no_checksum = enc;
  no_checksum.trailers.clear();
  no_checksum.signatures.clear();
  expect_error(decode(o, no_checksum.encode(payload)), "IncompleteBody", kIncomplete);
}

// ---------------------------------------------------------------- framing errors

TEST(AwsChunked, FramingErrors) {
  auto o = unsigned_opts(3);
  EXPECT_FALSE(decode(o, "3\r\nabc\r\n0\r\n\r\n").error.has_value());
  // Bad hex size.
  expect_error(decode(o, "zz\r\nabc\r\n0\r\n\r\n"), "IncompleteBody", kIncomplete);
  expect_error(decode(o, "\r\nabc\r\n0\r\n\r\n"), "IncompleteBody", kIncomplete);
  expect_error(decode(o, "3 \r\nabc\r\n0\r\n\r\n"), "IncompleteBody", kIncomplete);
  expect_error(decode(o, "00000000000000003\r\nabc\r\n0\r\n\r\n"), "IncompleteBody", kIncomplete);
  // Missing CRLF after the data, LF without CR.
  expect_error(decode(o, "3\r\nabc0\r\n\r\n"), "IncompleteBody", kIncomplete);
  expect_error(decode(o, "3\r\nabc\n0\r\n\r\n"), "IncompleteBody", kIncomplete);
  expect_error(decode(o, "3\nabc\r\n0\r\n\r\n"), "IncompleteBody", kIncomplete);
  // Truncated: every proper prefix of a valid body fails at finish().
  const std::string good = "3\r\nabc\r\n0\r\n\r\n";
  for (size_t n = 0; n < good.size(); ++n) expect_error(decode(o, good.substr(0, n)), "IncompleteBody", kIncomplete);
  // Bytes after the end.
  expect_error(decode(o, good + "x"), "IncompleteBody", kIncomplete);
  // A chunk header line longer than allowed.
  expect_error(decode(o, "3;" + std::string(5000, 'x') + "\r\nabc\r\n0\r\n\r\n"), "IncompleteBody", kIncomplete);
}

TEST(AwsChunked, DecodedLengthMustMatch) {
  const std::string payload = pattern(10000);
  Encoder enc;
  std::string body = enc.encode(payload);
  // Declared longer than sent.
  expect_error(decode(unsigned_opts(10001), body), "IncompleteBody", kIncomplete);
  // Declared shorter: the oversize chunk is refused as soon as its header arrives.
  Decoded d = decode(unsigned_opts(9000), body);
  expect_error(d, "IncompleteBody", kIncomplete);
  EXPECT_EQ(d.body, payload.substr(0, 8192));  // the first chunk only
  // A single chunk announcing more than the whole body.
  expect_error(decode(unsigned_opts(3), "ffffffff\r\nabc"), "IncompleteBody", kIncomplete);
}

TEST(AwsChunked, OnlyTheLastChunkMayBeSmall) {
  auto o = unsigned_opts(6);
  Decoded d = decode(o, "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n");
  expect_error(d, "InvalidChunkSizeError", "Only the last chunk is allowed to have a size less than 8192 bytes");
  // 8192 then small: fine.
  const std::string payload = pattern(8200);
  Encoder enc;
  EXPECT_FALSE(decode(unsigned_opts(8200), enc.encode(payload)).error.has_value());
}

// ---------------------------------------------------------------- options from headers

TEST(AwsChunked, OptionsFromHeaders) {
  Headers h;
  h.add("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  h.add("x-amz-decoded-content-length", "1234");
  h.add("x-amz-trailer", "x-amz-checksum-CRC32");
  EXPECT_TRUE(is_aws_chunked(h));
  AwsChunkedOptions o;
  EXPECT_FALSE(aws_chunked_options(h, o).has_value());
  EXPECT_EQ(o.mode, AwsChunkedMode::UnsignedTrailer);
  EXPECT_EQ(o.decoded_length, 1234u);
  EXPECT_EQ(o.trailer_names, std::vector<std::string>{"x-amz-checksum-crc32"});

  h.set("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  EXPECT_FALSE(aws_chunked_options(h, o).has_value());
  EXPECT_EQ(o.mode, AwsChunkedMode::Signed);
  EXPECT_TRUE(o.trailer_names.empty());
  h.set("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
  EXPECT_FALSE(aws_chunked_options(h, o).has_value());
  EXPECT_EQ(o.mode, AwsChunkedMode::SignedTrailer);

  h.set("x-amz-trailer", "x-amz-meta-foo");
  auto e = aws_chunked_options(h, o);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "InvalidRequest");
  EXPECT_EQ(e->message, "The value specified in the x-amz-trailer header is not supported");

  h.remove("x-amz-trailer");
  h.remove("x-amz-decoded-content-length");
  e = aws_chunked_options(h, o);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "MissingContentLength");
  EXPECT_EQ(e->message, "You must provide the Content-Length HTTP header.");
  EXPECT_EQ(e->http_status, 411);

  Headers plain;
  plain.add("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
  EXPECT_FALSE(is_aws_chunked(plain));

  EXPECT_EQ(strip_aws_chunked("aws-chunked"), "");
  EXPECT_EQ(strip_aws_chunked("aws-chunked,gzip"), "gzip");
  EXPECT_EQ(strip_aws_chunked("gzip, aws-chunked"), "gzip");
}

TEST(AwsChunked, DecodeWholeRequestBody) {
  const std::string payload = pattern(9000);
  Encoder enc;
  enc.trailers = {{"x-amz-checksum-sha1", checksum_base64(ChecksumAlgorithm::Sha1, payload)}};
  Request req;
  req.method = "PUT";
  req.headers.add("Content-Encoding", "aws-chunked");
  req.headers.add("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  req.headers.add("x-amz-decoded-content-length", std::to_string(payload.size()));
  req.headers.add("x-amz-trailer", "x-amz-checksum-sha1");
  req.body = enc.encode(payload);
  ASSERT_FALSE(decode_aws_chunked_body(req).has_value());
  EXPECT_EQ(req.body, payload);
  ASSERT_EQ(req.trailers.size(), 1u);
  EXPECT_EQ(req.trailers[0].name, "x-amz-checksum-sha1");

  Request bad = req;
  bad.body = "zz\r\n";
  auto e = decode_aws_chunked_body(bad);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "IncompleteBody");
  EXPECT_EQ(bad.body, "zz\r\n");  // left untouched on error
}

// ---------------------------------------------------------------- checksums

TEST(Checksum, KnownDigests) {
  const std::string check = "123456789";
  EXPECT_EQ(crypto::base64_be32(0xCBF43926u), checksum_base64(ChecksumAlgorithm::Crc32, check));
  EXPECT_EQ(crypto::base64_be32(0xE3069283u), checksum_base64(ChecksumAlgorithm::Crc32c, check));
  EXPECT_EQ(crc64nvme(check), 0xAE8B14860A799888ULL);
  EXPECT_EQ(crc64nvme("56789", crc64nvme("1234")), 0xAE8B14860A799888ULL);  // chainable
  EXPECT_EQ(*crypto::base64_decode(checksum_base64(ChecksumAlgorithm::Crc64Nvme, check)),
            std::string("\xAE\x8B\x14\x86\x0A\x79\x98\x88", 8));
  EXPECT_EQ(crypto::hex(*crypto::base64_decode(checksum_base64(ChecksumAlgorithm::Sha1, "abc"))),
            "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(crypto::hex(*crypto::base64_decode(checksum_base64(ChecksumAlgorithm::Sha256, "abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // Incremental == one shot.
  Checksummer c(ChecksumAlgorithm::Sha256);
  c.update("a");
  c.update("bc");
  EXPECT_EQ(c.base64(), checksum_base64(ChecksumAlgorithm::Sha256, "abc"));
}

TEST(Checksum, NamesAndHeaders) {
  EXPECT_EQ(checksum_from_header("X-Amz-Checksum-CRC32C"), ChecksumAlgorithm::Crc32c);
  EXPECT_EQ(checksum_from_header("x-amz-checksum-md5"), std::nullopt);
  EXPECT_EQ(checksum_from_header("x-amz-checksum-"), std::nullopt);
  EXPECT_EQ(checksum_from_name("SHA256"), ChecksumAlgorithm::Sha256);
  EXPECT_EQ(checksum_from_name("CRC64NVME"), ChecksumAlgorithm::Crc64Nvme);
  EXPECT_EQ(checksum_header(ChecksumAlgorithm::Sha1), "x-amz-checksum-sha1");
  EXPECT_EQ(checksum_name(ChecksumAlgorithm::Crc64Nvme), "CRC64NVME");
}

TEST(Checksum, HeaderVerification) {
  const std::string body = "Hello";
  Headers h;
  EXPECT_FALSE(verify_checksum_headers(h, body).has_value());
  h.add("x-amz-checksum-sha256", checksum_base64(ChecksumAlgorithm::Sha256, body));
  EXPECT_FALSE(verify_checksum_headers(h, body).has_value());
  auto e = verify_checksum_headers(h, "Hellp");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "BadDigest");
  EXPECT_EQ(e->message, "The SHA256 you specified did not match the calculated checksum.");
  EXPECT_EQ(e->http_status, 400);

  Headers bad;
  bad.add("x-amz-checksum-crc32", "AAAA");  // 3 bytes
  e = verify_checksum_headers(bad, body);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "InvalidRequest");
  EXPECT_EQ(e->message, "Value for x-amz-checksum-crc32 header is invalid.");

  Headers two;
  two.add("x-amz-checksum-crc32", checksum_base64(ChecksumAlgorithm::Crc32, body));
  two.add("x-amz-checksum-sha1", checksum_base64(ChecksumAlgorithm::Sha1, body));
  e = verify_checksum_headers(two, body);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "InvalidRequest");
  EXPECT_EQ(e->message, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
}

}  // namespace
}  // namespace awan::http
