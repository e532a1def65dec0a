// PayloadFile (include/awan/payload.hpp): temporary and stored payload files.
#include "awan/payload.hpp"

#include <cstdio>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace awan {

PayloadFile::~PayloadFile() {
  if (fd_ >= 0) ::close(fd_);
  if (owned_) std::remove(path_.c_str());
}

std::shared_ptr<PayloadFile> PayloadFile::open_readonly(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return nullptr;
  }
  auto f = std::make_shared<PayloadFile>(path, false);
  f->fd_ = fd;
  f->size_ = static_cast<uint64_t>(st.st_size);
  return f;
}

bool PayloadFile::move_to(const std::string& dest) {
  if (std::rename(path_.c_str(), dest.c_str()) != 0) return false;
  path_ = dest;
  owned_ = false;
  return true;
}

std::optional<std::string> Payload::read_all() const {
  if (!file) return bytes;
  int fd = file->fd() >= 0 ? file->fd() : ::open(file->path().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out(length, '\0');
  uint64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n <= 0) break;
    done += static_cast<uint64_t>(n);
  }
  if (fd != file->fd()) ::close(fd);
  if (done != length) return std::nullopt;
  return out;
}

}  // namespace awan
