#pragma once
// The exclusive lock a simulator holds on its --data-dir (flock on <dir>/awan.lock), so that
// two daemons never share one set of SQLite files. Neighbour: sqlite.hpp (the databases in it).
#include <string>

namespace awan::storage {

class DataDirLock {
 public:
  // Creates `dir` if needed and locks it. Throws std::runtime_error naming the directory (and
  // the holder's pid when it can be read) when another process or simulator holds the lock.
  explicit DataDirLock(const std::string& dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace awan::storage
