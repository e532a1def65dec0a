#pragma once
// A blocking loopback client for the HTTP server's unit tests (server_test.cpp,
// file_response_test.cpp): send bytes, read with a deadline, read one whole response.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <string_view>

namespace awan::http {

using namespace std::chrono_literals;

// A TCP socket connected to 127.0.0.1:port (a test failure when it cannot connect).
inline int connect_loopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) ADD_FAILURE() << "connect failed";
  return fd;
}

class Client {
 public:
  explicit Client(uint16_t port) : fd_(connect_loopback(port)) {}
  ~Client() { ::close(fd_); }
  void send(std::string_view s) { ASSERT_EQ(::send(fd_, s.data(), s.size(), MSG_NOSIGNAL), (ssize_t)s.size()); }
  // Reads until `want` bytes arrived, the peer closed, or `timeout` passed.
  std::string read(size_t want, std::chrono::milliseconds timeout = 2000ms) {
    std::string out;
    auto end = std::chrono::steady_clock::now() + timeout;
    while (out.size() < want) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[65536];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  // One whole response (headers and Content-Length body).
  std::string response() {
    std::string r;
    while (r.find("\r\n\r\n") == std::string::npos) {
      std::string more = read(1, 2000ms);
      if (more.empty()) return r;
      r += more;
    }
    size_t head_end = r.find("\r\n\r\n") + 4;
    size_t len = 0;
    auto cl = r.find("Content-Length: ");
    if (cl != std::string::npos && cl < head_end && r.compare(0, 5, "HEAD ") != 0) len = std::stoul(r.substr(cl + 16));
    if (r.size() < head_end + len) r += read(head_end + len - r.size());
    return r;
  }
  bool closed() const { return closed_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  bool closed_ = false;
};

}  // namespace awan::http
