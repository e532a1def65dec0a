#include "http/server.hpp"

#include <cstdio>

#include "core/ids.hpp"
#include "core/timefmt.hpp"
#include "http/body_file.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace awan::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// Handlers refer to the Impl by plain pointer: it owns the io_context, whose destruction
// destroys every pending handler (and so every connection) first.
struct Server::Impl {
  ServerOptions options;
  Handler handler;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  uint16_t bound_port = 0;
  std::mutex mu;
  std::condition_variable idle_cv;

  Impl(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}
  void accept();
  void request_done() {
    if (--in_flight == 0) {
      std::lock_guard<std::mutex> lock(mu);
      idle_cv.notify_all();
    }
  }
};

namespace {

// Answers produced by the HTTP layer itself (unparseable requests) carry the same identifying
// headers as every other response.
template <class Message>
void stamp_transport_error(Message& m) {
  std::string rid = ids::uuid4();
  m.set("x-amzn-RequestId", rid);
  m.set("x-amz-request-id", rid);
  m.set(bhttp::field::date, timefmt::http_date(std::chrono::system_clock::now()));
}

// Bodies up to this size need no timer of their own (see read_body / write).
constexpr uint64_t kSmallMessage = 64 * 1024;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl* server) : stream_(std::move(socket)), server_(server) {
    // Once per connection (a getpeername system call per request would show in benchmarks).
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = ep.address().to_string();
  }

  ~Session() {
    if (spool_fp_) std::fclose(spool_fp_);
  }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

 private:
  void read_header() {
    if (server_->stopping) return close();
    parser_.emplace();
    parser_->header_limit(server_->options.header_limit);
    // The declared length is checked in on_header (so that the answer can be a proper AWS
    // error); the limit applies to the body read.
    parser_->body_limit(boost::none);
    stream_.expires_after(first_ ? server_->options.read_timeout : server_->options.idle_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    first_ = false;
    if (ec) return on_read_error(ec);
    auto& msg = parser_->get();
    auto len = parser_->content_length();
    if (len && *len > server_->options.body_limit) {
      // Answer from the headers alone; the body is never read, so the connection closes.
      keep_alive_ = false;
      Request req = take_request(/*with_body=*/false);
      req.body_too_large = true;
      return dispatch(std::move(req));
    }
    parser_->body_limit(server_->options.body_limit);
    auto expect = msg[bhttp::field::expect];
    if (!expect.empty() && beast::iequals(expect, "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, msg.version());
      stream_.expires_after(server_->options.read_timeout);
      bhttp::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code wec, size_t) {
        if (wec) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    auto declared = parser_->content_length();
    if ((!declared && parser_->chunked()) || (declared && *declared > server_->options.spool_threshold)) {
      return start_spool();
    }
    // Fast path: a request without body, or whose body already arrived with the header, is
    // parsed from the buffer right here (an asynchronous read would complete through one more
    // trip through the scheduler).
    if (!parser_->is_done() && buffer_.size() > 0) {
      beast::error_code ec;
      parser_->eager(true);
      size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec && ec != bhttp::error::need_more) return on_body(ec);
    }
    if (parser_->is_done()) return on_body({});
    // The deadline armed for the header covers a small body too (re-arming a timer costs
    // syscalls on the hot path); large or chunked bodies get a fresh read timeout.
    auto len = parser_->content_length();
    if (!len || *len > kSmallMessage) stream_.expires_after(server_->options.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_body(ec); });
  }

  void on_body(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      keep_alive_ = false;
      Request req = take_request(false);
      req.body_too_large = true;
      return dispatch(std::move(req));
    }
    if (ec) return on_read_error(ec);
    keep_alive_ = parser_->get().keep_alive();
    dispatch(take_request(true));
  }

  // ---- large and chunked bodies: streamed to a temporary file ----
  void start_spool() {
    spool_ = make_body_file(server_->options.spool_dir);
    spool_fp_ = spool_ ? std::fopen(spool_->path().c_str(), "wb") : nullptr;
    if (!spool_fp_) return fail_spool();
    spool_size_ = 0;
    spool_buf_.resize(256 * 1024);
    spool_parser_.emplace(std::move(*parser_));
    spool_parser_->body_limit(server_->options.body_limit);
    read_spool();
  }

  void read_spool() {
    auto& body = spool_parser_->get().body();
    body.data = spool_buf_.data();
    body.size = spool_buf_.size();
    body.more = true;
    // A slow sender gets read_timeout of silence at most, however long the whole body takes.
    stream_.expires_after(server_->options.read_timeout);
    bhttp::async_read_some(stream_, buffer_, *spool_parser_,
                           [self = shared_from_this()](beast::error_code ec, size_t) { self->on_spool(ec); });
  }

  void on_spool(beast::error_code ec) {
    if (ec == bhttp::error::need_buffer) ec = {};
    size_t got = spool_buf_.size() - spool_parser_->get().body().size;
    if (!ec && got > 0 && std::fwrite(spool_buf_.data(), 1, got, spool_fp_) != got) return fail_spool();
    spool_size_ += got;
    if (ec == bhttp::error::body_limit) {
      close_spool();
      keep_alive_ = false;
      Request req = take_request(spool_parser_->get(), false);
      req.body_too_large = true;
      return dispatch(std::move(req));
    }
    if (ec) {
      close_spool();
      return on_read_error(ec);
    }
    if (!spool_parser_->is_done()) return read_spool();
    if (std::fclose(spool_fp_) != 0) {
      spool_fp_ = nullptr;
      return fail_spool();
    }
    spool_fp_ = nullptr;
    spool_->set_size(spool_size_);
    keep_alive_ = spool_parser_->get().keep_alive();
    Request req = take_request(spool_parser_->get(), false);
    req.body_file = std::move(spool_);
    spool_parser_.reset();
    spool_buf_ = {};
    dispatch(std::move(req));
  }

  void close_spool() {
    if (spool_fp_) std::fclose(spool_fp_);
    spool_fp_ = nullptr;
    spool_.reset();
  }

  // The temporary file could not be written: 500 and close.
  void fail_spool() {
    close_spool();
    keep_alive_ = false;
    Response r;
    r.status = 500;
    r.headers.add("Content-Type", "text/plain");
    r.body = "Internal Server Error: cannot store the request body\n";
    std::string rid = ids::uuid4();
    r.headers.add("x-amzn-RequestId", rid);
    r.headers.add("x-amz-request-id", rid);
    r.headers.add("Date", timefmt::http_date(std::chrono::system_clock::now()));
    ++server_->in_flight;
    write(std::move(r));
  }

  Request take_request(bool with_body) { return take_request(parser_->get(), with_body); }

  template <class Message>
  Request take_request(Message& msg, bool with_body) {
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    auto q = req.target.find('?');
    if (q == std::string::npos) {
      req.path = req.target;
    } else {
      req.path = req.target.substr(0, q);
      req.query = req.target.substr(q + 1);
    }
    for (const auto& f : msg) req.headers.add(std::string(f.name_string()), std::string(f.value()));
    if constexpr (std::is_same_v<typename Message::body_type, bhttp::string_body>) {
      if (with_body) req.body = std::move(msg.body());
    }
    req.remote_address = remote_address_;
    head_ = req.method == "HEAD";
    version_ = msg.version();
    return req;
  }

  void dispatch(Request&& req) {
    stream_.expires_never();
    ++server_->in_flight;
    auto self = shared_from_this();
    responded_ = false;
    Responder respond = [self](Response r) {
      if (self->responded_.exchange(true)) return;
      // Inline when the handler completes on this connection's strand (the common, synchronous
      // case); queued otherwise.
      asio::dispatch(self->stream_.get_executor(),
                 [self, r = std::move(r)]() mutable { self->write(std::move(r)); });
    };
    try {
      server_->handler(std::move(req), respond);
    } catch (const std::exception&) {
      Response r;
      r.status = 500;
      r.body = "Internal Server Error";
      respond(std::move(r));
    }
  }

  void write(Response r) {
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<unsigned>(r.status));
    for (auto& h : r.headers.items()) res_.insert(h.name, h.value);
    bool stopping = server_->stopping.load();
    res_.keep_alive(keep_alive_ && !stopping);
    if (head_ || r.omit_body) {
      if (!r.content_length_override.empty()) {
        res_.set(bhttp::field::content_length, r.content_length_override);
      } else if (!res_.count(bhttp::field::content_length)) {
        res_.content_length(r.body.size());
      }
      res_.body().clear();
    } else {
      res_.body() = std::move(r.body);
      res_.prepare_payload();
    }
    // A small response fits the socket's send buffer and completes at once: no timer needed.
    if (res_.body().size() > kSmallMessage) stream_.expires_after(server_->options.read_timeout);
    bhttp::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->server_->request_done();
      if (ec || !self->res_.keep_alive()) return self->close();
      self->read_header();
    });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
      return close();
    }
    // Garbage or over-limit headers: answer 400/431 and close, as an HTTP front end would.
    bhttp::status status = ec == bhttp::error::header_limit ? bhttp::status::request_header_fields_too_large
                                                            : bhttp::status::bad_request;
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(status, 11);
    res->set(bhttp::field::content_type, "text/plain");
    res->set(bhttp::field::connection, "close");
    stamp_transport_error(*res);
    res->body() = status == bhttp::status::bad_request ? "Bad Request\n" : "Request Header Fields Too Large\n";
    res->prepare_payload();
    res->keep_alive(false);
    stream_.expires_after(std::chrono::seconds(5));
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, size_t) { self->close(); });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  Server::Impl* server_;
  std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::request_parser<bhttp::buffer_body>> spool_parser_;
  std::shared_ptr<BodyFile> spool_;
  std::FILE* spool_fp_ = nullptr;
  uint64_t spool_size_ = 0;
  std::vector<char> spool_buf_;
  bhttp::response<bhttp::string_body> res_;
  std::atomic<bool> responded_{false};  // the current request's Responder was called
  bool keep_alive_ = true;
  bool head_ = false;
  bool first_ = true;
  unsigned version_ = 11;
};

}  // namespace

void Server::Impl::accept() {
  acceptor.async_accept(asio::make_strand(ioc), [self = this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), self)->start();
    }
    if (!self->stopping) self->accept();
  });
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_shared<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() { stop(std::chrono::milliseconds(0)); }

void Server::start() {
  auto& im = *impl_;
  beast::error_code ec;
  auto addr = asio::ip::make_address(im.options.host == "localhost" ? "127.0.0.1" : im.options.host, ec);
  if (ec) throw std::runtime_error("invalid --host '" + im.options.host + "': " + ec.message());
  tcp::endpoint ep(addr, im.options.port);
  im.acceptor.open(ep.protocol(), ec);
  if (!ec) im.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) im.acceptor.bind(ep, ec);
  if (!ec) im.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + im.options.host + ":" + std::to_string(im.options.port) + ": " +
                             ec.message());
  }
  im.bound_port = im.acceptor.local_endpoint().port();
  im.work.emplace(asio::make_work_guard(im.ioc));
  im.accept();
  int n = im.options.threads > 0 ? im.options.threads : static_cast<int>(std::thread::hardware_concurrency());
  if (n <= 0) n = 2;
  for (int i = 0; i < n; ++i) im.threads.emplace_back([this] { impl_->ioc.run(); });
}

uint16_t Server::port() const { return impl_->bound_port; }

int Server::in_flight() const { return impl_->in_flight.load(); }

void Server::stop(std::chrono::milliseconds grace) {
  auto& im = *impl_;
  if (im.threads.empty()) return;
  im.stopping = true;
  asio::post(im.ioc, [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  {
    std::unique_lock<std::mutex> lock(im.mu);
    im.idle_cv.wait_for(lock, grace, [&] { return im.in_flight.load() == 0; });
  }
  im.work.reset();
  im.ioc.stop();
  for (auto& t : im.threads)
    if (t.joinable()) t.join();
  im.threads.clear();
}

void Server::post(std::function<void()> fn) { asio::post(impl_->ioc, std::move(fn)); }

void Server::post_after(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(impl_->ioc, delay);
  timer->async_wait([timer, fn = std::move(fn)](beast::error_code ec) {
    if (!ec) fn();
  });
}

}  // namespace awan::http
