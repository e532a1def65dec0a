#pragma once
// HTTP/1.1 server on Boost.Beast (pimpl: no Boost in this header). Keep-alive,
// Expect: 100-continue, chunked request bodies, HEAD, header/body limits decided per request at
// header time, idle and read timeouts, minimum transfer rates, a connection cap, a worker pool
// for requests with large bodies, graceful stop; optionally an HTTPS listener (tls_listener.cpp)
// serving the same handler.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/message.hpp"

namespace awan::http {

// The HTTPS listener: the certificate (a PEM chain, leaf first) and its key (tls_cert.hpp makes
// or loads them). Each connection's TLS is terminated on its I/O thread and the plaintext goes
// through an ordinary HTTP session, so limits, timeouts and WebSockets are those of plain HTTP.
struct TlsOptions {
  uint16_t port = 0;  // 0 picks a free port
  std::string cert_pem;
  std::string key_pem;
  // The TLS handshake must be done this long after the connection was accepted.
  std::chrono::milliseconds handshake_timeout{10'000};
  // TLS connections in their handshake at most; more wait in the listen backlog.
  int max_handshakes = 256;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;  // 0 picks a free port
  int threads = 0;       // 0 = number of cores
  uint32_t header_limit = 64 * 1024;
  uint64_t body_limit = 512ull * 1024 * 1024;
  // Header-time hook: the largest body this request may carry, decided from its method, target
  // and headers (the body is empty, not read yet). The smaller of it and body_limit applies; a
  // declared length above it is answered without reading the body, a chunked body as soon as
  // it crosses it (Request::body_too_large). Unset: body_limit for every request.
  std::function<uint64_t(const Request& head)> body_limit_for;
  // Bodies above this size, and chunked bodies, are streamed to a temporary file
  // (Request::body_file) instead of memory.
  uint64_t spool_threshold = 8ull * 1024 * 1024;
  // Bodies that have a digester (spool_digester below: S3 object and part uploads) are
  // streamed to a file from this size: their hashing then runs while they arrive, and a client
  // sending many parts at once (aws s3 cp: ten 8 MiB parts) holds no part in memory.
  uint64_t digest_spool_threshold = 1024 * 1024;
  std::string spool_dir;  // "" = $TMPDIR or /tmp
  // Header-time hook: a digester for the body of this request, should it be spooled (nullptr:
  // none). The spooled bytes go through it as they arrive, hashed on the worker pool behind the
  // writes (read back from the page cache, so the socket is never held up by hashing); the
  // request is dispatched once the digester has seen the whole body, with its digests on the
  // body file (PayloadFile::digests). Not used without worker threads.
  std::function<std::unique_ptr<PayloadDigester>(const Request& head)> spool_digester;
  std::chrono::milliseconds read_timeout{30'000};   // whole header or body read
  std::chrono::milliseconds idle_timeout{120'000};  // between requests on a kept-alive connection
  // A request's header must be whole this long after its first byte (after the connection
  // opened, for the first request): a header trickled byte by byte does not hold a connection.
  std::chrono::milliseconds header_timeout{10'000};
  // A body must arrive at this average rate (bytes/s, counted from the start of the body) once
  // body_rate_grace has passed; 0 = no floor (read_timeout of silence still applies).
  uint64_t min_body_rate = 1024;
  std::chrono::milliseconds body_rate_grace{5'000};
  // Open connections at most; at the cap the server stops accepting until one closes (new
  // ones wait in the listen backlog). 0 = from RLIMIT_NOFILE (see fd_limits.hpp).
  int max_connections = 0;
  // After EMFILE/ENFILE (out of descriptors) the acceptor pauses this long instead of spinning.
  std::chrono::milliseconds accept_backoff{100};
  // Requests whose body is larger than this are handed to the worker pool (decoding a large
  // body takes milliseconds of CPU an I/O thread must not spend); smaller ones run inline.
  uint64_t offload_threshold = 64 * 1024;
  int worker_threads = 2;
  // A second listener on `host` speaking HTTPS (unset: none). start() throws when the
  // certificate or key is unusable.
  std::optional<TlsOptions> tls;
};

// Completes a request. May be called from any thread, exactly once.
using Responder = std::function<void(Response)>;
// Handles one request. Runs on an I/O thread: long work must complete asynchronously.
using Handler = std::function<void(Request&&, Responder)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the I/O threads. Throws std::runtime_error when the address can't be bound.
  void start();
  // The bound port (useful with port 0).
  uint16_t port() const;
  // The bound HTTPS port (0 without TLS).
  uint16_t tls_port() const;
  // Stops accepting, lets in-flight requests finish (up to `grace`), then stops the threads.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(800));
  // Runs fn on the background thread (not an I/O thread: a long job holds up no connection).
  void post(std::function<void()> fn);
  // Runs fn on the background thread after `delay` (sweepers, timers).
  void post_after(std::chrono::milliseconds delay, std::function<void()> fn);
  // Number of requests being handled now.
  int in_flight() const;
  // Number of open connections.
  int connections() const;

  struct Impl;  // public so the connection code in server.cpp can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace awan::http
