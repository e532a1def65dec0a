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

}  // namespace awan
