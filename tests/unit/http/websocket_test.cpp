// WebSocket connections over real sockets: a handler accepts an upgrade with a listener, the
// server completes the handshake (Sec-WebSocket-Accept, extra headers), delivers whole
// messages, sends what the peer queues from another thread, and reports the close once; a
// listener answered to a request that is not an upgrade never opens.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/server.hpp"
#include "http/socket_client.hpp"

namespace awan::http {
namespace {

using namespace std::chrono_literals;

// A client speaking just enough RFC 6455: masked frames out, unmasked frames in.
class RawClient {
 public:
  explicit RawClient(uint16_t port) : fd_(connect_loopback(port)) {}
  ~RawClient() { ::close(fd_); }
  void send(std::string_view s) { ASSERT_EQ(::send(fd_, s.data(), s.size(), MSG_NOSIGNAL), (ssize_t)s.size()); }
  // Reads at least `want` more bytes into the buffer (or times out).
  bool fill(size_t want, std::chrono::milliseconds timeout = 3000ms) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (buf_.size() < want) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char b[4096];
      ssize_t n = ::recv(fd_, b, sizeof b, 0);
      if (n <= 0) return false;
      buf_.append(b, static_cast<size_t>(n));
    }
    return true;
  }
  std::string head() {
    while (buf_.find("\r\n\r\n") == std::string::npos)
      if (!fill(buf_.size() + 1)) return buf_;
    size_t end = buf_.find("\r\n\r\n") + 4;
    std::string h = buf_.substr(0, end);
    buf_.erase(0, end);
    return h;
  }
  void send_frame(uint8_t opcode, std::string_view payload) {
    std::string f;
    f.push_back(static_cast<char>(0x80 | opcode));
    if (payload.size() < 126) {
      f.push_back(static_cast<char>(0x80 | payload.size()));
    } else {
      f.push_back(static_cast<char>(0x80 | 126));
      f.push_back(static_cast<char>(payload.size() >> 8));
      f.push_back(static_cast<char>(payload.size() & 0xff));
    }
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    f.append(mask, 4);
    for (size_t i = 0; i < payload.size(); ++i) f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
    send(f);
  }
  // The next frame: (opcode, payload); opcode -1 when none arrived.
  std::pair<int, std::string> frame() {
    if (!fill(2)) return {-1, ""};
    int opcode = static_cast<uint8_t>(buf_[0]) & 0x0f;
    size_t len = static_cast<uint8_t>(buf_[1]) & 0x7f, at = 2;
    if (len == 126) {
      if (!fill(4)) return {-1, ""};
      len = (static_cast<uint8_t>(buf_[2]) << 8) | static_cast<uint8_t>(buf_[3]);
      at = 4;
    }
    if (!fill(at + len)) return {-1, ""};
    std::string payload = buf_.substr(at, len);
    buf_.erase(0, at + len);
    return {opcode, payload};
  }

 private:
  int fd_ = -1;
  std::string buf_;
};

struct Recorder : WebSocketListener {
  std::mutex mu;
  std::vector<std::string> messages;
  std::shared_ptr<WebSocketPeer> peer;
  std::atomic<int> opens{0}, closes{0};
  void on_open(std::shared_ptr<WebSocketPeer> p) override {
    std::lock_guard lock(mu);
    peer = std::move(p);
    ++opens;
  }
  void on_message(std::string m, bool binary) override {
    std::shared_ptr<WebSocketPeer> p;
    {
      std::lock_guard lock(mu);
      messages.push_back((binary ? "bin:" : "txt:") + m);
      p = peer;
    }
    // Echoed from another thread, as a service would after invoking a function.
    std::thread([p, m, binary] {
      p->send("echo " + m, binary);
      if (m == "bye") p->close();  // after the echo: queued messages go first
    }).detach();
  }
  void on_close() override { ++closes; }
};

constexpr std::string_view kUpgrade =
    "GET /chat?x=1 HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

template <class F>
bool eventually(F f) {
  for (int i = 0; i < 200; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST(WebSocket, RecognisesUpgradeRequests) {
  Request r;
  r.method = "GET";
  r.headers.add("Upgrade", "WebSocket");
  r.headers.add("Connection", "keep-alive, Upgrade");
  r.headers.add("Sec-WebSocket-Version", "13");
  r.headers.add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_TRUE(is_websocket_upgrade(r));
  r.headers.set("Sec-WebSocket-Version", "8");
  EXPECT_FALSE(is_websocket_upgrade(r));
  r.headers.set("Sec-WebSocket-Version", "13");
  r.headers.set("Sec-WebSocket-Key", "short");
  EXPECT_FALSE(is_websocket_upgrade(r));
  r.headers.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
  r.method = "POST";
  EXPECT_FALSE(is_websocket_upgrade(r));
}

TEST(WebSocket, HandshakeMessagesAndClose) {
  auto rec = std::make_shared<Recorder>();
  std::string seen_path;
  ServerOptions o;
  o.port = 0;
  o.threads = 2;
  Server server(o, [&](Request&& req, Responder respond) {
    seen_path = req.path;
    Response r;
    r.status = 101;
    r.headers.add("Sec-WebSocket-Protocol", "chat");
    r.websocket = rec;
    respond(std::move(r));
  });
  server.start();
  std::string big;
  {
    RawClient c(server.port());
    c.send(kUpgrade);
    std::string head = c.head();
    EXPECT_NE(head.find("101"), std::string::npos) << head;
    // RFC 6455's example key and accept value.
    EXPECT_NE(head.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos) << head;
    EXPECT_NE(head.find("Sec-WebSocket-Protocol: chat"), std::string::npos) << head;
    EXPECT_EQ(seen_path, "/chat");
    ASSERT_TRUE(eventually([&] { return rec->opens == 1; }));
    c.send_frame(0x1, "hello");
    auto f = c.frame();
    EXPECT_EQ(f.first, 0x1);
    EXPECT_EQ(f.second, "echo hello");
    big = std::string(1000, 'x');
    c.send_frame(0x2, big);
    f = c.frame();
    EXPECT_EQ(f.first, 0x2);
    EXPECT_EQ(f.second, "echo " + big);
    c.send_frame(0x1, "bye");
    // The echo, then the server's close frame.
    std::vector<int> opcodes;
    for (int i = 0; i < 2; ++i) opcodes.push_back(c.frame().first);
    EXPECT_EQ(opcodes, (std::vector<int>{0x1, 0x8}));
    c.send_frame(0x8, std::string("\x03\xe8", 2));
    EXPECT_FALSE(c.fill(1 << 20));  // the server ends the TCP connection first (RFC 6455 §7.1.1)
  }
  ASSERT_TRUE(eventually([&] { return rec->closes == 1; }));
  {
    std::lock_guard lock(rec->mu);
    EXPECT_EQ(rec->messages, (std::vector<std::string>{"txt:hello", "bin:" + big, "txt:bye"}));
    EXPECT_FALSE(rec->peer->open());
    rec->peer->send("ignored");  // after close: nothing happens
  }
  EXPECT_TRUE(eventually([&] { return server.connections() == 0; }));
  server.stop();
}

TEST(WebSocket, ClientDisconnectReportsCloseOnce) {
  auto rec = std::make_shared<Recorder>();
  ServerOptions o;
  o.port = 0;
  Server server(o, [&](Request&&, Responder respond) {
    Response r;
    r.status = 101;
    r.websocket = rec;
    respond(std::move(r));
  });
  server.start();
  {
    RawClient c(server.port());
    c.send(kUpgrade);
    EXPECT_NE(c.head().find("101"), std::string::npos);
    ASSERT_TRUE(eventually([&] { return rec->opens == 1; }));
  }  // the socket closes without a close frame
  ASSERT_TRUE(eventually([&] { return rec->closes == 1; }));
  EXPECT_TRUE(eventually([&] { return server.connections() == 0; }));
  server.stop();
  EXPECT_EQ(rec->closes, 1);
}

TEST(WebSocket, ListenerOnPlainRequestNeverOpens) {
  auto rec = std::make_shared<Recorder>();
  ServerOptions o;
  o.port = 0;
  Server server(o, [&](Request&&, Responder respond) {
    Response r;
    r.status = 101;
    r.websocket = rec;
    respond(std::move(r));
  });
  server.start();
  RawClient c(server.port());
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string head = c.head();
  EXPECT_NE(head.find("400"), std::string::npos) << head;
  EXPECT_EQ(rec->opens, 0);
  EXPECT_EQ(rec->closes, 1);
  server.stop();
}

TEST(WebSocket, RefusedUpgradeIsAnOrdinaryAnswer) {
  ServerOptions o;
  o.port = 0;
  Server server(o, [&](Request&&, Responder respond) {
    Response r;
    r.status = 403;
    r.body = "{\"message\":\"Forbidden\"}";
    respond(std::move(r));
  });
  server.start();
  RawClient c(server.port());
  c.send(kUpgrade);
  EXPECT_NE(c.head().find("403"), std::string::npos);
  server.stop();
}

}  // namespace
}  // namespace awan::http
