#pragma once
// Spooled request bodies: streaming aws-chunked decoding from file to file, and loading a
// spooled body into memory for the codecs that need the bytes.
#include <optional>
#include <string>

#include "awan/error.hpp"
#include "http/aws_chunked.hpp"
#include "http/message.hpp"

namespace awan::http {

// A new empty temporary file in `dir` ($TMPDIR or /tmp when empty); nullptr on failure.
std::shared_ptr<BodyFile> make_body_file(const std::string& dir = "");

// Moves a spooled body into req.body (at most `max_bytes`, else RequestEntityTooLarge).
std::optional<AwsError> load_body_file(Request& req, uint64_t max_bytes);

// Decodes an aws-chunked body held in req.body_file into a new spooled file, streaming with
// bounded memory; req.body_file becomes the decoded payload and req.trailers its trailers. The
// decoded bytes go through `digester` too (when given), whose digests the new file carries.
std::optional<AwsError> decode_aws_chunked_file(Request& req, const std::optional<ChunkSigningContext>& signing,
                                                std::unique_ptr<PayloadDigester> digester = nullptr);

}  // namespace awan::http
