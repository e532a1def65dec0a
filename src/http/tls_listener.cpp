// The HTTPS listener (tls_listener.hpp): Beast's ssl_stream over each accepted socket, a
// handshake deadline, then a relay between the TLS stream and one end of a socket pair whose
// other end is an ordinary HTTP session (server.cpp). The only translation unit that uses
// Asio's SSL support; its implementation is compiled in beast_impl.cpp.
#include "http/tls_listener.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <stdexcept>

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>

namespace awan::http::detail {

namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr size_t kRelayBuffer = 16 * 1024;  // one TLS record

// What the listener and its connections share; connections may outlive the listener (they
// end with the I/O contexts), so this is reference-counted.
struct Shared {
  TlsOptions options;
  TlsHost host;
  ssl::context context{ssl::context::tls_server};
  std::atomic<int> handshakes{0};
};

std::shared_ptr<Shared> make_shared_state(const TlsOptions& options, TlsHost host) {
  auto s = std::make_shared<Shared>();
  s->options = options;
  s->host = std::move(host);
  auto& ctx = s->context;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX_set_options(ctx.native_handle(), SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  try {
    ctx.use_certificate_chain(asio::buffer(options.cert_pem));
    ctx.use_private_key(asio::buffer(options.key_pem), ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(std::string("TLS certificate or key unusable: ") + e.what());
  }
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    throw std::runtime_error("TLS private key does not match the certificate");
  }
  return s;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One HTTPS connection: the handshake (bounded in time; OpenSSL bounds its messages), then two
// pumps: TLS → plaintext session, and session → TLS. The session's own deadlines govern the
// requests; a TLS write that stalls (a client that stops reading) is bounded here.
class Relay : public std::enable_shared_from_this<Relay> {
 public:
  Relay(Socket&& socket, std::shared_ptr<Shared> shared)
      : tls_(std::move(socket), shared->context),
        inner_(tls_.get_executor()),
        timer_(tls_.get_executor()),
        shared_(std::move(shared)) {}

  ~Relay() { handshake_over(); }

  // The I/O context that accepted the connection: the relay and its session live on it.
  Executor executor() { return tls_.next_layer().get_executor(); }

  void start() {
    error_code ec;
    auto ep = tls_.next_layer().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
    tls_.next_layer().set_option(tcp::no_delay(true), ec);
    arm(shared_->options.handshake_timeout);
    tls_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](error_code e) { self->on_handshake(e); });
  }

 private:
  void handshake_over() {
    if (counted_) {
      counted_ = false;
      --shared_->handshakes;
    }
  }

  void arm(std::chrono::milliseconds timeout) {
    deadline_ = now_ms() + timeout.count();
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || self->deadline_ == 0 || now_ms() < self->deadline_) return;
      self->close();
    });
  }
  void disarm() {
    deadline_ = 0;
    timer_.cancel();
  }

  void on_handshake(error_code ec) {
    handshake_over();
    disarm();
    if (ec || closed_) return close();
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return close();
    Socket plain(tls_.get_executor());
    inner_.assign(tcp::v4(), fds[0], ec);
    if (ec) {
      ::close(fds[0]);
      ::close(fds[1]);
      return close();
    }
    plain.assign(tcp::v4(), fds[1], ec);
    if (ec) {
      ::close(fds[1]);
      return close();
    }
    shared_->host.adopt(std::move(plain), remote_);
    pump_up();
    pump_down();
  }

  // Client → session. When the client is done (or sends garbage), the session sees the end of
  // its input and closes its end, which ends the relay.
  void pump_up() {
    tls_.async_read_some(asio::buffer(up_), [self = shared_from_this()](error_code ec, size_t n) {
      if (ec || self->closed_) {
        error_code e;
        self->inner_.shutdown(tcp::socket::shutdown_send, e);
        return;
      }
      asio::async_write(self->inner_, asio::buffer(self->up_.data(), n), [self](error_code wec, size_t) {
        if (wec) return self->close();
        self->pump_up();
      });
    });
  }

  // Session → client.
  void pump_down() {
    inner_.async_read_some(asio::buffer(down_), [self = shared_from_this()](error_code ec, size_t n) {
      if (ec || self->closed_) return self->close();
      self->arm(self->shared_->host.write_timeout);
      asio::async_write(self->tls_, asio::buffer(self->down_.data(), n), [self](error_code wec, size_t) {
        self->disarm();
        if (wec) return self->close();
        self->pump_down();
      });
    });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    deadline_ = 0;
    timer_.cancel();
    error_code ec;
    auto& sock = tls_.next_layer();
    sock.shutdown(tcp::socket::shutdown_both, ec);
    sock.close(ec);
    inner_.close(ec);
  }

  beast::ssl_stream<Socket> tls_;
  Socket inner_;
  asio::steady_timer timer_;
  std::shared_ptr<Shared> shared_;
  std::string remote_;
  int64_t deadline_ = 0;  // steady-clock ms of the armed deadline; 0 = none
  bool counted_ = true;   // in Shared::handshakes
  bool closed_ = false;
  std::array<char, kRelayBuffer> up_{};
  std::array<char, kRelayBuffer> down_{};
};

}  // namespace

struct TlsListener::State {
  std::shared_ptr<Shared> shared;
  tcp::acceptor acceptor;
  asio::steady_timer retry;
  bool closed = false;
  uint16_t port = 0;

  State(asio::io_context& main, std::shared_ptr<Shared> s) : shared(std::move(s)), acceptor(main), retry(main) {}

  // On the main context. Pauses while the connection cap or the handshake cap is reached, and
  // after EMFILE/ENFILE, instead of spinning.
  void accept() {
    if (closed || shared->host.stopping()) return;
    if (shared->handshakes.load() >= shared->options.max_handshakes || shared->host.at_capacity()) return pause();
    asio::io_context& target = shared->host.next_context();
    acceptor.async_accept(target.get_executor(), [this](error_code ec, Socket socket) {
      if (ec) {
        if (ec == asio::error::operation_aborted || closed || !acceptor.is_open()) return;
        int e = ec.value();
        bool exhausted = ec.category() == boost::system::system_category() &&
                         (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM);
        return exhausted ? pause() : accept();
      }
      ++shared->handshakes;
      auto relay = std::make_shared<Relay>(std::move(socket), shared);
      asio::post(relay->executor(), [relay] { relay->start(); });
      accept();
    });
  }

  void pause() {
    retry.expires_after(shared->host.accept_backoff);
    retry.async_wait([this](error_code ec) {
      if (!ec) accept();
    });
  }

};

TlsListener::TlsListener(asio::io_context& main, const std::string& host, const TlsOptions& options, TlsHost hooks)
    : state_(std::make_shared<State>(main, make_shared_state(options, std::move(hooks)))) {
  error_code ec;
  auto addr = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) throw std::runtime_error("invalid --host '" + host + "': " + ec.message());
  tcp::endpoint ep(addr, options.port);
  auto& acc = state_->acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen (TLS) on " + host + ":" + std::to_string(options.port) + ": " +
                             ec.message());
  }
  state_->port = acc.local_endpoint().port();
}

TlsListener::~TlsListener() = default;

uint16_t TlsListener::port() const { return state_->port; }

void TlsListener::start() {
  asio::post(state_->acceptor.get_executor(), [s = state_.get()] { s->accept(); });
}

void TlsListener::close() {
  state_->closed = true;
  error_code ec;
  state_->acceptor.close(ec);
  state_->retry.cancel();
}

}  // namespace awan::http::detail
