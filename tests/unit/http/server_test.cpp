// The HTTP server over real sockets: framing of the answers it serialises itself (status line,
// Content-Length, HEAD, 204, Connection for HTTP/1.0 and 1.1), keep-alive and pipelining,
// answers completed from another thread, large answers to a slow reader (the asynchronous
// write path), the read and idle deadlines enforced by the sweeper, the header-time body limit,
// the worker pool, the digests of spooled bodies computed as they arrive, the header timeout and
// body rate floor, the connection cap and the accept back-off when descriptors run out.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "core/checksum.hpp"
#include "core/crypto.hpp"
#include "http/server.hpp"
#include "http/socket_client.hpp"

namespace awan::http {
namespace {

using namespace std::chrono_literals;

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


Handler too_large_or_echo() {
  return [](Request&& req, Responder respond) {
    Response r;
    if (req.body_too_large) {
      r.status = 413;
      r.body = "too large";
    } else {
      r.body = "got " + std::to_string(req.body_file ? req.body_file->size() : req.body.size());
    }
    respond(std::move(r));
  };
}

TEST_F(ServerTest, BodyLimitHookRefusesFromTheHeader) {
  ServerOptions o;
  o.body_limit_for = [](const Request& head) -> uint64_t { return head.path == "/small" ? 10 : 1'000'000; };
  start(too_large_or_echo(), o);
  Client c(server->port());
  auto t0 = std::chrono::steady_clock::now();
  c.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");  // no body sent
  std::string r = c.response();
  EXPECT_EQ(r.rfind("HTTP/1.1 413", 0), 0u) << r;
  EXPECT_NE(r.find("Connection: close\r\n"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
  Client other(server->port());  // the limit is the request's: others may be larger
  other.send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'b'));
  EXPECT_NE(other.response().find("got 1000"), std::string::npos);
}

TEST_F(ServerTest, ChunkedBodyIsRefusedWhenItCrossesTheHookLimit) {
  ServerOptions o;
  o.body_limit_for = [](const Request&) -> uint64_t { return 100'000; };
  start(too_large_or_echo(), o);
  Client c(server->port());
  c.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunk(60'000, 'c');
  c.send("ea60\r\n" + chunk + "\r\nea60\r\n" + chunk + "\r\n");  // 120,000 bytes; no final chunk
  std::string r = c.response();
  EXPECT_EQ(r.rfind("HTTP/1.1 413", 0), 0u) << r.substr(0, 200);
}

TEST_F(ServerTest, LargeBodiesAreHandledOffTheIoThread) {
  ServerOptions o;
  o.threads = 1;
  o.offload_threshold = 1000;
  std::atomic<bool> release{false};
  start([&release](Request&& req, Responder respond) {
    if (req.body.size() > 1000) {
      // Holds its thread: were it the only I/O thread, nothing else would be served.
      while (!release) std::this_thread::sleep_for(5ms);
    }
    Response r;
    r.body = "done";
    respond(std::move(r));
  }, o);
  Client big(server->port());
  big.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'b'));
  std::this_thread::sleep_for(50ms);
  Client small(server->port());
  small.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(small.response().find("done"), std::string::npos);  // answered while the large one runs
  release = true;
  EXPECT_NE(big.response().find("done"), std::string::npos);
}

// Spooled bodies go through the header-time digester as they arrive; the handler sees the
// digests on the body file, and the bytes as sent.
Handler digests_or_none() {
  return [](Request&& req, Responder respond) {
    Response r;
    const PayloadDigests* d = req.body_file ? req.body_file->digests() : nullptr;
    auto file = req.body_file ? Payload::of_file(req.body_file, 0, req.body_file->size()).read_all() : std::nullopt;
    std::string body = file ? *file : req.body;
    r.body = "size=" + std::to_string(body.size()) + " sent-md5=" + crypto::hex(crypto::md5(body));
    if (d && d->find("MD5")) r.body += " md5=" + crypto::hex(*d->find("MD5"));
    if (d && d->find("CRC64NVME")) {
      bool ok = crypto::base64_encode(*d->find("CRC64NVME")) == checksum_base64(ChecksumAlgorithm::Crc64Nvme, body);
      r.body += std::string(" crc-ok=") + (ok ? "yes" : "no");
    }
    respond(std::move(r));
  };
}

ServerOptions digesting_options() {
  ServerOptions o;
  o.spool_threshold = 1000;
  o.spool_digester = [](const Request& head) -> std::unique_ptr<PayloadDigester> {
    if (head.path == "/plain") return nullptr;
    return std::make_unique<DigestSet>(true, std::vector<ChecksumAlgorithm>{ChecksumAlgorithm::Crc64Nvme});
  };
  return o;
}

std::string pattern(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 12345;
  for (char& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

TEST_F(ServerTest, SpooledBodyCarriesTheDigestsComputedAsItArrived) {
  start(digests_or_none(), digesting_options());
  Client c(server->port());
  std::string body = pattern(9 * 1024 * 1024 + 17);  // several hashing steps
  const std::string md5 = crypto::hex(crypto::md5(body));
  c.send("PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n");
  for (size_t off = 0; off < body.size(); off += 300'000) c.send(std::string_view(body).substr(off, 300'000));
  // A second request on the same connection, right behind the first.
  c.send("PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'z'));
  // Both answers may come in one read: collect until both are there.
  const std::string first = "size=" + std::to_string(body.size()) + " sent-md5=" + md5 + " md5=" + md5 + " crc-ok=yes";
  const std::string z = crypto::hex(crypto::md5(std::string(5000, 'z')));
  const std::string second = "size=5000 sent-md5=" + z + " md5=" + z + " crc-ok=yes";
  std::string all;
  auto end = std::chrono::steady_clock::now() + 10s;
  while ((all.find(first) == std::string::npos || all.find(second) == std::string::npos) &&
         std::chrono::steady_clock::now() < end && !c.closed())
    all += c.read(1, 500ms);
  EXPECT_NE(all.find(first), std::string::npos) << all.substr(0, 400);
  EXPECT_NE(all.find(second), std::string::npos) << all.substr(0, 800);
  EXPECT_LT(all.find(first), all.find(second));
}

TEST_F(ServerTest, ChunkedSpooledBodyIsDigestedWithoutItsFraming) {
  start(digests_or_none(), digesting_options());
  Client c(server->port());
  std::string a = pattern(70'000), b(3000, 'q');
  const std::string md5 = crypto::hex(crypto::md5(a + b));
  c.send("PUT /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  c.send("11170\r\n" + a + "\r\nbb8\r\n" + b + "\r\n0\r\n\r\n");
  std::string r = c.response();
  EXPECT_NE(r.find("size=73000 sent-md5=" + md5 + " md5=" + md5 + " crc-ok=yes"), std::string::npos) << r;
}

TEST_F(ServerTest, NoDigestsWhenTheHookGivesNoDigester) {
  start(digests_or_none(), digesting_options());
  Client c(server->port());
  c.send("PUT /plain HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'p'));
  std::string r = c.response();
  EXPECT_NE(r.find("size=5000 sent-md5="), std::string::npos) << r;
  EXPECT_EQ(r.find(" md5="), std::string::npos) << r;
}

// A body with a digester spools from digest_spool_threshold, below spool_threshold; one without
// stays in memory up to spool_threshold.
TEST_F(ServerTest, BodiesWithADigesterSpoolFromTheirOwnThreshold) {
  ServerOptions o = digesting_options();
  o.spool_threshold = 1'000'000;
  o.digest_spool_threshold = 4000;
  start([](Request&& req, Responder respond) {
    Response r;
    r.body = std::string(req.body_file ? "file" : "memory") + (req.body_file && req.body_file->digests() ? "+digests" : "");
    respond(std::move(r));
  }, o);
  Client c(server->port());
  auto put = [&](const std::string& path, size_t n) {
    c.send("PUT " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(n) + "\r\n\r\n" + std::string(n, 'd'));
    std::string r = c.response();
    return r.substr(r.find("\r\n\r\n") + 4);
  };
  EXPECT_EQ(put("/up", 4000), "memory");
  EXPECT_EQ(put("/up", 4001), "file+digests");
  EXPECT_EQ(put("/plain", 4001), "memory");
  EXPECT_EQ(put("/plain", 1'000'001), "file");
}

TEST_F(ServerTest, BodyCutShortWhileHashingClosesTheConnection) {
  start(digests_or_none(), digesting_options());
  {
    Client c(server->port());
    c.send("PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 9000000\r\n\r\n" + pattern(5'000'000));
  }  // closed with 4 MB missing
  Client next(server->port());  // the server goes on
  next.send("PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'n'));
  EXPECT_NE(next.response().find("size=2000"), std::string::npos);
}

TEST_F(ServerTest, BodyBelowTheMinimumRateIsDropped) {
  ServerOptions o;
  o.min_body_rate = 1000;
  o.body_rate_grace = 200ms;
  start(echo_path(), o);
  Client c(server->port());
  c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
  auto t0 = std::chrono::steady_clock::now();
  while (!c.closed() && std::chrono::steady_clock::now() - t0 < 3s) {
    ::send(c.fd(), "0123456789", 10, MSG_NOSIGNAL);  // 100 bytes/s: a tenth of the floor
    c.read(1, 100ms);
  }
  EXPECT_TRUE(c.closed());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
}

TEST_F(ServerTest, BodyAboveTheMinimumRateIsRead) {
  ServerOptions o;
  o.min_body_rate = 1000;
  o.body_rate_grace = 100ms;
  start(too_large_or_echo(), o);
  Client c(server->port());
  c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
  for (int i = 0; i < 10; ++i) {  // 100 bytes every 50 ms: twice the floor
    c.send(std::string(100, 'x'));
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_NE(c.response().find("got 1000"), std::string::npos);
}

TEST_F(ServerTest, TrickledHeaderIsDropped) {
  ServerOptions o;
  o.header_timeout = 300ms;
  start(echo_path(), o);
  Client c(server->port());
  std::string head = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(100, 'p');
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < head.size() && !c.closed(); ++i) {
    ::send(c.fd(), head.data() + i, 1, MSG_NOSIGNAL);
    c.read(1, 50ms);
  }
  EXPECT_TRUE(c.closed());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
}

TEST_F(ServerTest, HeaderTimeoutStartsAtTheFirstByteOnKeptAliveConnections) {
  ServerOptions o;
  o.header_timeout = 200ms;
  o.idle_timeout = 5s;
  start(echo_path(), o);
  Client c(server->port());
  c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(c.response().find("GET /a "), std::string::npos);
  std::this_thread::sleep_for(500ms);  // idle, longer than the header timeout
  c.send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(c.response().find("GET /b "), std::string::npos);
}

TEST_F(ServerTest, ConnectionCapPausesAccepting) {
  ServerOptions o;
  o.max_connections = 2;
  start(echo_path(), o);
  auto a = std::make_unique<Client>(server->port());
  Client b(server->port());
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(server->connections(), 2);
  Client third(server->port());  // connected by the kernel, not accepted
  third.send("GET /third HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(third.read(1, 300ms).empty());
  a.reset();
  EXPECT_NE(third.response().find("GET /third "), std::string::npos);
}

// Out of descriptors, accept() fails at once for as long as the connection waits: the server
// must pause, not retry in a loop (which burns a core).
TEST_F(ServerTest, AcceptBacksOffWhenOutOfDescriptors) {
  ServerOptions o;
  o.threads = 1;
  o.accept_backoff = 100ms;
  start(echo_path(), o);
  std::vector<int> fds;
  for (int i = 0; i < 4; ++i) fds.push_back(::socket(AF_INET, SOCK_STREAM, 0));
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
  size_t open_now = 0;
  for (auto& e : std::filesystem::directory_iterator("/proc/self/fd")) (void)e, ++open_now;
  rlimit tight = old;
  tight.rlim_cur = open_now;  // no descriptor left for the server to accept with
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &tight), 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(server->port());
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int fd : fds) ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  rusage r0{}, r1{};
  getrusage(RUSAGE_SELF, &r0);
  std::this_thread::sleep_for(500ms);
  getrusage(RUSAGE_SELF, &r1);
  auto cpu_us = [](const rusage& r) {
    return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1'000'000 + r.ru_utime.tv_usec + r.ru_stime.tv_usec;
  };
  setrlimit(RLIMIT_NOFILE, &old);
  EXPECT_LT(cpu_us(r1) - cpu_us(r0), 100'000) << "accept loop spun while out of descriptors";
  // Once descriptors are back, the waiting connections are served.
  std::string req = "GET /late HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(::send(fds[0], req.data(), req.size(), MSG_NOSIGNAL), (ssize_t)req.size());
  pollfd p{fds[0], POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 2000), 1);
  char buf[256];
  ssize_t n = ::recv(fds[0], buf, sizeof buf, 0);
  EXPECT_GT(n, 0);
  EXPECT_NE(std::string(buf, n > 0 ? n : 0).find("200 OK"), std::string::npos);
  for (int fd : fds) ::close(fd);
}

}  // namespace
}  // namespace awan::http
