#pragma once
// Helpers shared by the libFuzzer targets in fuzz/: turn fuzzer bytes into an http::Request.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/message.hpp"

namespace awan::fuzz {

// Input layout: "METHOD TARGET\n" then "Name: value\n" header lines, a blank line, the body.
// Anything malformed is taken as it comes (a missing blank line: no body), never rejected.
inline http::Request request_from_bytes(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  http::Request req;
  size_t eol = in.find('\n');
  std::string_view first = in.substr(0, eol);
  size_t sp = first.find(' ');
  req.method = std::string(first.substr(0, sp));
  req.target = sp == std::string_view::npos ? std::string("/") : std::string(first.substr(sp + 1));
  size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) req.query = req.target.substr(q + 1);
  if (eol == std::string_view::npos) return req;
  in.remove_prefix(eol + 1);
  while (!in.empty()) {
    eol = in.find('\n');
    std::string_view line = in.substr(0, eol);
    in.remove_prefix(eol == std::string_view::npos ? in.size() : eol + 1);
    if (line.empty()) {
      req.body = std::string(in);
      break;
    }
    size_t colon = line.find(':');
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.headers.add(std::string(line.substr(0, colon)), std::string(value));
  }
  return req;
}

}  // namespace awan::fuzz
