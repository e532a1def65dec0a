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

uint64_t Payload::size() const {
  if (file) return length;
  if (segments.empty()) return bytes.size();
  uint64_t n = 0;
  for (const FileRange& r : segments) n += r.length;
  return n;
}

std::vector<FileRange> Payload::file_ranges() const {
  if (file) return {FileRange{file, offset, length}};
  return segments;
}

namespace {
bool read_range(const FileRange& r, std::string& out) {
  int fd = r.file->fd() >= 0 ? r.file->fd() : ::open(r.file->path().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  size_t start = out.size();
  out.resize(start + r.length);
  uint64_t done = 0;
  while (done < r.length) {
    ssize_t n = ::pread(fd, out.data() + start + done, r.length - done, static_cast<off_t>(r.offset + done));
    if (n <= 0) break;
    done += static_cast<uint64_t>(n);
  }
  if (fd != r.file->fd()) ::close(fd);
  return done == r.length;
}
}  // namespace

std::optional<std::string> Payload::read_all() const {
  if (!in_files()) return bytes;
  std::string out;
  out.reserve(size());
  for (const FileRange& r : file_ranges())
    if (!read_range(r, out)) return std::nullopt;
  return out;
}

}  // namespace awan
