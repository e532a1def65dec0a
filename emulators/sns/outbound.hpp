#pragma once
// SNS's outbound transports, blocking (called from the delivery thread, never an I/O thread):
// HTTP/HTTPS POST of a notification, email over SMTP, and email as RFC 5322 files in an outbox
// directory. libcurl does the protocols. Neighbours: delivery.cpp decides what to send and when.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace awan::sns {

struct HttpPost {
  std::string url;  // http:// or https:// (certificates are not verified: local endpoints)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{15000};
};
struct HttpOutcome {
  int status = 0;     // the HTTP status; 0 when no answer came (error says why)
  std::string error;  // "" on an answer
  bool delivered() const { return status >= 200 && status < 300; }
};
HttpOutcome http_post(const HttpPost& post);

// An HTTP GET (an SNS SubscribeURL fetched by tests or the outbox viewer).
HttpOutcome http_get(const std::string& url, std::chrono::milliseconds timeout);

struct EmailMessage {
  std::string from;     // "no-reply@sns.amazonaws.com"
  std::string to;       // the subscription's endpoint
  std::string subject;  // any UTF-8 (encoded-word in the header when not ASCII)
  std::string body;     // UTF-8 text; lines become CRLF
  std::string message_id;  // without angle brackets, e.g. "<uuid>@sns.awan.local"
  int64_t date_ms = 0;     // the Date header
};

// The message as RFC 5322 text: From, To, Subject, Date, Message-ID, MIME-Version,
// Content-Type text/plain; charset=UTF-8, Content-Transfer-Encoding (quoted-printable when the
// body is not short plain ASCII lines), CRLF line ends, a dot-safe body.
std::string rfc5322(const EmailMessage& m);

// Sends `m` to the SMTP server at "host:port" (no TLS, no authentication: a local relay or test
// server). "" on success, else the reason ("connection refused", the server's reply ...).
std::string send_smtp(const std::string& host_port, const EmailMessage& m, std::chrono::milliseconds timeout);

// Writes `m` (rfc5322) into `dir` (created if missing) as "<yyyymmddThhmmss>-<message id>.eml",
// atomically (a temporary file renamed). Returns the path, or nullopt with `error` set.
std::optional<std::string> write_outbox(const std::string& dir, const EmailMessage& m, std::string& error);

}  // namespace awan::sns
