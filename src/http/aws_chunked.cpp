#include "http/aws_chunked.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

#include "core/crypto.hpp"
#include "core/text.hpp"

namespace awan::http {

namespace {

constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr size_t kMaxTrailers = 16;

AwsError incomplete_body() { return {"IncompleteBody", "The request body terminated unexpectedly", 400}; }

AwsError malformed_trailer() {
  return {"MalformedTrailerError",
          "The request contained trailing data that was not well-formed or did not conform to our published schema.",
          400};
}

AwsError signature_mismatch() {
  return {"SignatureDoesNotMatch",
          "The request signature we calculated does not match the signature you provided. Check your key and signing "
          "method.",
          403};
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) { return text::ascii_lower(s); }
int hex_value(char c) { return text::hex_digit_value(c); }
using crypto::constant_time_equals;

std::string sign_string(const ChunkSigningContext& ctx, std::string_view algorithm, std::string_view previous,
                        std::string_view tail) {
  std::string sts;
  sts.reserve(algorithm.size() + ctx.amz_date.size() + ctx.scope.size() + previous.size() + tail.size() + 8);
  sts.append(algorithm).append("\n").append(ctx.amz_date).append("\n").append(ctx.scope).append("\n");
  sts.append(previous).append("\n").append(tail);
  return crypto::hex(crypto::hmac_sha256(ctx.signing_key, sts));
}

EVP_MD_CTX* md(void* p) { return static_cast<EVP_MD_CTX*>(p); }

}  // namespace

std::string chunk_signature_from_hash(const ChunkSigningContext& ctx, std::string_view previous,
                                      std::string_view data_sha256_hex) {
  std::string tail(kEmptySha256);
  tail += '\n';
  tail.append(data_sha256_hex);
  return sign_string(ctx, "AWS4-HMAC-SHA256-PAYLOAD", previous, tail);
}

std::string chunk_signature(const ChunkSigningContext& ctx, std::string_view previous, std::string_view data) {
  return chunk_signature_from_hash(ctx, previous, crypto::sha256_hex(data));
}

std::string trailer_signature(const ChunkSigningContext& ctx, std::string_view previous,
                              std::string_view canonical_trailers) {
  return sign_string(ctx, "AWS4-HMAC-SHA256-TRAILER", previous, crypto::sha256_hex(canonical_trailers));
}

bool is_aws_chunked(const Headers& headers) {
  std::string_view sha = trim(headers.get("x-amz-content-sha256"));
  return sha.substr(0, 10) == "STREAMING-";
}

std::optional<AwsError> aws_chunked_options(const Headers& headers, AwsChunkedOptions& out) {
  std::string_view sha = trim(headers.get("x-amz-content-sha256"));
  if (sha == "STREAMING-UNSIGNED-PAYLOAD-TRAILER") {
    out.mode = AwsChunkedMode::UnsignedTrailer;
  } else if (sha == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" || sha == "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD") {
    out.mode = AwsChunkedMode::Signed;
  } else if (sha == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" ||
             sha == "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER") {
    out.mode = AwsChunkedMode::SignedTrailer;
  } else {
    return AwsError{"InvalidArgument",
                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
                    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
                    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a "
                    "valid sha256 value.",
                    400};
  }
  std::string_view len = trim(headers.get("x-amz-decoded-content-length"));
  if (len.empty() || len.size() > 19 || !std::all_of(len.begin(), len.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return AwsError{"MissingContentLength", "You must provide the Content-Length HTTP header.", 411};
  out.decoded_length = std::stoull(std::string(len));
  out.trailer_names.clear();
  if (out.mode != AwsChunkedMode::Signed) {
    std::string_view t = headers.get("x-amz-trailer");
    size_t pos = 0;
    while (pos < t.size()) {
      size_t comma = t.find(',', pos);
      if (comma == std::string_view::npos) comma = t.size();
      std::string_view name = trim(t.substr(pos, comma - pos));
      pos = comma + 1;
      if (name.empty()) continue;
      if (!checksum_from_header(name))
        return AwsError{"InvalidRequest", "The value specified in the x-amz-trailer header is not supported", 400};
      out.trailer_names.push_back(lower(name));
    }
  }
  return std::nullopt;
}

std::string strip_aws_chunked(std::string_view ce) {
  std::string out;
  size_t pos = 0;
  while (pos < ce.size()) {
    size_t comma = ce.find(',', pos);
    if (comma == std::string_view::npos) comma = ce.size();
    std::string_view item = trim(ce.substr(pos, comma - pos));
    pos = comma + 1;
    if (item.empty() || lower(item) == "aws-chunked") continue;
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

std::optional<AwsError> decode_aws_chunked_body(Request& req, const std::optional<ChunkSigningContext>& signing) {
  AwsChunkedOptions opts;
  if (auto e = aws_chunked_options(req.headers, opts)) return e;
  opts.signing = signing;
  std::string payload;
  payload.reserve(static_cast<size_t>(std::min<uint64_t>(opts.decoded_length, req.body.size())));
  AwsChunkedDecoder dec(std::move(opts), [&](std::string_view piece) { payload.append(piece); });
  if (auto e = dec.feed(req.body)) return e;
  if (auto e = dec.finish()) return e;
  req.body = std::move(payload);
  req.trailers = dec.trailers();
  return std::nullopt;
}

// ---------------------------------------------------------------- decoder

AwsChunkedDecoder::AwsChunkedDecoder(AwsChunkedOptions options, Sink sink)
    : opts_(std::move(options)), sink_(std::move(sink)) {
  if (opts_.mode == AwsChunkedMode::UnsignedTrailer) opts_.signing.reset();
  if (opts_.signing) {
    previous_sig_ = opts_.signing->seed_signature;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (!ctx) throw std::runtime_error("EVP_MD_CTX_new failed");
    chunk_hash_ = ctx;
  }
  for (const std::string& name : opts_.trailer_names) {
    if (auto a = checksum_from_header(name)) {
      checksum_.emplace(*a);
      break;
    }
  }
}

AwsChunkedDecoder::~AwsChunkedDecoder() { EVP_MD_CTX_free(md(chunk_hash_)); }

bool AwsChunkedDecoder::done() const { return state_ == State::Done; }

std::optional<AwsError> AwsChunkedDecoder::fail(AwsError e) {
  state_ = State::Failed;
  error_ = std::move(e);
  return error_;
}

std::optional<AwsError> AwsChunkedDecoder::feed(std::string_view data) {
  if (error_) return error_;
  size_t i = 0;
  while (i < data.size()) {
    switch (state_) {
      case State::SizeLine:
      case State::TrailerLine: {
        size_t nl = data.find('\n', i);
        size_t end = nl == std::string_view::npos ? data.size() : nl;
        if (line_.size() + (end - i) > opts_.max_line + 1) return fail(incomplete_body());
        line_.append(data.substr(i, end - i));
        if (nl == std::string_view::npos) {
          i = data.size();
          break;
        }
        i = nl + 1;
        if (line_.empty() || line_.back() != '\r') return fail(incomplete_body());
        line_.pop_back();
        std::string line;
        line.swap(line_);
        auto e = state_ == State::SizeLine ? on_size_line(line) : on_trailer_line(line);
        if (e) return fail(std::move(*e));
        break;
      }
      case State::Data: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size() - i));
        std::string_view piece = data.substr(i, n);
        if (chunk_hash_) EVP_DigestUpdate(md(chunk_hash_), piece.data(), piece.size());
        if (checksum_) checksum_->update(piece);
        if (sink_) sink_(piece);
        remaining_ -= n;
        decoded_ += n;
        i += n;
        if (remaining_ == 0) state_ = State::DataCr;
        break;
      }
      case State::DataCr:
        if (data[i++] != '\r') return fail(incomplete_body());
        state_ = State::DataLf;
        break;
      case State::DataLf: {
        if (data[i++] != '\n') return fail(incomplete_body());
        if (auto e = on_chunk_end()) return fail(std::move(*e));
        state_ = State::SizeLine;
        break;
      }
      case State::Done:
        return fail(incomplete_body());  // bytes after the end of the encoding
      case State::Failed:
        return error_;
    }
  }
  return std::nullopt;
}

std::optional<AwsError> AwsChunkedDecoder::finish() {
  if (error_) return error_;
  if (state_ != State::Done) return fail(incomplete_body());
  return std::nullopt;
}

std::optional<AwsError> AwsChunkedDecoder::on_size_line(std::string_view line) {
  size_t digits = 0;
  uint64_t size = 0;
  while (digits < line.size() && hex_value(line[digits]) >= 0) {
    if (digits == 16) return incomplete_body();
    size = size * 16 + static_cast<uint64_t>(hex_value(line[digits]));
    ++digits;
  }
  if (digits == 0) return incomplete_body();
  std::string_view ext = line.substr(digits);
  chunk_sig_.clear();
  bool have_sig = false;
  if (!ext.empty()) {
    if (ext.front() != ';') return incomplete_body();
    size_t pos = 1;
    while (pos <= ext.size()) {
      size_t semi = ext.find(';', pos);
      if (semi == std::string_view::npos) semi = ext.size();
      std::string_view item = ext.substr(pos, semi - pos);
      pos = semi + 1;
      if (item.substr(0, 16) == "chunk-signature=") {
        chunk_sig_ = item.substr(16);
        have_sig = true;
      }
    }
  }
  const bool signed_mode = opts_.mode != AwsChunkedMode::UnsignedTrailer;
  if (signed_mode && !have_sig) return incomplete_body();

  if (size > 0) {
    if (previous_small_) {
      return AwsError{"InvalidChunkSizeError",
                      "Only the last chunk is allowed to have a size less than " +
                          std::to_string(opts_.min_chunk_size) + " bytes",
                      400};
    }
    if (size > opts_.decoded_length - decoded_) return incomplete_body();
    previous_small_ = size < opts_.min_chunk_size;
    ++chunk_count_;
    chunk_size_ = size;
    remaining_ = size;
    if (chunk_hash_) EVP_DigestInit_ex(md(chunk_hash_), EVP_sha256(), nullptr);
    state_ = State::Data;
    return std::nullopt;
  }

  // The final, empty chunk.
  final_chunk_ = true;
  if (decoded_ != opts_.decoded_length) return incomplete_body();
  if (opts_.signing) {
    std::string expected = chunk_signature_from_hash(*opts_.signing, previous_sig_, kEmptySha256);
    if (!constant_time_equals(expected, chunk_sig_)) return signature_mismatch();
    previous_sig_ = chunk_sig_;
  }
  state_ = State::TrailerLine;
  return std::nullopt;
}

std::optional<AwsError> AwsChunkedDecoder::on_chunk_end() {
  if (!opts_.signing) return std::nullopt;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(md(chunk_hash_), out, &len);
  std::string hash = crypto::hex(std::string_view(reinterpret_cast<const char*>(out), len));
  std::string expected = chunk_signature_from_hash(*opts_.signing, previous_sig_, hash);
  if (!constant_time_equals(expected, chunk_sig_)) return signature_mismatch();
  previous_sig_ = chunk_sig_;
  return std::nullopt;
}

std::optional<AwsError> AwsChunkedDecoder::on_trailer_line(std::string_view line) {
  if (line.empty()) return on_end();
  if (opts_.mode == AwsChunkedMode::Signed) return incomplete_body();
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return malformed_trailer();
  std::string name = lower(trim(line.substr(0, colon)));
  std::string_view value = trim(line.substr(colon + 1));
  if (name.empty()) return malformed_trailer();
  if (name == "x-amz-trailer-signature") {
    if (opts_.mode != AwsChunkedMode::SignedTrailer || !trailer_sig_.empty()) return malformed_trailer();
    trailer_sig_ = value;
    return std::nullopt;
  }
  if (trailers_.size() >= kMaxTrailers) return malformed_trailer();
  canonical_trailers_.append(name).append(":").append(value).append("\n");
  trailers_.push_back({std::move(name), std::string(value)});
  return std::nullopt;
}

std::optional<AwsError> AwsChunkedDecoder::on_end() {
  const bool signed_trailer = opts_.mode == AwsChunkedMode::SignedTrailer;
  // Every trailer received must have been declared in x-amz-trailer, and be a known checksum.
  for (const Header& t : trailers_) {
    if (std::find(opts_.trailer_names.begin(), opts_.trailer_names.end(), t.name) == opts_.trailer_names.end())
      return malformed_trailer();
    if (!checksum_from_header(t.name)) return malformed_trailer();
  }
  // Every declared trailer must be present.
  for (const std::string& name : opts_.trailer_names) {
    bool found = std::any_of(trailers_.begin(), trailers_.end(), [&](const Header& t) { return t.name == name; });
    if (!found) return signed_trailer ? incomplete_body() : malformed_trailer();
  }
  if (signed_trailer && opts_.signing) {
    if (trailer_sig_.empty()) return incomplete_body();
    std::string expected = trailer_signature(*opts_.signing, previous_sig_, canonical_trailers_);
    if (!constant_time_equals(expected, trailer_sig_)) return signature_mismatch();
  }
  if (checksum_) {
    std::string_view header = checksum_header(checksum_->algorithm());
    for (const Header& t : trailers_) {
      if (t.name != header) continue;
      if (auto e = check_checksum(checksum_->algorithm(), t.value, checksum_->base64(), true)) return e;
      break;
    }
  }
  state_ = State::Done;
  return std::nullopt;
}

}  // namespace awan::http
