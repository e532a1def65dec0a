// SNS's outbound transports with libcurl (HTTP/HTTPS POST and GET, SMTP), and email messages as
// RFC 5322 text (quoted-printable bodies, RFC 2047 subjects) for SMTP and the outbox directory.
#include "sns/outbound.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>

#include <curl/curl.h>

#include "core/crypto.hpp"

namespace awan::sns {

namespace {

constexpr size_t kMaxPlainLine = 78;     // RFC 5322's recommended line length
constexpr size_t kMaxEncodedLine = 76;   // RFC 2045's limit for quoted-printable lines
constexpr size_t kEncodedWordBytes = 45;  // 60 base64 characters: a 72-character encoded-word

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using ListPtr = std::unique_ptr<curl_slist, ListDeleter>;

// A handle with the options every transfer shares; nullptr if libcurl cannot start.
CurlPtr new_handle(const std::string& url, const char* protocols, std::chrono::milliseconds timeout,
                   char* error_buffer) {
  static const bool initialized = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  CurlPtr curl(initialized ? curl_easy_init() : nullptr);
  if (!curl) return nullptr;
  long ms = static_cast<long>(std::max<int64_t>(1, timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, ms);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, ms);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
  error_buffer[0] = '\0';
  return curl;
}

void append(ListPtr& list, const std::string& item) {
  if (curl_slist* head = curl_slist_append(list.get(), item.c_str())) {
    (void)list.release();
    list.reset(head);
  }
}

size_t discard(char*, size_t size, size_t count, void*) { return size * count; }

std::string curl_error(CURLcode code, const char* error_buffer) {
  return error_buffer[0] ? std::string(error_buffer) : std::string(curl_easy_strerror(code));
}

// The value without CR, LF and NUL: nothing in it can start another header or command.
std::string header_value(std::string_view v) {
  std::string out;
  for (char c : v)
    if (c != '\r' && c != '\n' && c != '\0') out += c;
  return out;
}

// The address of a mailbox for the SMTP envelope: "Name <a@b>" gives "<a@b>".
std::string envelope_address(std::string_view mailbox) {
  size_t open = mailbox.rfind('<'), close = mailbox.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && open < close)
    mailbox = mailbox.substr(open + 1, close - open - 1);
  std::string out(1, '<');
  out += header_value(mailbox);
  return out += '>';
}

HttpOutcome perform_http(CURL* curl, const char* error_buffer) {
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  HttpOutcome out;
  CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    out.error = curl_error(code, error_buffer);
    return out;
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  out.status = static_cast<int>(status);
  return out;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// The body's lines, whatever their line ends (CRLF, LF or CR).
std::vector<std::string_view> body_lines(std::string_view body) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\r' && body[i] != '\n') continue;
    lines.push_back(body.substr(start, i - start));
    if (body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < body.size()) lines.push_back(body.substr(start));
  return lines;
}

// 7bit fits when every line is short printable ASCII not starting with a dot.
bool needs_quoted_printable(const std::vector<std::string_view>& lines) {
  for (std::string_view line : lines) {
    if (line.size() > kMaxPlainLine || (!line.empty() && line[0] == '.')) return true;
    for (char c : line) {
      auto u = static_cast<unsigned char>(c);
      if (u >= 0x7f || (u < 0x20 && c != '\t')) return true;
    }
  }
  return false;
}

// One line in quoted-printable (RFC 2045 6.7), soft-broken at 76 characters; a leading dot and
// trailing white space are encoded.
std::string quoted_printable_line(std::string_view line) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out, current;
  for (size_t i = 0; i < line.size(); ++i) {
    auto u = static_cast<unsigned char>(line[i]);
    bool last = i + 1 == line.size();
    bool literal = (u >= 33 && u <= 126 && u != '=' && !(i == 0 && u == '.')) || ((u == ' ' || u == '\t') && !last);
    std::string piece = literal ? std::string(1, line[i]) : std::string{'=', kHex[u >> 4], kHex[u & 15]};
    size_t room = last ? kMaxEncodedLine : kMaxEncodedLine - 1;  // a soft break needs its '='
    if (current.size() + piece.size() > room) {
      out += current + "=\r\n";
      current.clear();
    }
    current += piece;
  }
  return out + current;
}

// The subject as RFC 2047 encoded-words (UTF-8, base64), split between characters and folded.
std::string encoded_words(std::string_view subject) {
  std::string out;
  size_t start = 0;
  while (start < subject.size()) {
    size_t end = std::min(subject.size(), start + kEncodedWordBytes);
    while (end < subject.size() && end > start + 1 && (static_cast<unsigned char>(subject[end]) & 0xC0) == 0x80)
      --end;  // not inside a UTF-8 sequence
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + crypto::base64_encode(subject.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

// "Tue, 01 Jul 2025 12:34:56 +0000"
std::string rfc5322_date(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

// The id as a file name part: letters, digits and "-._@" kept, anything else '_'.
std::string file_safe(std::string_view id) {
  std::string out;
  for (char c : id.substr(0, 200))
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '@') ? c : '_';
  return out.empty() ? "message" : out;
}

bool write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

struct Upload {
  const std::string& text;
  size_t offset = 0;
};

size_t read_upload(char* buffer, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t n = std::min(size * count, up->text.size() - up->offset);
  std::memcpy(buffer, up->text.data() + up->offset, n);
  up->offset += n;
  return n;
}

}  // namespace

HttpOutcome http_post(const HttpPost& post) {
  char error_buffer[CURL_ERROR_SIZE];
  CurlPtr curl = new_handle(post.url, "http,https", post.timeout, error_buffer);
  if (!curl) return {0, "libcurl could not start"};
  ListPtr headers;
  append(headers, "Expect:");  // no 100-continue round trip
  for (const auto& [name, value] : post.headers) append(headers, header_value(name + ": " + value));
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, post.body.data());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post.body.size()));
  return perform_http(curl.get(), error_buffer);
}

HttpOutcome http_get(const std::string& url, std::chrono::milliseconds timeout) {
  char error_buffer[CURL_ERROR_SIZE];
  CurlPtr curl = new_handle(url, "http,https", timeout, error_buffer);
  if (!curl) return {0, "libcurl could not start"};
  curl_easy_setopt(curl.get(), CURLOPT_HTTPGET, 1L);
  return perform_http(curl.get(), error_buffer);
}

std::string rfc5322(const EmailMessage& m) {
  std::string subject = header_value(m.subject);
  std::string id = header_value(m.message_id);
  id.erase(std::remove_if(id.begin(), id.end(), [](char c) { return c == '<' || c == '>'; }), id.end());
  std::vector<std::string_view> lines = body_lines(m.body);
  bool qp = needs_quoted_printable(lines);
  std::string out = "From: " + header_value(m.from) + "\r\n" + "To: " + header_value(m.to) + "\r\n" +
                    "Subject: " + (is_ascii(subject) ? subject : encoded_words(subject)) + "\r\n" +
                    "Date: " + rfc5322_date(m.date_ms) + "\r\n" + "Message-ID: <" + id + ">\r\n" +
                    "MIME-Version: 1.0\r\n" + "Content-Type: text/plain; charset=UTF-8\r\n" +
                    "Content-Transfer-Encoding: " + (qp ? "quoted-printable" : "7bit") + "\r\n\r\n";
  for (std::string_view line : lines) out += (qp ? quoted_printable_line(line) : std::string(line)) + "\r\n";
  return out;
}

std::string send_smtp(const std::string& host_port, const EmailMessage& m, std::chrono::milliseconds timeout) {
  char error_buffer[CURL_ERROR_SIZE];
  CurlPtr curl = new_handle("smtp://" + host_port, "smtp", timeout, error_buffer);
  if (!curl) return "libcurl could not start";
  std::string text = rfc5322(m);
  Upload upload{text};
  std::string from = envelope_address(m.from);
  ListPtr rcpt;
  append(rcpt, envelope_address(m.to));
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(text.size()));
  CURLcode code = curl_easy_perform(curl.get());
  return code == CURLE_OK ? "" : curl_error(code, error_buffer);
}

std::optional<std::string> write_outbox(const std::string& dir, const EmailMessage& m, std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = "cannot create " + dir + ": " + ec.message();
    return std::nullopt;
  }
  std::time_t t = static_cast<std::time_t>(m.date_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
  std::string name = std::string(stamp) + "-" + file_safe(m.message_id) + ".eml";
  std::string path = (std::filesystem::path(dir) / name).string();
  std::string tmp = (std::filesystem::path(dir) / ("." + name + "." + crypto::hex(crypto::random_bytes(6)))).string();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot create " + tmp + ": " + std::strerror(errno);
    return std::nullopt;
  }
  bool ok = write_all(fd, rfc5322(m));
  int write_errno = errno;
  ok = ::close(fd) == 0 && ok;
  if (ok && ::rename(tmp.c_str(), path.c_str()) == 0) return path;
  error = "cannot write " + path + ": " + std::strerror(ok ? errno : write_errno);
  ::unlink(tmp.c_str());
  return std::nullopt;
}

}  // namespace awan::sns
