#include "http/server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "core/ids.hpp"
#include "core/timefmt.hpp"
#include "http/body_file.hpp"
#include "http/fd_limits.hpp"
#include "http/spool_digest.hpp"
#include "http/tls_listener.hpp"
#include "http/websocket_connection.hpp"

namespace awan::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace detail {
class Session;
}

namespace {
void warm_up(asio::io_context& ctx) {
  asio::basic_stream_socket<tcp, asio::io_context::executor_type> socket(ctx);
  asio::steady_timer timer(ctx);
}
}  // namespace

// Handlers refer to the Impl by plain pointer: it owns the io_contexts, whose destruction
// destroys every pending handler (and so every connection) first.
struct Server::Impl {
  ServerOptions options;
  Handler handler;
  // Open connections, for the deadline sweeper. Declared before the io_context: sessions
  // destroyed with it unregister themselves here.
  std::mutex sessions_mu;
  std::unordered_map<detail::Session*, std::weak_ptr<detail::Session>> sessions;
  // One io_context per I/O thread: a connection lives on one thread from accept to close, so
  // its handlers need no strand and the threads share no scheduler queue (a shared queue
  // costs a lock and a cross-thread wake-up per completion). contexts[0] also runs the
  // acceptor and the sweeper. Posted background work (TTL sweeps, stream trimming) runs on a
  // context and thread of its own, so that a long sweep holds up no connection.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  asio::io_context background{1};
  // Requests with large bodies are decoded and dispatched here, off the I/O threads.
  asio::io_context workers;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  size_t next_context = 0;
  asio::io_context& main() { return *contexts.front(); }
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> sweeper;
  std::optional<asio::steady_timer> accept_timer;  // the pause after EMFILE/ENFILE
  std::unique_ptr<detail::TlsListener> tls;  // the HTTPS listener, when options.tls is set
  // Open connections and the cap; accept_paused (main thread only): at the cap, the acceptor
  // waits for a connection to close.
  std::atomic<int> connections{0};
  int max_connections = 0;
  bool accept_paused = false;
  std::chrono::milliseconds sweep_period{1000};
  std::vector<std::thread> threads;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  uint16_t bound_port = 0;
  std::mutex mu;
  std::condition_variable idle_cv;

  Impl(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {
    int n = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
    if (n <= 0) n = 2;
    for (int i = 0; i < n; ++i) contexts.push_back(std::make_unique<asio::io_context>(1));
    acceptor.emplace(main());
    sweeper.emplace(main());
    accept_timer.emplace(main());
    // Asio creates a context's reactor (an epoll descriptor) on its first socket or timer: do
    // it now, or the first connection handed to a context while descriptors run out would
    // throw from the acceptor's handler and end the process.
    for (auto& c : contexts) warm_up(*c);
    warm_up(background);
    max_connections =
        options.max_connections > 0 ? options.max_connections : default_max_connections(open_file_limit());
    // Deadlines are checked by one periodic sweep instead of a timer per operation (re-arming
    // a timer on every request costs more than the request's own work); a deadline fires at
    // most a quarter of the shortest timeout late.
    auto shortest = std::min({options.read_timeout, options.idle_timeout, options.header_timeout});
    sweep_period = std::clamp(shortest / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(1000));
  }
  void accept();
  asio::io_context& next() {  // main thread only
    asio::io_context& c = *contexts[next_context];
    next_context = (next_context + 1) % contexts.size();
    return c;
  }
  void adopt(detail::Socket&& socket, std::string remote_address);
  void on_accept_error(const boost::system::error_code& ec);
  void connection_closed();
  void sweep();
  void request_done() {
    if (--in_flight == 0) {
      std::lock_guard<std::mutex> lock(mu);
      idle_cv.notify_all();
    }
  }
};

namespace detail {

constexpr size_t kReadSize = 16 * 1024;

inline int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void append_number(std::string& out, uint64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

// Answer buffers above this size are released after use.
constexpr uint64_t kSmallMessage = 64 * 1024;
// After answering a request whose body it will not read, the connection discards what the
// client still sends for this long, or this much (so that the client reads the answer instead
// of a reset, without the connection draining a huge body).
constexpr std::chrono::milliseconds kLingerTime{2000};
constexpr size_t kLingerBytes = 1024 * 1024;

class Session : public std::enable_shared_from_this<Session> {
 public:
  // remote_address: given for a relayed HTTPS connection (the socket is then a socket pair's
  // end), else read from the socket.
  Session(Socket&& socket, Server::Impl* server, std::string remote_address = {}, bool https = false)
      : socket_(std::move(socket)), server_(server), remote_address_(std::move(remote_address)), https_(https) {
    beast::error_code ec;
    // Once per connection (a getpeername system call per request would show in benchmarks).
    if (remote_address_.empty()) {
      auto ep = socket_.remote_endpoint(ec);
      if (!ec) remote_address_ = ep.address().to_string();
    }
    socket_.set_option(tcp::no_delay(true), ec);
    // Writes are first tried synchronously (a small answer fits the send buffer); only what
    // does not fit goes through the reactor.
    socket_.non_blocking(true, ec);
  }

  ~Session() {
    if (spool_fp_) std::fclose(spool_fp_);
    if (file_fd_ >= 0) ::close(file_fd_);
    {
      std::lock_guard<std::mutex> lock(server_->sessions_mu);
      server_->sessions.erase(this);
    }
    server_->connection_closed();
  }

  void start() {
    {
      std::lock_guard<std::mutex> lock(server_->sessions_mu);
      server_->sessions.emplace(this, weak_from_this());
    }
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  // From the sweeper, on this connection's strand: closes it when its deadline has passed.
  void check_deadline(int64_t now) {
    if (expired(now)) close();
  }
  bool expired(int64_t now) const {
    int64_t d = deadline_.load(std::memory_order_relaxed);
    return d != 0 && d <= now;
  }
  Executor executor() { return socket_.get_executor(); }

 private:
  void arm(std::chrono::milliseconds timeout) { deadline_.store(now_ms() + timeout.count(), std::memory_order_relaxed); }
  void disarm() { deadline_.store(0, std::memory_order_relaxed); }

  // A request's header: the first request's must be whole header_timeout after the connection
  // opened; on a kept-alive connection the next request may take idle_timeout to start, then
  // its header must be whole header_timeout after its first byte.
  void read_header() {
    if (server_->stopping) return close();
    parser_.emplace();
    parser_->header_limit(server_->options.header_limit);
    // The declared length is checked in on_header (so that the answer can be a proper AWS
    // error); the limit applies to the body read.
    parser_->body_limit(boost::none);
    if (buffer_.size() > 0 || first_) {  // pipelined bytes, or a new connection
      arm(server_->options.header_timeout);
      return parse_header();
    }
    arm(server_->options.idle_timeout);
    socket_.async_read_some(buffer_.prepare(kReadSize), [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->buffer_.commit(n);
      if (ec) return self->on_header(ec);
      self->arm(self->server_->options.header_timeout);
      self->parse_header();
    });
  }

  // Parses what the buffer holds; reads the rest of the header when it is not all there.
  void parse_header() {
    beast::error_code ec;
    if (buffer_.size() > 0) {
      size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
    }
    if (buffer_.size() == 0 || ec == bhttp::error::need_more) {
      if (parser_->is_header_done()) return on_header({});
      return bhttp::async_read_header(socket_, buffer_, *parser_,
                                      [self = shared_from_this()](beast::error_code e, size_t) { self->on_header(e); });
    }
    on_header(ec);
  }

  void on_header(beast::error_code ec) {
    first_ = false;
    if (ec) return on_read_error(ec);
    auto& msg = parser_->get();
    auto len = parser_->content_length();
    version_ = msg.version();
    pending_ = take_request(msg);
    body_limit_ = server_->options.body_limit;
    if (server_->options.body_limit_for) {
      try {
        body_limit_ = std::min(body_limit_, server_->options.body_limit_for(pending_));
      } catch (const std::exception&) {
        // A failing hook leaves the server's limit in force.
      }
    }
    if (len && *len > body_limit_) {
      // Answer from the headers alone; the body is never read, so the connection closes.
      keep_alive_ = false;
      pending_.body_too_large = true;
      return dispatch(std::move(pending_));
    }
    parser_->body_limit(body_limit_);
    auto expect = msg[bhttp::field::expect];
    if (!expect.empty() && beast::iequals(expect, "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      head_out_.assign(kContinue);
      body_out_.clear();
      return send(After::read_body, false);
    }
    read_body();
  }

  void read_body() {
    body_start_ = now_ms();
    body_received_ = 0;
    const auto& o = server_->options;
    auto declared = parser_->content_length();
    if ((!declared && parser_->chunked()) || (declared && *declared > o.spool_threshold)) return start_spool(nullptr);
    if (declared && *declared > o.digest_spool_threshold && o.spool_digester && o.worker_threads > 0) {
      if (auto digester = o.spool_digester(pending_)) return start_spool(std::move(digester));
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
    read_body_some();
  }

  void read_body_some() {
    arm_body();
    bhttp::async_read_some(socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->body_received_ += n;
      if (!ec && !self->parser_->is_done()) return self->read_body_some();
      self->on_body(ec);
    });
  }

  // The deadline of a body read: read_timeout of silence at most, and once the grace period
  // has passed, the time by which the bytes received so far were due at the minimum rate.
  void arm_body() {
    const auto& o = server_->options;
    int64_t deadline = now_ms() + o.read_timeout.count();
    if (o.min_body_rate > 0) {
      int64_t due = body_start_ + o.body_rate_grace.count() +
                    static_cast<int64_t>(body_received_ * 1000 / o.min_body_rate);
      deadline = std::min(deadline, due);
    }
    deadline_.store(deadline, std::memory_order_relaxed);
  }

  void on_body(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      keep_alive_ = false;
      pending_.body_too_large = true;
      return dispatch(std::move(pending_));
    }
    if (ec) return on_read_error(ec);
    keep_alive_ = parser_->get().keep_alive();
    pending_.body = std::move(parser_->get().body());
    dispatch(std::move(pending_));
  }

  // ---- large and chunked bodies: streamed to a temporary file ----
  // `digester`: the body's digester if the caller already asked the hook for it.
  void start_spool(std::unique_ptr<PayloadDigester> digester) {
    spool_ = make_body_file(server_->options.spool_dir);
    spool_fp_ = spool_ ? std::fopen(spool_->path().c_str(), "wb") : nullptr;
    if (!spool_fp_) return fail_spool();
    // Unbuffered: every write reaches the file at once, where the hashing jobs read it.
    std::setvbuf(spool_fp_, nullptr, _IONBF, 0);
    spool_size_ = 0;
    spool_buf_.resize(1024 * 1024);
    start_spool_hash(std::move(digester));
    auto declared = parser_->content_length();
    if (declared && !parser_->chunked()) {
      // A declared length: the bytes go from the socket to the file as they are, without the
      // parser's copy through the read buffer (what arrived with the header first).
      raw_keep_alive_ = parser_->get().keep_alive();
      spool_left_ = *declared;
      size_t have = static_cast<size_t>(std::min<uint64_t>(buffer_.size(), spool_left_));
      if (have > 0) {
        if (std::fwrite(buffer_.data().data(), 1, have, spool_fp_) != have) return fail_spool();
        buffer_.consume(have);
        spool_left_ -= have;
        spool_size_ += have;
        body_received_ += have;
        pump_spool_hash();
      }
      parser_.reset();
      return read_raw_spool();
    }
    spool_parser_.emplace(std::move(*parser_));
    parser_.reset();
    spool_parser_->body_limit(body_limit_);
    read_spool();
  }

  void read_spool() {
    auto& body = spool_parser_->get().body();
    body.data = spool_buf_.data();
    body.size = spool_buf_.size();
    body.more = true;
    arm_body();
    bhttp::async_read_some(socket_, buffer_, *spool_parser_, [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->body_received_ += n;
      self->on_spool(ec);
    });
  }

  void on_spool(beast::error_code ec) {
    if (ec == bhttp::error::need_buffer) ec = {};
    size_t got = spool_buf_.size() - spool_parser_->get().body().size;
    if (!ec && got > 0 && std::fwrite(spool_buf_.data(), 1, got, spool_fp_) != got) return fail_spool();
    spool_size_ += got;
    if (ec == bhttp::error::body_limit) {
      close_spool();
      keep_alive_ = false;
      pending_.body_too_large = true;
      return dispatch(std::move(pending_));
    }
    if (ec) {
      close_spool();
      return on_read_error(ec);
    }
    pump_spool_hash();
    if (!spool_parser_->is_done()) return read_spool();
    finish_spool(spool_parser_->get().keep_alive());
  }

  void read_raw_spool() {
    if (spool_left_ == 0) return finish_spool(raw_keep_alive_);
    arm_body();
    size_t want = static_cast<size_t>(std::min<uint64_t>(spool_buf_.size(), spool_left_));
    socket_.async_read_some(asio::buffer(spool_buf_.data(), want),
                            [self = shared_from_this()](beast::error_code ec, size_t n) { self->on_raw_spool(ec, n); });
  }

  void on_raw_spool(beast::error_code ec, size_t n) {
    body_received_ += n;
    if (n > 0 && std::fwrite(spool_buf_.data(), 1, n, spool_fp_) != n) return fail_spool();
    spool_size_ += n;
    spool_left_ -= n;
    if (ec && spool_left_ > 0) {
      close_spool();
      return on_read_error(ec == asio::error::eof ? beast::error_code(bhttp::error::partial_message) : ec);
    }
    pump_spool_hash();
    read_raw_spool();
  }

  // The spooled body is complete: closed, and the request dispatched with it (once its
  // digests, if asked for, have caught up).
  void finish_spool(bool keep_alive) {
    if (std::fclose(spool_fp_) != 0) {
      spool_fp_ = nullptr;
      return fail_spool();
    }
    spool_fp_ = nullptr;
    spool_->set_size(spool_size_);
    keep_alive_ = keep_alive;
    spool_parser_.reset();
    spool_buf_ = {};
    if (spool_hash_ && (spool_hash_->busy() || spool_hash_->hashed() < spool_size_)) {
      disarm();  // no socket read is pending; the hashing decides when the request goes on
      spool_waiting_ = true;
      return pump_spool_hash();
    }
    complete_spool();
  }

  void complete_spool() {
    if (spool_hash_) {
      if (auto digests = spool_hash_->finish()) spool_->set_digests(std::move(*digests));
      spool_hash_.reset();
    }
    spool_waiting_ = false;
    pending_.body_file = std::move(spool_);
    dispatch(std::move(pending_));
  }

  // ---- digests of a spooled body, computed on the worker pool as it arrives (spool_digest.hpp) ----
  void start_spool_hash(std::unique_ptr<PayloadDigester> digester) {
    spool_hash_.reset();
    spool_waiting_ = false;
    const auto& o = server_->options;
    if (!o.spool_digester || o.worker_threads <= 0) return;
    if (!digester) digester = o.spool_digester(pending_);
    if (digester) spool_hash_ = SpoolDigest::open(std::move(digester), spool_->path());
  }

  void pump_spool_hash() {
    auto h = spool_hash_;
    auto range = h ? h->next(spool_size_) : std::nullopt;
    if (!range) return;
    asio::post(server_->workers, [self = shared_from_this(), h, from = range->first, to = range->second] {
      h->hash(from, to);
      asio::post(self->socket_.get_executor(), [self, h, to] {
        h->done(to);
        if (h != self->spool_hash_) return;  // that body was abandoned
        self->pump_spool_hash();
        if (self->spool_waiting_ && !h->busy()) self->complete_spool();
      });
    });
  }

  void close_spool() {
    if (spool_fp_) std::fclose(spool_fp_);
    spool_fp_ = nullptr;
    spool_.reset();
    spool_hash_.reset();
    spool_waiting_ = false;
  }

  // The temporary file could not be written: 500 and close.
  void fail_spool() {
    close_spool();
    keep_alive_ = false;
    Response r;
    r.status = 500;
    r.headers.add("Content-Type", "text/plain");
    r.body = "Internal Server Error: cannot store the request body\n";
    stamp_transport(r);
    ++server_->in_flight;
    write(std::move(r));
  }

  // The request as the handler sees it, from the header (the body is added once read).
  template <class Message>
  Request take_request(Message& msg) {
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
    auto& items = req.headers.items();
    items.reserve(16);
    for (const auto& f : msg) items.push_back({std::string(f.name_string()), std::string(f.value())});
    req.remote_address = remote_address_;
    req.https = https_;
    // An upgrade request's head is kept for the handshake, should the handler accept it.
    if (is_websocket_upgrade(req)) {
      upgrade_.emplace();
      upgrade_->method = req.method;
      upgrade_->target = req.target;
      upgrade_->headers = req.headers;
    } else {
      upgrade_.reset();
    }
    head_ = req.method == "HEAD";  // version_ was taken in on_header, for every answer
    return req;
  }

  void dispatch(Request&& req) {
    disarm();  // the handler may take as long as it needs (a Lambda invocation, a long poll)
    ++server_->in_flight;
    auto self = shared_from_this();
    // Each request's Responder answers once, and only its own request: a late second call from
    // a handler's thread must not answer the connection's next request.
    const uint64_t gen = ++request_gen_;
    Responder respond = [self, gen](Response r) {
      uint64_t previous = gen - 1;
      if (!self->answered_gen_.compare_exchange_strong(previous, gen)) return;
      // Inline when the handler completes on this connection's thread (the common, synchronous
      // case); queued otherwise.
      if (self->socket_.get_executor().running_in_this_thread()) return self->write(std::move(r));
      asio::post(self->socket_.get_executor(), [self, r = std::move(r)]() mutable { self->write(std::move(r)); });
    };
    uint64_t body_size = req.body_file ? req.body_file->size() : req.body.size();
    if (body_size > server_->options.offload_threshold && server_->options.worker_threads > 0) {
      return asio::post(server_->workers, [server = server_, req = std::move(req), respond]() mutable {
        run_handler(*server, std::move(req), respond);
      });
    }
    run_handler(*server_, std::move(req), respond);
  }

  static void run_handler(Server::Impl& server, Request&& req, const Responder& respond) {
    try {
      server.handler(std::move(req), respond);
    } catch (const std::exception&) {
      Response r;
      r.status = 500;
      r.body = "Internal Server Error";
      respond(std::move(r));
    }
  }

  // ---- responses: serialised here, written synchronously when the socket takes them ----
  enum class After { next_request, read_body, close, linger };

  static void stamp_transport(Response& r) {
    std::string rid = ids::uuid4();
    r.headers.add("x-amzn-RequestId", rid);
    r.headers.add("x-amz-request-id", rid);
    r.headers.add("Date", timefmt::http_date(std::chrono::system_clock::now()));
  }

  // The answer to a dispatched request (counted in in_flight).
  void write(Response&& r) {
    if (r.websocket) {
      if (r.status == 101 && upgrade_ && !server_->stopping.load()) return upgrade(std::move(r));
      // Not an upgrade request after all (or stopping): the listener never opens.
      r.websocket->on_close();
      r.websocket.reset();
      if (r.status == 101) {
        r.status = 400;
        r.body = "Bad Request\n";
      }
    }
    bool keep = keep_alive_ && !server_->stopping.load();
    serialize(r, keep);
    // A body left unread (refused as too large): linger, so that the client sees the answer.
    bool unread = !keep && parser_done_reading() == false;
    send(keep ? After::next_request : unread ? After::linger : After::close, true);
  }

  // Hands the socket to a WebSocketConnection, which completes the handshake with the
  // answer's headers; this session stays alive (as the open connection) until that one ends.
  void upgrade(Response&& r) {
    disarm();
    bhttp::request<bhttp::empty_body> req;
    req.method_string(upgrade_->method);
    req.target(upgrade_->target);
    req.version(11);
    for (const auto& h : upgrade_->headers.items()) req.insert(h.name, h.value);
    upgrade_.reset();
    start_websocket(std::move(socket_), std::move(req), std::move(r.headers), std::move(r.websocket), shared_from_this());
    server_->request_done();
  }

  bool parser_done_reading() const {
    if (spool_left_ > 0) return false;
    if (spool_parser_) return spool_parser_->is_done();
    return !parser_ || parser_->is_done();
  }

  void serialize(Response& r, bool keep) {
    std::string& h = head_out_;
    h.clear();
    h.append(version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    unsigned status = r.status >= 100 && r.status <= 999 ? static_cast<unsigned>(r.status) : 500u;
    append_number(h, status);
    h.push_back(' ');
    auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
    h.append(reason.data(), reason.size());
    h.append("\r\n");
    std::string_view declared_length;
    for (const auto& f : r.headers.items()) {
      if (iequals(f.name, "Content-Length")) {
        declared_length = f.value;
        continue;
      }
      if (iequals(f.name, "Connection") || iequals(f.name, "Transfer-Encoding")) continue;
      h.append(f.name).append(": ").append(f.value).append("\r\n");
    }
    // 1xx, 204 and 304 answers carry neither a body nor a Content-Length.
    bool no_payload = status < 200 || status == 204 || status == 304;
    bool omit = head_ || r.omit_body || no_payload;
    if (!no_payload) {
      h.append("Content-Length: ");
      if (omit && !r.content_length_override.empty()) {
        h.append(r.content_length_override);
      } else if (omit && !declared_length.empty()) {
        h.append(declared_length);
      } else if (!r.body_files.empty()) {
        uint64_t length = 0;
        for (const FileRange& f : r.body_files) length += f.length;
        append_number(h, length);
      } else {
        append_number(h, r.body.size());
      }
      h.append("\r\n");
    }
    if (version_ == 10 && keep) h.append("Connection: keep-alive\r\n");
    if (version_ != 10 && !keep) h.append("Connection: close\r\n");
    h.append("\r\n");
    files_out_.clear();
    file_index_ = 0;
    if (omit) {
      body_out_.clear();
    } else if (!r.body_files.empty()) {
      body_out_.clear();
      files_out_ = std::move(r.body_files);
    } else {
      body_out_ = std::move(r.body);
    }
  }

  // A file-backed body, after the header: sendfile(2) from each range's descriptor (or its
  // file opened when reached) straight to the socket, waiting for writability when it is full.
  void send_file() {
    int out = socket_.native_handle();
    for (; file_index_ < files_out_.size(); ++file_index_) {
      const FileRange& range = files_out_[file_index_];
      if (file_fd_ < 0) {
        const PayloadFile& f = *range.file;
        file_fd_ = f.fd() >= 0 ? ::dup(f.fd()) : ::open(f.path().c_str(), O_RDONLY | O_CLOEXEC);
        if (file_fd_ < 0) return finish_file(asio::error::make_error_code(asio::error::bad_descriptor));
        file_pos_ = range.offset;
        file_end_ = range.offset + range.length;
      }
      while (file_pos_ < file_end_) {
        off_t off = static_cast<off_t>(file_pos_);
        size_t want = static_cast<size_t>(std::min<uint64_t>(file_end_ - file_pos_, 1u << 30));
        ssize_t n = ::sendfile(out, file_fd_, &off, want);
        if (n > 0) {
          file_pos_ += static_cast<uint64_t>(n);
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          arm(server_->options.read_timeout);  // a client that stops reading is dropped
          return socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](beast::error_code ec) {
            if (ec) return self->finish_file(ec);
            self->send_file();
          });
        }
        // An error, or the file ended early (truncated under us): the body cannot be completed.
        return finish_file(n == 0 ? asio::error::make_error_code(asio::error::eof)
                                  : beast::error_code(errno, beast::system_category()));
      }
      ::close(file_fd_);
      file_fd_ = -1;
      files_out_[file_index_].file.reset();  // its descriptor goes as soon as it is sent
    }
    finish_file({});
  }

  void finish_file(beast::error_code ec) {
    if (file_fd_ >= 0) ::close(file_fd_);
    file_fd_ = -1;
    files_out_.clear();
    file_index_ = 0;
    if (ec) after_ = After::close;  // a short body: the client must not reuse the connection
    on_sent(ec);
  }

  void send(After after, bool counted) {
    after_ = after;
    counted_ = counted;
    size_t total = head_out_.size() + body_out_.size();
    size_t sent = 0;
    beast::error_code ec;
    while (sent < total) {
      size_t n = socket_.write_some(pending_buffers(sent), ec);
      if (ec) break;
      sent += n;
    }
    if (sent == total) return on_sent({});
    if (ec != asio::error::would_block && ec != asio::error::try_again) return on_sent(ec);
    arm(server_->options.read_timeout);  // a client that stops reading is dropped
    asio::async_write(socket_, pending_buffers(sent),
                      [self = shared_from_this()](beast::error_code wec, size_t) { self->on_sent(wec); });
  }

  std::array<asio::const_buffer, 2> pending_buffers(size_t sent) const {
    if (sent < head_out_.size()) {
      return {asio::buffer(head_out_.data() + sent, head_out_.size() - sent), asio::buffer(body_out_)};
    }
    size_t off = sent - head_out_.size();
    return {asio::const_buffer(), asio::buffer(body_out_.data() + off, body_out_.size() - off)};
  }

  void on_sent(beast::error_code ec) {
    if (!ec && file_index_ < files_out_.size()) return send_file();
    if (counted_) {
      counted_ = false;
      server_->request_done();
    }
    if (body_out_.capacity() > kSmallMessage) body_out_ = {};
    if (ec || after_ == After::close) return close();
    if (after_ == After::linger) return linger();
    if (after_ == After::read_body) return read_body();
    read_header();
  }

  // Half-closes and discards what the client still sends, for kLingerTime at most.
  void linger() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    arm(kLingerTime);
    spool_parser_.reset();
    parser_.reset();
    discard(0);
  }

  void discard(size_t discarded) {
    buffer_.clear();
    if (discarded > kLingerBytes) return close();
    socket_.async_read_some(buffer_.prepare(kReadSize),
                            [self = shared_from_this(), discarded](beast::error_code ec, size_t n) {
                              if (ec) return self->close();
                              self->discard(discarded + n);
                            });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::bad_descriptor || !socket_.is_open()) {
      return close();
    }
    // Garbage or over-limit headers: answer 400/431 and close, as an HTTP front end would.
    bool too_large = ec == bhttp::error::header_limit;
    Response r;
    r.status = too_large ? 431 : 400;
    r.headers.add("Content-Type", "text/plain");
    r.body = too_large ? "Request Header Fields Too Large\n" : "Bad Request\n";
    stamp_transport(r);
    version_ = 11;
    head_ = false;
    serialize(r, false);
    send(After::close, false);
  }

  void close() {
    disarm();
    beast::error_code ec;
    if (!socket_.is_open()) return;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  Socket socket_;
  Server::Impl* server_;
  std::atomic<int64_t> deadline_{0};  // steady-clock ms; 0 = none
  std::string remote_address_;
  bool https_ = false;  // relayed from the HTTPS listener
  std::vector<FileRange> files_out_;  // the file-backed body being sent, if any
  size_t file_index_ = 0;             // the range being sent
  int file_fd_ = -1;
  uint64_t file_pos_ = 0, file_end_ = 0;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::request_parser<bhttp::buffer_body>> spool_parser_;
  Request pending_;          // the request being read: header fields from on_header on
  std::optional<Request> upgrade_;  // the head of the current request when it asks for a WebSocket
  uint64_t body_limit_ = 0;  // this request's (the header-time hook's)
  int64_t body_start_ = 0;   // steady-clock ms when its body read began
  uint64_t body_received_ = 0;
  std::shared_ptr<BodyFile> spool_;
  std::FILE* spool_fp_ = nullptr;
  std::shared_ptr<SpoolDigest> spool_hash_;
  bool spool_waiting_ = false;  // the body is whole; waiting for its digests
  uint64_t spool_size_ = 0;
  uint64_t spool_left_ = 0;       // raw spooling: bytes of the declared length still to read
  bool raw_keep_alive_ = true;
  std::vector<char> spool_buf_;
  std::string head_out_;
  std::string body_out_;
  After after_ = After::next_request;
  bool counted_ = false;
  uint64_t request_gen_ = 0;                // requests dispatched on this connection (its thread only)
  std::atomic<uint64_t> answered_gen_{0};  // the last of them whose Responder was called
  bool keep_alive_ = true;
  bool head_ = false;
  bool first_ = true;
  unsigned version_ = 11;
};

}  // namespace detail

void Server::Impl::accept() {
  asio::io_context& target = next();
  acceptor->async_accept(target.get_executor(), [self = this](beast::error_code ec, detail::Socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !self->acceptor->is_open()) return;
      return self->on_accept_error(ec);
    }
    ++self->connections;
    std::make_shared<detail::Session>(std::move(socket), self)->start();
    if (self->stopping) return;
    if (self->connections.load() >= self->max_connections) {
      self->accept_paused = true;  // resumed by connection_closed
      return;
    }
    self->accept();
  });
}

// The plaintext end of an HTTPS connection (tls_listener.cpp), on its context's thread.
void Server::Impl::adopt(detail::Socket&& socket, std::string remote_address) {
  ++connections;
  std::make_shared<detail::Session>(std::move(socket), this, std::move(remote_address), true)->start();
}

// Out of descriptors (EMFILE, ENFILE) or kernel memory: the pending connection stays in the
// backlog and accepting again at once would fail again at once (a busy loop). Pause instead.
// Other errors (a connection aborted before it was accepted) concern one connection only.
void Server::Impl::on_accept_error(const boost::system::error_code& ec) {
  if (stopping) return;
  int e = ec.value();
  bool exhausted = ec.category() == boost::system::system_category() &&
                   (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM);
  if (!exhausted) return accept();
  accept_timer->expires_after(options.accept_backoff);
  accept_timer->async_wait([self = this](beast::error_code tec) {
    if (!tec && !self->stopping) self->accept();
  });
}

// From a closing connection, on any thread.
void Server::Impl::connection_closed() {
  --connections;
  if (stopping) return;
  asio::post(main(), [self = this] {
    if (!self->accept_paused || self->stopping || self->connections.load() >= self->max_connections) return;
    self->accept_paused = false;
    self->accept();
  });
}

void Server::Impl::sweep() {
  sweeper->expires_after(sweep_period);
  sweeper->async_wait([self = this](beast::error_code ec) {
    if (ec) return;
    int64_t now = detail::now_ms();
    std::vector<std::shared_ptr<detail::Session>> expired;
    {
      std::lock_guard<std::mutex> lock(self->sessions_mu);
      for (auto& [ptr, weak] : self->sessions) {
        if (!ptr->expired(now)) continue;
        if (auto s = weak.lock()) expired.push_back(std::move(s));
      }
    }
    for (auto& s : expired) asio::post(s->executor(), [s, now] { s->check_deadline(now); });
    if (!self->stopping) self->sweep();
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
  auto& acc = *im.acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + im.options.host + ":" + std::to_string(im.options.port) + ": " +
                             ec.message());
  }
  im.bound_port = acc.local_endpoint().port();
  if (im.options.tls) {
    detail::TlsHost hooks;
    hooks.next_context = [&im]() -> asio::io_context& { return im.next(); };
    hooks.at_capacity = [&im] { return im.connections.load() >= im.max_connections; };
    hooks.stopping = [&im] { return im.stopping.load(); };
    hooks.adopt = [&im](detail::Socket&& s, std::string remote) { im.adopt(std::move(s), std::move(remote)); };
    hooks.accept_backoff = im.options.accept_backoff;
    hooks.write_timeout = im.options.read_timeout;
    try {
      im.tls = std::make_unique<detail::TlsListener>(im.main(), im.options.host, *im.options.tls, std::move(hooks));
    } catch (...) {
      acc.close(ec);
      throw;
    }
  }
  for (auto& c : im.contexts) im.work.push_back(asio::make_work_guard(*c));
  im.work.push_back(asio::make_work_guard(im.background));
  im.work.push_back(asio::make_work_guard(im.workers));
  im.accept();
  if (im.tls) im.tls->start();
  im.sweep();
  for (auto& c : im.contexts) im.threads.emplace_back([ctx = c.get()] { ctx->run(); });
  im.threads.emplace_back([ctx = &im.background] { ctx->run(); });
  for (int i = 0; i < im.options.worker_threads; ++i) im.threads.emplace_back([ctx = &im.workers] { ctx->run(); });
}

uint16_t Server::port() const { return impl_->bound_port; }

uint16_t Server::tls_port() const { return impl_->tls ? impl_->tls->port() : 0; }

int Server::in_flight() const { return impl_->in_flight.load(); }

int Server::connections() const { return impl_->connections.load(); }

void Server::stop(std::chrono::milliseconds grace) {
  auto& im = *impl_;
  if (im.threads.empty()) return;
  im.stopping = true;
  asio::post(im.main(), [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor->close(ec);
    impl->sweeper->cancel();
    impl->accept_timer->cancel();
    if (impl->tls) impl->tls->close();
  });
  {
    std::unique_lock<std::mutex> lock(im.mu);
    im.idle_cv.wait_for(lock, grace, [&] { return im.in_flight.load() == 0; });
  }
  im.work.clear();
  for (auto& c : im.contexts) c->stop();
  im.background.stop();
  im.workers.stop();
  for (auto& t : im.threads)
    if (t.joinable()) t.join();
  im.threads.clear();
}

void Server::post(std::function<void()> fn) { asio::post(impl_->background, std::move(fn)); }

void Server::post_after(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(impl_->background, delay);
  timer->async_wait([timer, fn = std::move(fn)](beast::error_code ec) {
    if (!ec) fn();
  });
}

}  // namespace awan::http
