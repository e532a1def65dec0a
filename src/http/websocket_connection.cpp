// WebSocket connections (websocket_connection.hpp): Beast's websocket stream over the socket an
// HTTP session handed over; the only translation unit besides server.cpp that uses Beast.
#include "http/websocket_connection.hpp"

#include <atomic>
#include <chrono>
#include <deque>
#include <string>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

namespace awan::http::detail {

namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;

// API Gateway's limits: a message of at most 128 KiB; a connection idle for 10 minutes closes.
constexpr size_t kWebSocketMessageMax = 128 * 1024;
constexpr std::chrono::minutes kWebSocketIdle{10};

// A connection after a WebSocket handshake: Beast does the framing, pings and close handshake;
// whole messages go to the service's listener, and the peer it is given queues messages and
// closes from any thread. Holds the HTTP session it came from, so that the connection counts
// as open until it closes.
class WebSocketConnection : public std::enable_shared_from_this<WebSocketConnection> {
 public:
  WebSocketConnection(Socket&& socket, std::shared_ptr<WebSocketListener> listener, std::shared_ptr<void> owner)
      : ws_(std::move(socket)), listener_(std::move(listener)), owner_(std::move(owner)) {}

  void accept(bhttp::request<bhttp::empty_body> req, Headers extra) {
    req_ = std::move(req);
    ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(30), kWebSocketIdle, true});
    ws_.set_option(websocket::stream_base::decorator([extra = std::move(extra)](websocket::response_type& res) {
      res.set(bhttp::field::server, "Awan");
      for (const auto& h : extra.items()) res.set(h.name, h.value);
    }));
    ws_.read_message_max(kWebSocketMessageMax);
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

  // From the peer, on any thread.
  void post_send(std::string message, bool binary) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), m = std::move(message), binary]() mutable {
      if (!self->open_) return;
      self->queue_.emplace_back(std::move(m), binary);
      if (!self->writing_) self->write_next();
    });
  }
  void post_close() {
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->start_close(); });
  }
  bool is_open() const { return open_.load(); }

 private:
  class Peer : public WebSocketPeer {
   public:
    explicit Peer(std::weak_ptr<WebSocketConnection> c) : conn_(std::move(c)) {}
    void send(std::string message, bool binary) override {
      if (auto c = conn_.lock()) c->post_send(std::move(message), binary);
    }
    void close() override {
      if (auto c = conn_.lock()) c->post_close();
    }
    bool open() const override {
      auto c = conn_.lock();
      return c && c->is_open();
    }

   private:
    std::weak_ptr<WebSocketConnection> conn_;
  };

  void on_accept(beast::error_code ec) {
    if (ec) return finish();
    open_ = true;
    listener_->on_open(std::make_shared<Peer>(weak_from_this()));
    read();
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->finish();
      std::string message = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      self->listener_->on_message(std::move(message), !self->ws_.got_text());
      self->read();
    });
  }

  void write_next() {
    writing_ = true;
    ws_.text(!queue_.front().second);
    ws_.async_write(asio::buffer(queue_.front().first), [self = shared_from_this()](beast::error_code ec, size_t) {
      self->queue_.pop_front();
      self->writing_ = false;
      if (ec) return;  // the read side sees the failure and finishes
      if (!self->queue_.empty()) return self->write_next();
      if (self->close_requested_) self->start_close();
    });
  }

  void start_close() {
    if (!open_ || closing_) return;
    if (writing_) {
      close_requested_ = true;
      return;
    }
    closing_ = true;
    // Completes after the close handshake and the teardown (our FIN, then the client's EOF);
    // the pending read may stay suspended behind it, so this completion finishes.
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) { self->finish(); });
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    open_ = false;
    queue_.clear();
    listener_->on_close();
  }

  websocket::stream<Socket> ws_;
  std::shared_ptr<WebSocketListener> listener_;
  std::shared_ptr<void> owner_;
  bhttp::request<bhttp::empty_body> req_;
  beast::flat_buffer buffer_;
  std::deque<std::pair<std::string, bool>> queue_;
  std::atomic<bool> open_{false};
  bool writing_ = false, closing_ = false, close_requested_ = false, finished_ = false;
};


}  // namespace

void start_websocket(Socket&& socket, bhttp::request<bhttp::empty_body> upgrade, Headers extra,
                     std::shared_ptr<WebSocketListener> listener, std::shared_ptr<void> owner) {
  auto ws = std::make_shared<WebSocketConnection>(std::move(socket), std::move(listener), std::move(owner));
  ws->accept(std::move(upgrade), std::move(extra));
}

}  // namespace awan::http::detail
