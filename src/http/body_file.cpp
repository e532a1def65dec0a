#include "http/body_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <spdlog/spdlog.h>

namespace awan::http {

namespace {
constexpr size_t kIoBuffer = 256 * 1024;

struct File {
  std::FILE* fp = nullptr;
  explicit File(std::FILE* f) : fp(f) {}
  ~File() {
    if (fp) std::fclose(fp);
  }
};

// An I/O failure on a spooled body: InternalFailure for the client, the cause in the log.
AwsError io_failure(const char* what, const std::string& path) {
  spdlog::error("request body {} {}: {}", what, path, std::strerror(errno));
  return AwsError::internal();
}
}  // namespace

std::shared_ptr<BodyFile> make_body_file(const std::string& dir) {
  std::string base = dir;
  if (base.empty()) {
    const char* t = std::getenv("TMPDIR");
    base = t && *t ? t : "/tmp";
  }
  std::string tmpl = base + "/awan-body-XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return nullptr;
  ::close(fd);
  return std::make_shared<BodyFile>(tmpl);
}

std::optional<AwsError> load_body_file(Request& req, uint64_t max_bytes) {
  if (!req.body_file) return std::nullopt;
  if (req.body_file->size() > max_bytes) {
    return AwsError("RequestEntityTooLarge", "Request payload size exceeds the limit", 413);
  }
  File f(std::fopen(req.body_file->path().c_str(), "rb"));
  if (!f.fp) return io_failure("open", req.body_file->path());
  req.body.resize(req.body_file->size());
  if (!req.body.empty() && std::fread(req.body.data(), 1, req.body.size(), f.fp) != req.body.size()) {
    return io_failure("read", req.body_file->path());
  }
  req.body_file.reset();
  return std::nullopt;
}

std::optional<AwsError> decode_aws_chunked_file(Request& req, const std::optional<ChunkSigningContext>& signing,
                                                std::unique_ptr<PayloadDigester> digester) {
  AwsChunkedOptions options;
  if (auto err = aws_chunked_options(req.headers, options)) return err;
  options.signing = signing;
  auto out = make_body_file();
  if (!out) return io_failure("create", "in the temporary directory");
  File in(std::fopen(req.body_file->path().c_str(), "rb"));
  if (!in.fp) return io_failure("open", req.body_file->path());
  File dst(std::fopen(out->path().c_str(), "wb"));
  if (!dst.fp) return io_failure("open", out->path());
  uint64_t written = 0;
  bool write_failed = false;
  AwsChunkedDecoder decoder(options, [&](std::string_view bytes) {
    if (std::fwrite(bytes.data(), 1, bytes.size(), dst.fp) != bytes.size()) write_failed = true;
    if (digester) digester->update(bytes);
    written += bytes.size();
  });
  std::vector<char> buf(kIoBuffer);
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), in.fp)) > 0) {
    if (auto err = decoder.feed(std::string_view(buf.data(), n))) return err;
    if (write_failed) return io_failure("write", out->path());
  }
  if (auto err = decoder.finish()) return err;
  if (std::fflush(dst.fp) != 0 || write_failed) return io_failure("write", out->path());
  out->set_size(written);
  if (digester) out->set_digests(digester->finish());
  req.trailers.clear();
  req.trailers = decoder.trailers();
  req.body_file = std::move(out);
  return std::nullopt;
}

}  // namespace awan::http
