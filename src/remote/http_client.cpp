// Outbound HTTP with libcurl (http_client.hpp).
#include "remote/http_client.hpp"

#include <memory>

#include <curl/curl.h>

namespace awan::remote {

namespace {

struct Transfer {
  HttpResponse* out;
  size_t max_body;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (t->max_body && t->out->body.size() + size * n > t->max_body) return 0;
  t->out->body.append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<Transfer*>(user)->out;
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    out->headers.clear();  // a new response (after 100 Continue or a redirect)
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string_view name = line.substr(0, colon), value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
  out->headers.emplace_back(std::string(name), std::string(value));
  return size * n;
}

struct HandleDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

// The calling thread's handle (its connection cache survives between calls), reset to defaults.
CURL* thread_handle() {
  static const bool initialized = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  thread_local std::unique_ptr<CURL, HandleDeleter> handle(initialized ? curl_easy_init() : nullptr);
  if (handle) curl_easy_reset(handle.get());
  return handle.get();
}

}  // namespace

HttpResponse http_request(const std::string& method, const std::string& url,
                          const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body,
                          const HttpOptions& options) {
  HttpResponse out;
  CURL* curl = thread_handle();
  if (!curl) {
    out.error = "curl_easy_init failed";
    return out;
  }
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  list = curl_slist_append(list, "Expect:");
  Transfer transfer{&out, options.max_body};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, options.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    out.status = static_cast<int>(status);
    out.ok = true;
  } else {
    out.error = curl_easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT) out.status = 504;
  }
  curl_slist_free_all(list);
  return out;
}

}  // namespace awan::remote
