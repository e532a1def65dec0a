#pragma once
// Incremental decoder for S3 "aws-chunked" bodies (x-amz-content-sha256: STREAMING-...):
//
//   <hex-size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n
//   [<trailer-name>:<value>\r\n ... [x-amz-trailer-signature:<sig>\r\n]]\r\n
//
// Bytes are fed as they arrive and decoded payload is handed to a sink, so bodies need not be
// held whole. Framing errors, the decoded length (x-amz-decoded-content-length), the trailers
// declared in x-amz-trailer, their checksums and (optionally) the chunk and trailer signatures
// are checked, with the errors S3 returns.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awan/error.hpp"
#include "core/checksum.hpp"
#include "http/message.hpp"

namespace awan::http {

enum class AwsChunkedMode : uint8_t {
  UnsignedTrailer,  // STREAMING-UNSIGNED-PAYLOAD-TRAILER: no chunk signatures, trailers
  Signed,           // STREAMING-AWS4-HMAC-SHA256-PAYLOAD: chunk signatures, no trailers
  SignedTrailer,    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: both, plus x-amz-trailer-signature
};

// What chunk-signature verification needs (filled from the verified SigV4 request: see
// sigv4::signing_key and the request's signature).
struct ChunkSigningContext {
  std::string signing_key;     // raw 32-byte SigV4 signing key
  std::string amz_date;        // the request's X-Amz-Date (20130524T000000Z)
  std::string scope;           // 20130524/us-east-1/s3/aws4_request
  std::string seed_signature;  // the request's own signature (hex)
};

// Signature of one chunk given the previous signature and the chunk data:
// HMAC(key, "AWS4-HMAC-SHA256-PAYLOAD\n" date "\n" scope "\n" prev "\n" hash("") "\n" hash(data)).
std::string chunk_signature(const ChunkSigningContext& ctx, std::string_view previous_signature,
                            std::string_view data);
// Same from the hex SHA-256 of the data (incremental hashing).
std::string chunk_signature_from_hash(const ChunkSigningContext& ctx, std::string_view previous_signature,
                                      std::string_view data_sha256_hex);
// Signature of the trailers: HMAC(key, "AWS4-HMAC-SHA256-TRAILER\n" date "\n" scope "\n" prev "\n"
// hash("name:value\n"...)), `canonical_trailers` being the "name:value\n" lines.
std::string trailer_signature(const ChunkSigningContext& ctx, std::string_view previous_signature,
                              std::string_view canonical_trailers);

struct AwsChunkedOptions {
  AwsChunkedMode mode = AwsChunkedMode::UnsignedTrailer;
  uint64_t decoded_length = 0;              // x-amz-decoded-content-length
  std::vector<std::string> trailer_names;   // x-amz-trailer, lower-case
  std::optional<ChunkSigningContext> signing;  // verify signatures (signed modes) when set
  size_t min_chunk_size = 8192;             // every chunk but the last must be at least this
  size_t max_line = 4096;                   // longest chunk header / trailer line
};

// True when the request body is aws-chunked framed (x-amz-content-sha256: STREAMING-...).
bool is_aws_chunked(const Headers& headers);
// Options from the request headers: mode from x-amz-content-sha256, x-amz-decoded-content-length
// (missing -> MissingContentLength 411), x-amz-trailer (unsupported -> InvalidRequest).
// No signing context: set options.signing to verify chunk signatures.
std::optional<AwsError> aws_chunked_options(const Headers& headers, AwsChunkedOptions& out);
// Content-Encoding with "aws-chunked" removed ("aws-chunked,gzip" -> "gzip", "aws-chunked" -> "").
std::string strip_aws_chunked(std::string_view content_encoding);

// Decodes a whole, already received aws-chunked req.body in place: req.body becomes the payload
// and req.trailers the trailers. Headers are left as they are (the SigV4 signature covers
// them as sent). Options come from the headers (aws_chunked_options); `signing` enables chunk
// signature verification.
std::optional<AwsError> decode_aws_chunked_body(Request& req,
                                                const std::optional<ChunkSigningContext>& signing = std::nullopt);

class AwsChunkedDecoder {
 public:
  using Sink = std::function<void(std::string_view)>;

  AwsChunkedDecoder(AwsChunkedOptions options, Sink sink);
  ~AwsChunkedDecoder();
  AwsChunkedDecoder(const AwsChunkedDecoder&) = delete;
  AwsChunkedDecoder& operator=(const AwsChunkedDecoder&) = delete;

  // Feeds raw body bytes. Returns the error once the body is known to be bad; the error is
  // sticky (later calls return it again). Decoded bytes reach the sink before their chunk's
  // signature is checked: discard the sink's output when an error is returned.
  std::optional<AwsError> feed(std::string_view data);
  // Call when the body has ended: IncompleteBody when the framing is not complete.
  std::optional<AwsError> finish();

  bool done() const;
  uint64_t decoded_bytes() const { return decoded_; }
  // Trailers received (lower-case names, trimmed values; x-amz-trailer-signature excluded).
  const std::vector<Header>& trailers() const { return trailers_; }

 private:
  enum class State : uint8_t { SizeLine, Data, DataCr, DataLf, TrailerLine, Done, Failed };
  std::optional<AwsError> fail(AwsError e);
  std::optional<AwsError> on_size_line(std::string_view line);
  std::optional<AwsError> on_chunk_end();
  std::optional<AwsError> on_trailer_line(std::string_view line);
  std::optional<AwsError> on_end();

  AwsChunkedOptions opts_;
  Sink sink_;
  State state_ = State::SizeLine;
  std::string line_;
  uint64_t remaining_ = 0;       // data bytes left in the current chunk
  uint64_t chunk_size_ = 0;
  uint64_t decoded_ = 0;
  uint64_t chunk_count_ = 0;
  bool previous_small_ = false;  // a data chunk smaller than min_chunk_size was seen
  bool final_chunk_ = false;
  std::string chunk_sig_;        // signature announced by the current chunk header
  std::string previous_sig_;
  std::string trailer_sig_;
  std::string canonical_trailers_;
  void* chunk_hash_ = nullptr;   // EVP_MD_CTX* (signed modes with verification)
  std::optional<Checksummer> checksum_;  // the declared trailer checksum, computed as data flows
  std::vector<Header> trailers_;
  std::optional<AwsError> error_;
};

}  // namespace awan::http
