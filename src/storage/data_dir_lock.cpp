// DataDirLock: flock(2) on <data-dir>/awan.lock, with the holder's pid written into the file.
#include "storage/data_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace awan::storage {

namespace {
std::string read_holder(int fd) {
  char buf[32] = {};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return {};
  std::string s(buf, static_cast<size_t>(n));
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.find_first_not_of("0123456789") == std::string::npos ? s : std::string();
}
}  // namespace

DataDirLock::DataDirLock(const std::string& dir) : path_(dir + "/awan.lock") {
  std::filesystem::create_directories(dir);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot open " + path_ + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string holder = read_holder(fd_);
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK) {
      throw std::runtime_error("data directory " + dir + " is in use by another awan" +
                               (holder.empty() ? std::string() : " (pid " + holder + ")") +
                               "; stop it or choose another --data-dir");
    }
    throw std::runtime_error("cannot lock " + path_ + ": " + std::strerror(err));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The lock holds without the pid; only the message of a second daemon is poorer.
  }
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) {
    if (::ftruncate(fd_, 0) != 0) {
      // Nothing to do: closing releases the lock either way.
    }
    ::close(fd_);
  }
}

}  // namespace awan::storage
