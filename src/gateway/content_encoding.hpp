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
// such a coding, and S3 requests, are left alone. DynamoDB, as AWS's does, answers 500
// InternalServerError to a body that does not inflate (an empty one too) and to a coding other
// than gzip, deflate and identity; elsewhere those are a SerializationException and passed on.
std::optional<AwsError> decode_content_encoding(http::Request& req, const Route& route, uint64_t max_bytes);

}  // namespace awan::gateway
