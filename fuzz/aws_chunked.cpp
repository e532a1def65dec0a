// libFuzzer target: aws-chunked decoding (http/aws_chunked.hpp, http/body_file.hpp), the
// in-memory decoder and the file-to-file one, with and without chunk signature verification.
// Input: fuzz::request_from_bytes; the headers give the options (x-amz-content-sha256,
// x-amz-decoded-content-length, x-amz-trailer), "x-fuzz-step: N" feeds the decoder N bytes at a
// time, "x-fuzz-signed" verifies signatures with the S3 documentation's example key. Besides
// crashes, leaks and UB, the decoders must agree: fed whole or piecewise, in memory or from a
// file, a body is accepted or refused alike, and an accepted one decodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "core/crypto.hpp"
#include "fuzz/fuzz_request.hpp"
#include "http/aws_chunked.hpp"
#include "http/body_file.hpp"

namespace {
using namespace awan;

const http::ChunkSigningContext& example_signing() {
  static const http::ChunkSigningContext ctx = [] {
    std::string k = crypto::hmac_sha256("AWS4wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524");
    k = crypto::hmac_sha256(k, "us-east-1");
    k = crypto::hmac_sha256(k, "s3");
    k = crypto::hmac_sha256(k, "aws4_request");
    return http::ChunkSigningContext{k, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
                                     "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"};
  }();
  return ctx;
}

struct Outcome {
  bool ok = false;
  std::string code;
  std::string body;
  size_t trailers = 0;
};

Outcome feed(const http::AwsChunkedOptions& opts, std::string_view body, size_t step) {
  Outcome o;
  http::AwsChunkedDecoder dec(opts, [&](std::string_view piece) { o.body.append(piece); });
  std::optional<AwsError> err;
  for (size_t pos = 0; pos < body.size() && !err; pos += step) err = dec.feed(body.substr(pos, step));
  if (!err) err = dec.finish();
  if (err) {
    o.code = err->code;
    if (dec.feed("x") == std::nullopt) std::abort();  // errors are sticky
  } else {
    o.ok = true;
    if (!dec.done() || dec.decoded_bytes() != opts.decoded_length) std::abort();
  }
  o.trailers = dec.trailers().size();
  return o;
}

void same(const Outcome& a, const Outcome& b) {
  if (a.ok != b.ok) std::abort();
  if (a.ok && (a.body != b.body || a.trailers != b.trailers)) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::Request req = fuzz::request_from_bytes(data, size);
  std::optional<http::ChunkSigningContext> signing;
  if (req.headers.has("x-fuzz-signed")) signing = example_signing();
  size_t step = 0;
  if (auto s = req.headers.find("x-fuzz-step")) step = static_cast<size_t>(std::strtoul(s->c_str(), nullptr, 10));
  if (step == 0 || step > req.body.size()) step = req.body.empty() ? 1 : req.body.size();

  http::AwsChunkedOptions opts;
  auto opt_err = http::aws_chunked_options(req.headers, opts);
  opts.signing = signing;

  // The whole-body helper, on a copy (it decodes in place).
  http::Request in_memory = req;
  auto mem_err = http::decode_aws_chunked_body(in_memory, signing);
  if (opt_err) {
    if (!mem_err || mem_err->code != opt_err->code) std::abort();
    return 0;
  }
  Outcome whole = feed(opts, req.body, req.body.empty() ? 1 : req.body.size());
  Outcome pieces = feed(opts, req.body, step);
  same(whole, pieces);
  Outcome mem{!mem_err, mem_err ? mem_err->code : "", mem_err ? "" : in_memory.body, in_memory.trailers.size()};
  same(whole, mem);

  // The file decoder, from a spooled copy of the body.
  http::Request spooled = req;
  spooled.body.clear();
  spooled.body_file = http::make_body_file();
  if (!spooled.body_file) return 0;
  if (std::FILE* fp = std::fopen(spooled.body_file->path().c_str(), "wb")) {
    std::fwrite(req.body.data(), 1, req.body.size(), fp);
    std::fclose(fp);
  } else {
    return 0;
  }
  spooled.body_file->set_size(req.body.size());
  auto file_err = http::decode_aws_chunked_file(spooled, signing);
  Outcome file{!file_err, file_err ? file_err->code : "", "", spooled.trailers.size()};
  if (!file_err) {
    std::ifstream f(spooled.body_file->path(), std::ios::binary);
    file.body.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    if (file.body.size() != spooled.body_file->size()) std::abort();
  }
  same(whole, file);
  return 0;
}
