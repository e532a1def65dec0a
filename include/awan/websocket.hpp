#pragma once
// WebSocket connections a service accepts (API Gateway WebSocket APIs): the daemon performs
// the handshake and framing (src/http/server.cpp); the service sees whole messages through a
// WebSocketListener and sends and closes through the WebSocketPeer it is given.
#include <memory>
#include <string>

namespace awan {

class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;
  // Queues a message (text, or binary when `binary`). Any thread; ignored once closed.
  virtual void send(std::string message, bool binary = false) = 0;
  // Starts a close handshake (status 1000). Any thread; idempotent.
  virtual void close() = 0;
  // False once the connection closed (either side).
  virtual bool open() const = 0;
};

class WebSocketListener {
 public:
  virtual ~WebSocketListener() = default;
  // The handshake completed: messages may be sent from now on.
  virtual void on_open(std::shared_ptr<WebSocketPeer> peer) = 0;
  // A whole message arrived. Runs on an I/O thread: hand long work (a function invocation)
  // to other threads.
  virtual void on_message(std::string message, bool binary) = 0;
  // The connection closed, by either side or because it failed; called once, after on_open
  // (or instead of it when the handshake failed).
  virtual void on_close() = 0;
};

}  // namespace awan
