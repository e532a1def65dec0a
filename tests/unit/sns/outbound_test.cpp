// SNS outbound transports: RFC 5322 text (headers, encodings, no header injection), outbox
// files, HTTP POST/GET against a one-request local server, SMTP against a fake responder.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

#include "sns/outbound.hpp"

using namespace awan::sns;
using namespace std::chrono_literals;

namespace {

constexpr int64_t kJan2015 = 1420070400123;  // Thu, 01 Jan 2015 00:00:00.123 UTC

EmailMessage email(std::string subject, std::string body) {
  EmailMessage m;
  m.from = "no-reply@sns.amazonaws.com";
  m.to = "user@example.com";
  m.subject = std::move(subject);
  m.body = std::move(body);
  m.message_id = "5f1e9a2c-0000-4000-8000-000000000001@sns.awan.local";
  m.date_ms = kJan2015;
  return m;
}

std::string headers(const std::string& subject, const std::string& encoding) {
  return "From: no-reply@sns.amazonaws.com\r\n"
         "To: user@example.com\r\n"
         "Subject: " + subject + "\r\n"
         "Date: Thu, 01 Jan 2015 00:00:00 +0000\r\n"
         "Message-ID: <5f1e9a2c-0000-4000-8000-000000000001@sns.awan.local>\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=UTF-8\r\n"
         "Content-Transfer-Encoding: " + encoding + "\r\n\r\n";
}

std::string body_of(const std::string& text) { return text.substr(text.find("\r\n\r\n") + 4); }

// A listening socket on 127.0.0.1 and an ephemeral port; `serve` runs on a thread with the
// first accepted connection (or -1 if none came within 5 s).
class LocalServer {
 public:
  explicit LocalServer(std::function<void(int)> serve) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_fd_, 1) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      ADD_FAILURE() << "cannot listen";
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, serve = std::move(serve)] {
      pollfd p{listen_fd_, POLLIN, 0};
      int fd = poll(&p, 1, 5000) == 1 ? accept(listen_fd_, nullptr, nullptr) : -1;
      if (fd >= 0) {
        timeval tv{5, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      }
      serve(fd);
      if (fd >= 0) close(fd);
    });
  }
  ~LocalServer() {
    if (thread_.joinable()) thread_.join();
    close(listen_fd_);
  }
  void wait() { thread_.join(); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

void send_all(int fd, const std::string& s) { (void)!write(fd, s.data(), s.size()); }

// Reads until `done(received)` or the peer stops sending.
std::string read_until(int fd, const std::function<bool(const std::string&)>& done) {
  std::string in;
  char buf[4096];
  while (!done(in)) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
  }
  return in;
}

bool http_request_complete(const std::string& in) {
  size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  size_t cl = in.find("Content-Length: ");
  size_t length = cl != std::string::npos && cl < end ? std::stoul(in.substr(cl + 16)) : 0;
  return in.size() >= end + 4 + length;
}

// A server answering one HTTP request with `response`; the request is kept in `request`.
LocalServer http_server(std::string& request, std::string response) {
  return LocalServer([&request, response](int fd) {
    if (fd < 0) return;
    request = read_until(fd, http_request_complete);
    send_all(fd, response);
  });
}

int closed_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A minimal SMTP responder: the commands it saw, then the message data, in `transcript`;
// `rcpt_reply` answers RCPT TO.
LocalServer smtp_server(std::string& transcript, std::string& data, std::string rcpt_reply) {
  return LocalServer([&transcript, &data, rcpt_reply](int fd) {
    if (fd < 0) return;
    send_all(fd, "220 fake.local ESMTP\r\n");
    std::string pending;
    char buf[4096];
    auto line = [&]() -> std::optional<std::string> {
      while (pending.find("\r\n") == std::string::npos) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) return std::nullopt;
        pending.append(buf, static_cast<size_t>(n));
      }
      size_t end = pending.find("\r\n");
      std::string l = pending.substr(0, end);
      pending.erase(0, end + 2);
      return l;
    };
    while (auto l = line()) {
      transcript += *l + "\n";
      std::string verb = l->substr(0, 4);
      if (verb == "EHLO" || verb == "HELO") send_all(fd, "250 fake.local\r\n");
      else if (verb == "MAIL") send_all(fd, "250 OK\r\n");
      else if (verb == "RCPT") send_all(fd, rcpt_reply + "\r\n");
      else if (verb == "QUIT") { send_all(fd, "221 bye\r\n"); return; }
      else if (verb == "DATA") {
        send_all(fd, "354 go ahead\r\n");
        while (pending.find("\r\n.\r\n") == std::string::npos) {
          ssize_t n = read(fd, buf, sizeof buf);
          if (n <= 0) return;
          pending.append(buf, static_cast<size_t>(n));
        }
        size_t end = pending.find("\r\n.\r\n");
        data = pending.substr(0, end + 2);
        pending.erase(0, end + 5);
        send_all(fd, "250 queued\r\n");
      } else send_all(fd, "502 unknown\r\n");
    }
  });
}

}  // namespace

TEST(SnsRfc5322, PlainAsciiIs7bitWithCrlf) {
  EXPECT_EQ(rfc5322(email("Hello", "line one\nline two")),
            headers("Hello", "7bit") + "line one\r\nline two\r\n");
}

TEST(SnsRfc5322, LineEndsBecomeCrlf) {
  EXPECT_EQ(body_of(rfc5322(email("s", "a\rb\r\n\r\nc\n"))), "a\r\nb\r\n\r\nc\r\n");
}

TEST(SnsRfc5322, NonAsciiBodyIsQuotedPrintable) {
  EXPECT_EQ(rfc5322(email("Hi", "Grüße a=b\nend \n")),
            headers("Hi", "quoted-printable") + "Gr=C3=BC=C3=9Fe a=3Db\r\nend=20\r\n");
}

TEST(SnsRfc5322, LongLinesAreSoftBroken) {
  std::string body = body_of(rfc5322(email("Hi", std::string(100, 'a'))));
  EXPECT_EQ(body, std::string(75, 'a') + "=\r\n" + std::string(25, 'a') + "\r\n");
  std::string escapes = body_of(rfc5322(email("Hi", std::string(30, '\xff'))));
  EXPECT_EQ(escapes, [] {  // 25 escapes (75 characters) then 5: never split inside "=FF"
    std::string s;
    for (int i = 0; i < 25; ++i) s += "=FF";
    s += "=\r\n";
    for (int i = 0; i < 5; ++i) s += "=FF";
    return s + "\r\n";
  }());
}

TEST(SnsRfc5322, LeadingDotIsEncoded) {
  EXPECT_EQ(body_of(rfc5322(email("Hi", "one\n.\n.two"))), "one\r\n=2E\r\n=2Etwo\r\n");
}

TEST(SnsRfc5322, NonAsciiSubjectIsEncodedWord) {
  EXPECT_EQ(rfc5322(email("Grüße", "x")), headers("=?UTF-8?B?R3LDvMOfZQ==?=", "7bit") + "x\r\n");
  std::string accents;
  for (int i = 0; i < 30; ++i) accents += "\xc3\xa9";  // 30 × é, 60 bytes: 44 + 16, between characters
  EXPECT_EQ(rfc5322(email(accents, "x")),
            headers("=?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=\r\n"
                    " =?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqQ==?=",
                    "7bit") +
                "x\r\n");
}

TEST(SnsRfc5322, HeaderInjectionIsStripped) {
  EmailMessage m = email("Hi\r\nBcc: victim@example.com", "x");
  m.to = "user@example.com\nBcc: other@example.com";
  m.from = "no-reply@sns.amazonaws.com\r";
  m.message_id = "<id\r\nX: 1>";
  std::string text = rfc5322(m);
  EXPECT_EQ(text.find("\nBcc:"), std::string::npos);
  EXPECT_EQ(text.find("\nX: 1"), std::string::npos);
  EXPECT_NE(text.find("\r\nSubject: HiBcc: victim@example.com\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\nTo: user@example.comBcc: other@example.com\r\n"), std::string::npos);
  EXPECT_NE(text.find("From: no-reply@sns.amazonaws.com\r\nTo:"), std::string::npos);
  EXPECT_NE(text.find("\r\nMessage-ID: <idX: 1>\r\n"), std::string::npos);
}

TEST(SnsOutbox, WritesTheMessageUnderItsDateAndId) {
  std::string root = std::filesystem::temp_directory_path() / ("awan-outbox-" + std::to_string(getpid()));
  std::string dir = root + "/a/b";
  EmailMessage m = email("Hello", "body");
  m.message_id = "../../etc/passwd x";
  std::string error;
  auto path = write_outbox(dir, m, error);
  ASSERT_TRUE(path) << error;
  EXPECT_EQ(*path, dir + "/20150101T000000-.._.._etc_passwd_x.eml");
  std::ifstream in(*path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), rfc5322(m));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator{}), 1);
  std::filesystem::remove_all(root);
}

TEST(SnsOutbox, UnwritableDirectoryIsAnError) {
  std::string error;
  EXPECT_FALSE(write_outbox("/proc/awan-no-such-dir", email("s", "b"), error));
  EXPECT_FALSE(error.empty());
}

TEST(SnsHttp, PostSendsHeadersAndBodyAndReadsStatus) {
  std::string request;
  LocalServer server = http_server(request, "HTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  HttpPost post;
  post.url = "http://" + server.address() + "/sns?x=1";
  post.headers = {{"Content-Type", "text/plain; charset=UTF-8"},
                  {"x-amz-sns-message-type", "Notification"},
                  {"X-Evil", "a\r\nInjected: 1"}};
  post.body = R"({"Type":"Notification"})";
  HttpOutcome out = http_post(post);
  server.wait();
  EXPECT_EQ(out.status, 201);
  EXPECT_EQ(out.error, "");
  EXPECT_TRUE(out.delivered());
  EXPECT_EQ(request.rfind("POST /sns?x=1 HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_NE(request.find("\r\nContent-Type: text/plain; charset=UTF-8\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nx-amz-sns-message-type: Notification\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nContent-Length: 23\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nX-Evil: aInjected: 1\r\n"), std::string::npos);
  EXPECT_EQ(request.find("\r\nInjected:"), std::string::npos);
  EXPECT_EQ(request.find("Expect:"), std::string::npos);
  EXPECT_EQ(request.substr(request.size() - post.body.size()), post.body);
}

TEST(SnsHttp, ServerErrorIsAnAnswerNotDelivered) {
  std::string request;
  LocalServer server = http_server(request, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
  HttpOutcome out = http_post({"http://" + server.address() + "/", {}, "x", 5000ms});
  server.wait();
  EXPECT_EQ(out.status, 503);
  EXPECT_EQ(out.error, "");
  EXPECT_FALSE(out.delivered());
}

TEST(SnsHttp, GetFetchesTheUrl) {
  std::string request;
  LocalServer server = http_server(request, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n<ok>");
  HttpOutcome out = http_get("http://" + server.address() + "/confirm?Token=abc", 5000ms);
  server.wait();
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(request.rfind("GET /confirm?Token=abc HTTP/1.1\r\n", 0), 0u) << request;
}

TEST(SnsHttp, RefusedConnectionIsStatusZeroWithError) {
  HttpOutcome out = http_post({"http://127.0.0.1:" + std::to_string(closed_port()) + "/", {}, "x", 2000ms});
  EXPECT_EQ(out.status, 0);
  EXPECT_FALSE(out.error.empty());
  EXPECT_FALSE(out.delivered());
  EXPECT_EQ(http_get("http://127.0.0.1:" + std::to_string(closed_port()) + "/", 2000ms).status, 0);
}

TEST(SnsHttp, SilentServerTimesOut) {
  LocalServer server([](int fd) {
    if (fd >= 0) read_until(fd, [](const std::string&) { return false; });
  });
  auto start = std::chrono::steady_clock::now();
  HttpOutcome out = http_post({"http://" + server.address() + "/", {}, "x", 300ms});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_EQ(out.status, 0);
  EXPECT_NE(out.error.find("timed out"), std::string::npos) << out.error;
}

TEST(SnsHttp, OtherSchemesAreRefused) {
  HttpOutcome out = http_get("file:///etc/passwd", 1000ms);
  EXPECT_EQ(out.status, 0);
  EXPECT_FALSE(out.error.empty());
}

TEST(SnsSmtp, SendsEnvelopeAndMessage) {
  std::string transcript, data;
  LocalServer server = smtp_server(transcript, data, "250 OK");
  EmailMessage m = email("Grüße", "Hello\n.\nbye");
  m.from = "AWS Notifications <no-reply@sns.amazonaws.com>";
  EXPECT_EQ(send_smtp(server.address(), m, 5000ms), "");
  server.wait();
  EXPECT_NE(transcript.find("MAIL FROM:<no-reply@sns.amazonaws.com>"), std::string::npos) << transcript;
  EXPECT_NE(transcript.find("RCPT TO:<user@example.com>"), std::string::npos) << transcript;
  EXPECT_EQ(data.rfind(rfc5322(m), 0), 0u) << data;
}

TEST(SnsSmtp, RejectedRecipientGivesTheReason) {
  std::string transcript, data;
  LocalServer server = smtp_server(transcript, data, "550 5.1.1 no such user");
  std::string error = send_smtp(server.address(), email("s", "b"), 5000ms);
  server.wait();
  EXPECT_NE(error.find("550"), std::string::npos) << error;
  EXPECT_TRUE(data.empty());
}

TEST(SnsSmtp, RefusedConnectionGivesTheReason) {
  EXPECT_FALSE(send_smtp("127.0.0.1:" + std::to_string(closed_port()), email("s", "b"), 2000ms).empty());
}
