#pragma once
// HTTP request/response as the gateway and codecs see them. No Boost here: only src/http's
// server translation unit knows Beast.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "awan/payload.hpp"
#include "awan/websocket.hpp"

namespace awan::http {

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

struct Header {
  std::string name;   // as received / to be sent
  std::string value;
};

class Headers {
 public:
  // First value of a header (case-insensitive name), or nullptr.
  const std::string* find(std::string_view name) const {
    for (const auto& h : items_)
      if (iequals(h.name, name)) return &h.value;
    return nullptr;
  }
  std::string_view get(std::string_view name) const {
    const std::string* v = find(name);
    return v ? std::string_view(*v) : std::string_view();
  }
  bool has(std::string_view name) const { return find(name) != nullptr; }
  void add(std::string name, std::string value) { items_.push_back({std::move(name), std::move(value)}); }
  // Replaces every header of that name.
  void set(std::string name, std::string value) {
    remove(name);
    add(std::move(name), std::move(value));
  }
  void remove(std::string_view name) {
    items_.erase(std::remove_if(items_.begin(), items_.end(), [&](const Header& h) { return iequals(h.name, name); }),
                 items_.end());
  }
  const std::vector<Header>& items() const { return items_; }
  std::vector<Header>& items() { return items_; }
  size_t size() const { return items_.size(); }

 private:
  std::vector<Header> items_;
};

// A request body spooled to a temporary file by the server (bodies above the spool threshold,
// and chunked bodies); the file is removed when the last reference goes, unless a service moved
// it into place (PayloadFile::move_to).
using BodyFile = PayloadFile;

struct Request {
  std::string method;   // "GET", "POST", ...
  std::string target;   // raw request target ("/path?query")
  std::string path;     // raw (percent-encoded) path, before '?'
  std::string query;    // raw query string, after '?' (no '?')
  Headers headers;
  std::string body;     // decoded body (chunked and aws-chunked framing removed)
  // When set, the body is in this file and `body` is empty (see load_body_file).
  std::shared_ptr<BodyFile> body_file;
  std::vector<Header> trailers;  // aws-chunked trailers (e.g. x-amz-checksum-crc32)
  std::string remote_address;
  bool https = false;  // arrived on the HTTPS listener
  // The declared or received body exceeded the server's limit: the body was not read and the
  // connection closes after the answer.
  bool body_too_large = false;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // HEAD responses and some S3 ones announce a Content-Length without sending a body.
  bool omit_body = false;
  std::string content_length_override;  // when non-empty and omit_body: the Content-Length sent
  // A file-backed body: these file ranges are sent one after another after the header
  // (sendfile, one range at a time; a range whose file has no descriptor is opened when it is
  // reached), and `body` is ignored.
  std::vector<FileRange> body_files;
  // The answer to a WebSocket upgrade request (status 101): the server completes the handshake
  // with these headers added and hands the connection to this listener.
  std::shared_ptr<WebSocketListener> websocket;
};

// "GET" with Upgrade: websocket, Connection: upgrade, Sec-WebSocket-Version 13 and a key.
bool is_websocket_upgrade(const Request& req);

}  // namespace awan::http
