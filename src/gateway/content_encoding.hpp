#pragma once
// Compressed request bodies (Content-Encoding: gzip, as the SDKs send for operations with the
// requestCompression trait and DynamoDB accepts): inflated after authentication (the signature
// covers the compressed bytes) and before the codecs, for every service but S3 (whose
// Content-Encoding is object metadata, stored as sent). Neighbours: request_limits.hpp (the
// inflated body obeys the same limit), authenticate.hpp.
#include <cstdint>
#include <optional>

#include "awan/error.hpp"
#include "gateway/router.hpp"
#include "http/message.hpp"

namespace awan::gateway {

// Inflates a gzip (or deflate) body in place and removes that coding from Content-Encoding;
// an error for a body that does not inflate or inflates beyond `max_bytes`. Requests without
// such a coding, and S3 requests, are left alone.
std::optional<AwsError> decode_content_encoding(http::Request& req, const Route& route, uint64_t max_bytes);

}  // namespace awan::gateway
