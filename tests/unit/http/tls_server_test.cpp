// The HTTPS listener (tls_listener.cpp) over real sockets: requests over TLS reach the same
// handler with the client's address, keep-alive, large (spooled) bodies, garbage and plain HTTP
// on the TLS port (closed, the daemon keeps serving), the handshake deadline, and unusable
// certificates refused at start.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "http/server.hpp"
#include "http/socket_client.hpp"
#include "http/tls_cert.hpp"

namespace awan::http {
namespace {

using namespace std::chrono_literals;

int connect_to(uint16_t port) {
  int fd = connect_loopback(port);
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Whether the server closes the connection within `timeout` (reading and dropping what it sends).
bool closed_within(int fd, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return true;
  }
  return false;
}

// A TLS client that trusts only `ca_pem` and checks the host name "localhost".
class TlsClient {
 public:
  TlsClient(uint16_t port, const std::string& ca_pem) {
    fd_ = connect_to(port);
    ctx_ = SSL_CTX_new(TLS_client_method());
    BIO* bio = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
    X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx_), ca);
    X509_free(ca);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    SSL_set1_host(ssl_, "localhost");
    connected_ = SSL_connect(ssl_) == 1;
  }
  ~TlsClient() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    ::close(fd_);
  }
  bool connected() const { return connected_; }
  void send(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      int n = SSL_write(ssl_, s.data() + off, static_cast<int>(std::min<size_t>(s.size() - off, 1 << 20)));
      ASSERT_GT(n, 0);
      off += static_cast<size_t>(n);
    }
  }
  // One whole response (headers and Content-Length body); what arrived until EOF otherwise.
  std::string response() {
    std::string r;
    size_t want = std::string::npos;
    while (r.size() < want) {
      char buf[16384];
      int n = SSL_read(ssl_, buf, sizeof buf);
      if (n <= 0) break;
      r.append(buf, static_cast<size_t>(n));
      auto end = r.find("\r\n\r\n");
      if (end != std::string::npos && want == std::string::npos) {
        auto cl = r.find("Content-Length: ");
        want = end + 4 + (cl != std::string::npos && cl < end ? std::stoul(r.substr(cl + 16)) : 0);
      }
    }
    return r;
  }

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  bool connected_ = false;
};

struct TlsServerTest : ::testing::Test {
  std::unique_ptr<Server> server;
  std::string ca_pem;
  void start(ServerOptions o = {}, std::chrono::milliseconds handshake = 10'000ms) {
    auto material = load_or_create_tls_material("", "", "", {"localhost", "127.0.0.1"});
    ca_pem = material.ca_pem;
    TlsOptions t;
    t.port = 0;
    t.cert_pem = material.server.cert_pem;
    t.key_pem = material.server.key_pem;
    t.handshake_timeout = handshake;
    o.tls = t;
    o.port = 0;
    o.threads = 2;
    server = std::make_unique<Server>(o, [](Request&& req, Responder respond) {
      Response r;
      r.headers.add("Content-Type", "text/plain");
      r.body = req.method + " " + req.path + " from " + req.remote_address + (req.https ? " https " : " plain ") +
               std::to_string(req.body_file ? req.body_file->size() : req.body.size());
      respond(std::move(r));
    });
    server->start();
  }
  void TearDown() override {
    if (server) server->stop(100ms);
  }
};

TEST_F(TlsServerTest, ServesTheHandlerOverTls) {
  start();
  ASSERT_NE(server->tls_port(), 0);
  ASSERT_NE(server->tls_port(), server->port());
  TlsClient c(server->tls_port(), ca_pem);
  ASSERT_TRUE(c.connected());
  c.send("POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nxyz");
  std::string r = c.response();
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("POST /a from 127.0.0.1 https 3"), std::string::npos) << r;
  // Keep-alive: a second request on the same TLS connection.
  c.send("GET /b HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_NE(c.response().find("GET /b from 127.0.0.1 https 0"), std::string::npos);
  // The plain port serves the same handler, as plain HTTP.
  int fd = connect_to(server->port());
  std::string plain = "GET /p HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ::send(fd, plain.data(), plain.size(), MSG_NOSIGNAL);
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) got.append(buf, static_cast<size_t>(n));
  ::close(fd);
  EXPECT_NE(got.find("GET /p from 127.0.0.1 plain 0"), std::string::npos) << got;
}

TEST_F(TlsServerTest, WithoutTlsThereIsNoTlsPort) {
  ServerOptions o;
  o.port = 0;
  o.threads = 1;
  server = std::make_unique<Server>(o, [](Request&&, Responder respond) { respond(Response{}); });
  server->start();
  EXPECT_EQ(server->tls_port(), 0);
}

TEST_F(TlsServerTest, LargeBodyIsSpooledAsOnPlainHttp) {
  ServerOptions o;
  o.spool_threshold = 64 * 1024;
  start(o);
  TlsClient c(server->tls_port(), ca_pem);
  ASSERT_TRUE(c.connected());
  std::string body(3 * 1024 * 1024 + 17, 'x');
  c.send("PUT /big HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_NE(c.response().find("PUT /big from 127.0.0.1 https " + std::to_string(body.size())), std::string::npos);
}

TEST_F(TlsServerTest, GarbageAndPlainHttpOnTheTlsPortAreDropped) {
  start();
  {
    int fd = connect_to(server->tls_port());
    std::string garbage(5000, '\x16');
    for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 7919 + 13) & 0xff);
    ::send(fd, garbage.data(), garbage.size(), MSG_NOSIGNAL);
    EXPECT_TRUE(closed_within(fd, 3000ms));
    ::close(fd);
  }
  {
    // A TLS record header announcing a huge handshake message, then nothing more of it.
    int fd = connect_to(server->tls_port());
    const char hello[] = {0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x7f, 0x7f, 0x7f};
    ::send(fd, hello, sizeof hello, MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    EXPECT_TRUE(closed_within(fd, 3000ms));
    ::close(fd);
  }
  {
    int fd = connect_to(server->tls_port());
    std::string plain = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    ::send(fd, plain.data(), plain.size(), MSG_NOSIGNAL);
    EXPECT_TRUE(closed_within(fd, 3000ms));
    ::close(fd);
  }
  TlsClient c(server->tls_port(), ca_pem);
  ASSERT_TRUE(c.connected());
  c.send("GET /after HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_NE(c.response().find("GET /after from"), std::string::npos);
  EXPECT_EQ(server->connections(), 1);
}

TEST_F(TlsServerTest, SilentClientIsDroppedAtTheHandshakeDeadline) {
  start({}, 300ms);
  int fd = connect_to(server->tls_port());
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(closed_within(fd, 3000ms));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 250ms);
  ::close(fd);
  // A handshake trickled a byte at a time is held to the same deadline.
  fd = connect_to(server->tls_port());
  t0 = std::chrono::steady_clock::now();
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i) {
    char b = i == 0 ? 0x16 : 0x03;
    ::send(fd, &b, 1, MSG_NOSIGNAL);
    closed = closed_within(fd, 50ms);
  }
  EXPECT_TRUE(closed || closed_within(fd, 1000ms));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2500ms);
  ::close(fd);
}

TEST_F(TlsServerTest, ClientThatDistrustsTheCertificateFailsTheHandshake) {
  start();
  auto other = make_certificate_authority("Other CA");
  TlsClient c(server->tls_port(), other.cert_pem);
  EXPECT_FALSE(c.connected());
  TlsClient ok(server->tls_port(), ca_pem);
  EXPECT_TRUE(ok.connected());
}

TEST(TlsServerStart, UnusableCertificateIsRefused) {
  ServerOptions o;
  o.port = 0;
  o.threads = 1;
  TlsOptions t;
  auto a = make_certificate_authority("A");
  auto b = make_certificate_authority("B");
  t.cert_pem = a.cert_pem;
  t.key_pem = b.key_pem;
  o.tls = t;
  Server s(o, [](Request&&, Responder respond) { respond(Response{}); });
  EXPECT_THROW(s.start(), std::runtime_error);
  o.tls->cert_pem = "garbage";
  Server s2(o, [](Request&&, Responder respond) { respond(Response{}); });
  EXPECT_THROW(s2.start(), std::runtime_error);
}

}  // namespace
}  // namespace awan::http
