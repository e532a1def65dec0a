// The HTTP server over real sockets: framing of the answers it serialises itself (status line,
// Content-Length, HEAD, 204, Connection for HTTP/1.0 and 1.1), keep-alive and pipelining,
// answers completed from another thread, large answers to a slow reader (the asynchronous
// write path), and the read and idle deadlines enforced by the sweeper.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "http/server.hpp"

namespace awan::http {
namespace {

using namespace std::chrono_literals;

class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) ADD_FAILURE() << "connect failed";
  }
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

 private:
  int fd_ = -1;
  bool closed_ = false;
};

struct ServerTest : ::testing::Test {
  std::unique_ptr<Server> server;
  void start(Handler h, ServerOptions o = {}) {
    o.port = 0;
    o.threads = 2;
    server = std::make_unique<Server>(o, std::move(h));
    server->start();
  }
  void TearDown() override {
    if (server) server->stop(100ms);
  }
};

Handler echo_path() {
  return [](Request&& req, Responder respond) {
    Response r;
    if (req.path == "/empty") {
      r.status = 204;
    } else {
      r.headers.add("Content-Type", "text/plain");
      r.body = req.method + " " + req.path + " " + req.body;
    }
    respond(std::move(r));
  };
}

TEST_F(ServerTest, SerialisesStatusHeadersAndBody) {
  start(echo_path());
  Client c(server->port());
  c.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz");
  std::string r = c.response();
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("Content-Type: text/plain\r\n"), std::string::npos);
  EXPECT_NE(r.find("Content-Length: 11\r\n"), std::string::npos);
  EXPECT_EQ(r.find("Connection:"), std::string::npos);  // HTTP/1.1 keep-alive is the default
  EXPECT_EQ(r.substr(r.size() - 11), "POST /a xyz");
}

TEST_F(ServerTest, KeepAliveAndPipelining) {
  start(echo_path());
  Client c(server->port());
  c.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string a = c.response();
  EXPECT_NE(a.find("GET /one "), std::string::npos) << a;
  std::string rest = a.substr(a.find("GET /one ") + 9);
  std::string b = rest.empty() ? c.response() : rest + c.response();
  EXPECT_NE(b.find("GET /two "), std::string::npos) << b;
  c.send("GET /three HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(c.response().find("GET /three "), std::string::npos);
}

TEST_F(ServerTest, HeadAnnouncesLengthWithoutBody) {
  start(echo_path());
  Client c(server->port());
  c.send("HEAD /abc HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string r = c.read(1000, 300ms);
  EXPECT_NE(r.find("Content-Length: 10\r\n"), std::string::npos) << r;  // "HEAD /abc "
  EXPECT_EQ(r.substr(r.size() - 4), "\r\n\r\n");
}

TEST_F(ServerTest, NoContentHasNoLength) {
  start(echo_path());
  Client c(server->port());
  c.send("DELETE /empty HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string r = c.read(1000, 300ms);
  EXPECT_EQ(r.rfind("HTTP/1.1 204 No Content\r\n", 0), 0u) << r;
  EXPECT_EQ(r.find("Content-Length"), std::string::npos);
}

TEST_F(ServerTest, Http10ClosesUnlessKeepAliveAsked) {
  start(echo_path());
  {
    Client c(server->port());
    c.send("GET /x HTTP/1.0\r\n\r\n");
    std::string r = c.read(100000, 1000ms);
    EXPECT_EQ(r.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << r;
    EXPECT_TRUE(c.closed());
  }
  {
    Client c(server->port());
    c.send("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    std::string r = c.response();
    EXPECT_NE(r.find("Connection: keep-alive\r\n"), std::string::npos) << r;
    c.send("GET /y HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_NE(c.response().find("GET /y "), std::string::npos);
  }
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  start(echo_path());
  Client c(server->port());
  c.send("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string r = c.read(100000, 1000ms);
  EXPECT_NE(r.find("Connection: close\r\n"), std::string::npos) << r;
  EXPECT_TRUE(c.closed());
}

TEST_F(ServerTest, AnswerFromAnotherThread) {
  start([](Request&&, Responder respond) {
    std::thread([respond] {
      std::this_thread::sleep_for(20ms);
      Response r;
      r.body = "late";
      respond(std::move(r));
      respond(Response{});  // a second answer is ignored
    }).detach();
  });
  Client c(server->port());
  for (int i = 0; i < 3; ++i) {
    c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string r = c.response();
    EXPECT_EQ(r.substr(r.size() - 4), "late") << r;
  }
}

TEST_F(ServerTest, LargeAnswerToSlowReader) {
  const std::string big(16 * 1024 * 1024, 'b');
  start([&big](Request&&, Responder respond) {
    Response r;
    r.body = big;
    respond(std::move(r));
  });
  Client c(server->port());
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(200ms);  // the socket buffer fills: the rest goes asynchronously
  std::string r = c.response();
  ASSERT_GT(r.size(), big.size());
  EXPECT_NE(r.find("Content-Length: 16777216\r\n"), std::string::npos);
  EXPECT_EQ(r.substr(r.size() - 5), "bbbbb");
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");  // still usable afterwards
  EXPECT_GT(c.response().size(), big.size());
}

TEST_F(ServerTest, StalledRequestIsClosedAfterReadTimeout) {
  ServerOptions o;
  o.read_timeout = 200ms;
  start(echo_path(), o);
  Client stalled(server->port());
  stalled.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
  auto t0 = std::chrono::steady_clock::now();
  std::string r = stalled.read(1, 2000ms);
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(r.empty()) << r;  // no answer to a request that never completed
  EXPECT_TRUE(stalled.closed());
  EXPECT_GE(waited, 150ms);
  EXPECT_LT(waited, 1000ms);
  Client other(server->port());  // the server goes on serving
  other.send("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(other.response().find("GET /ok "), std::string::npos);
}

TEST_F(ServerTest, IdleKeptAliveConnectionIsClosedAfterIdleTimeout) {
  ServerOptions o;
  o.idle_timeout = 200ms;
  start(echo_path(), o);
  Client c(server->port());
  c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(c.response().find("GET /a "), std::string::npos);
  std::string r = c.read(1, 2000ms);
  EXPECT_TRUE(r.empty());
  EXPECT_TRUE(c.closed());
}

TEST_F(ServerTest, SlowHandlerIsNotTimedOut) {
  ServerOptions o;
  o.read_timeout = 100ms;
  o.idle_timeout = 100ms;
  start([](Request&&, Responder respond) {
    std::thread([respond] {
      std::this_thread::sleep_for(400ms);
      Response r;
      r.body = "slow";
      respond(std::move(r));
    }).detach();
  }, o);
  Client c(server->port());
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string r = c.response();
  EXPECT_EQ(r.substr(r.size() - 4), "slow") << r;
}

TEST_F(ServerTest, GarbageGets400AndClose) {
  start(echo_path());
  Client c(server->port());
  c.send("NOT HTTP AT ALL\r\n\r\n");
  std::string r = c.read(100000, 1000ms);
  EXPECT_EQ(r.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("x-amzn-RequestId: "), std::string::npos);
  EXPECT_NE(r.find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(c.closed());
}

TEST_F(ServerTest, ExpectContinue) {
  start(echo_path());
  Client c(server->port());
  c.send("PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  std::string cont = c.read(25, 1000ms);
  EXPECT_EQ(cont, "HTTP/1.1 100 Continue\r\n\r\n");
  c.send("data");
  std::string r = c.response();
  EXPECT_EQ(r.substr(r.size() - 12), "PUT /up data") << r;
}

}  // namespace
}  // namespace awan::http
