#pragma once
// The digests of an upload that the HTTP layer computes while the body arrives (the
// ServerOptions::spool_digester stage), so that S3 stores a large PutObject or UploadPart
// without reading it again: the MD5 ETag, the default CRC64NVME, the checksum the request
// names (x-amz-checksum-*, x-amz-sdk-checksum-algorithm, x-amz-trailer) and the SHA-256 that
// x-amz-content-sha256 claims. Neighbours: http/server.hpp (the hashing), s3/object_support
// (PayloadHasher::adopt, the use).
#include <memory>

#include "awan/payload.hpp"
#include "http/message.hpp"

namespace awan::gateway {

// A digester for the payload of an S3 object or part upload (PUT without x-amz-copy-source),
// nullptr for any other request. `decoded`: the digests are of the payload after aws-chunked
// decoding (decode_aws_chunked_file); otherwise an aws-chunked request gets none, since the
// bytes received are its framing.
std::unique_ptr<PayloadDigester> upload_digester(const http::Request& head, bool decoded = false);

}  // namespace awan::gateway
