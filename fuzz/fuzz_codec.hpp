#pragma once
// Helper shared by the codec fuzz targets: decode a request, then encode what came out (the
// output document, or the error) with the same codec.
#include <variant>

#include <nlohmann/json.hpp>

#include "http/message.hpp"
#include "protocol/codec.hpp"

namespace awan::fuzz {

inline void decode_and_encode(const protocol::Codec& codec, const http::Request& req) {
  auto decoded = codec.decode(req);
  http::Response out;
  if (auto* d = std::get_if<protocol::Decoded>(&decoded)) {
    codec.encode_output(d->operation, *d->input, protocol::EncodeContext{}, out);
  } else {
    codec.encode_error(std::get<AwsError>(decoded), protocol::EncodeContext{}, out);
  }
}

}  // namespace awan::fuzz
