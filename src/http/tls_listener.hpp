#pragma once
// The HTTPS listener (internal to src/http, with Asio's types): accepts TLS connections, runs
// each handshake with a deadline, then relays the decrypted bytes to an ordinary HTTP session
// (server.cpp) over a socket pair, so that HTTPS requests take the plain HTTP path unchanged.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "http/server.hpp"
#include "http/websocket_connection.hpp"

namespace awan::http::detail {

// What the listener needs of the server. All called on the main context's thread, except
// `adopt` (on the thread of the context the socket belongs to).
struct TlsHost {
  std::function<boost::asio::io_context&()> next_context;  // round robin over the I/O contexts
  std::function<bool()> at_capacity;                       // the connection cap is reached
  std::function<bool()> stopping;
  // Starts an HTTP session on the plaintext end of a relayed connection, whose client is at
  // `remote_address`.
  std::function<void(Socket&&, std::string remote_address)> adopt;
  std::chrono::milliseconds accept_backoff{100};
  std::chrono::milliseconds write_timeout{30'000};  // a client that stops reading is dropped
};

class TlsListener {
 public:
  // Loads the certificate and key into a TLS context (throws std::runtime_error when they are
  // unusable) and binds host:options.port on `main` (throws when it cannot).
  TlsListener(boost::asio::io_context& main, const std::string& host, const TlsOptions& options, TlsHost host_hooks);
  ~TlsListener();
  TlsListener(const TlsListener&) = delete;
  TlsListener& operator=(const TlsListener&) = delete;

  uint16_t port() const;
  void start();  // begins accepting (on the main context)
  void close();  // stops accepting; on the main context's thread

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace awan::http::detail
