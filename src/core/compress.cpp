// gzip and deflate bodies (compress.hpp).
#include "core/compress.hpp"

#include <zlib.h>

#include <cctype>

namespace awan::compress {

namespace {
int window_bits(Encoding e) { return e == Encoding::gzip ? 15 + 16 : 15; }

// The q value of `coding` in an Accept-Encoding list (-1 when not listed).
double q_of(std::string_view header, std::string_view coding) {
  size_t pos = 0;
  double star = -1;
  while (pos <= header.size()) {
    size_t comma = header.find(',', pos);
    std::string_view item = header.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? header.size() + 1 : comma + 1;
    size_t semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    double q = 1;
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      auto at = params.find("q=");
      if (at != std::string_view::npos) q = std::atof(std::string(params.substr(at + 2)).c_str());
    }
    bool same = name.size() == coding.size();
    for (size_t i = 0; same && i < name.size(); ++i)
      same = std::tolower(static_cast<unsigned char>(name[i])) == coding[i];
    if (same) return q;
    if (name == "*") star = q;
  }
  return star;
}
}  // namespace

Encoding negotiate(std::string_view accept_encoding) {
  if (accept_encoding.empty()) return Encoding::identity;
  if (q_of(accept_encoding, "gzip") > 0) return Encoding::gzip;
  if (q_of(accept_encoding, "deflate") > 0) return Encoding::deflate;
  return Encoding::identity;
}

std::optional<std::string> encode(std::string_view data, Encoding encoding) {
  if (encoding == Encoding::identity) return std::string(data);
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits(encoding), 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return std::nullopt;
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  size_t n = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  out.resize(n);
  return out;
}

std::optional<std::string> decode(std::string_view data, Encoding encoding, size_t max_output, bool* too_large) {
  if (too_large) *too_large = false;
  if (encoding == Encoding::identity) {
    if (data.size() > max_output) {
      if (too_large) *too_large = true;
      return std::nullopt;
    }
    return std::string(data);
  }
  z_stream z{};
  if (inflateInit2(&z, window_bits(encoding)) != Z_OK) return std::nullopt;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof buf - z.avail_out);
    if (out.size() > max_output) break;
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) break;  // truncated
  }
  inflateEnd(&z);
  if (out.size() > max_output) {
    if (too_large) *too_large = true;
    return std::nullopt;
  }
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

}  // namespace awan::compress
