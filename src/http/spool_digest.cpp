// Digests of a spooled request body as it arrives (spool_digest.hpp).
#include "http/spool_digest.hpp"

#include <algorithm>
#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

namespace awan::http {

std::shared_ptr<SpoolDigest> SpoolDigest::open(std::unique_ptr<PayloadDigester> digester, const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  return std::shared_ptr<SpoolDigest>(new SpoolDigest(std::move(digester), fd));
}

SpoolDigest::~SpoolDigest() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::pair<uint64_t, uint64_t>> SpoolDigest::next(uint64_t written) {
  if (busy_ || hashed_ >= written) return std::nullopt;
  busy_ = true;
  return std::pair<uint64_t, uint64_t>{hashed_, std::min(written, hashed_ + kStep)};
}

void SpoolDigest::hash(uint64_t from, uint64_t to) {
  if (failed_) return;
  if (buf_.empty()) buf_.resize(1024 * 1024);
  while (from < to) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf_.size(), to - from));
    ssize_t n = ::pread(fd_, buf_.data(), want, static_cast<off_t>(from));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failed_ = true;
      return;
    }
    digester_->update(std::string_view(buf_.data(), static_cast<size_t>(n)));
    from += static_cast<uint64_t>(n);
  }
}

void SpoolDigest::done(uint64_t to) {
  hashed_ = to;
  busy_ = false;
}

std::optional<PayloadDigests> SpoolDigest::finish() {
  if (failed_) return std::nullopt;
  return digester_->finish();
}

}  // namespace awan::http
