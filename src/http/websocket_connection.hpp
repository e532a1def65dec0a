#pragma once
// WebSocket connections after an upgrade (internal to src/http, with Beast's types): the HTTP
// session (server.cpp) hands its socket over when a handler answers an upgrade request with
// 101 and a listener. The service-facing interface is include/awan/websocket.hpp.
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>

#include "awan/websocket.hpp"
#include "http/message.hpp"

namespace awan::http::detail {

using Executor = boost::asio::io_context::executor_type;
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;

// Completes the handshake of `upgrade` on `socket` (adding `extra` headers to the 101), then
// delivers whole messages to `listener` and gives it a peer; `owner` (the HTTP session, which
// counts as the open connection) lives until the connection ends.
void start_websocket(Socket&& socket, boost::beast::http::request<boost::beast::http::empty_body> upgrade,
                     Headers extra, std::shared_ptr<WebSocketListener> listener, std::shared_ptr<void> owner);

}  // namespace awan::http::detail
