// The benchmark ceiling: the smallest Beast HTTP/1.1 keep-alive server, answering every
// request with a fixed body, on N I/O threads like the daemon. No routing, no codecs.
//   bare_server PORT [THREADS]   (PORT 0 picks one; prints "listening on PORT")
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
const std::string kBody = R"({"status":"running"})";

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket s) : stream_(std::move(s)) {}
  void read() {
    req_ = {};
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;
      self->res_ = {http::status::ok, self->req_.version()};
      self->res_.set(http::field::content_type, "application/json");
      self->res_.keep_alive(self->req_.keep_alive());
      self->res_.body() = kBody;
      self->res_.prepare_payload();
      http::async_write(self->stream_, self->res_, [self](beast::error_code ec2, size_t) {
        if (!ec2 && self->res_.keep_alive()) self->read();
      });
    });
  }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

void accept(tcp::acceptor& acc, asio::io_context& ioc) {
  acc.async_accept(asio::make_strand(ioc), [&](beast::error_code ec, tcp::socket s) {
    if (!ec) {
      s.set_option(tcp::no_delay(true));
      std::make_shared<Session>(std::move(s))->read();
    }
    accept(acc, ioc);
  });
}
}  // namespace

int main(int argc, char** argv) {
  unsigned short port = argc > 1 ? static_cast<unsigned short>(std::atoi(argv[1])) : 0;
  int threads = argc > 2 ? std::atoi(argv[2]) : static_cast<int>(std::thread::hardware_concurrency());
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {asio::ip::make_address("127.0.0.1"), port});
  std::printf("listening on %u\n", acc.local_endpoint().port());
  std::fflush(stdout);
  accept(acc, ioc);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
}
