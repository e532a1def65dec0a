#pragma once
// Digests of a spooled request body, computed as it arrives: server.cpp posts one job at a time
// per body to its worker pool (so the digester sees the bytes in order), each hashing what has
// been written since the last one, at most kStep, read back from the file (the page cache).
// No Asio here: the session decides where the jobs run.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "awan/payload.hpp"

namespace awan::http {

class SpoolDigest {
 public:
  static constexpr uint64_t kStep = 4 * 1024 * 1024;

  // Reads the spool file at `path` through its own descriptor; nullptr when it cannot be opened
  // (the handler then hashes the file itself).
  static std::shared_ptr<SpoolDigest> open(std::unique_ptr<PayloadDigester> digester, const std::string& path);
  ~SpoolDigest();
  SpoolDigest(const SpoolDigest&) = delete;
  SpoolDigest& operator=(const SpoolDigest&) = delete;

  // On the connection's thread: the next range [from, to) to hash, when no job is running and
  // bytes beyond what was hashed have been written (`written` of them); the digest is then busy.
  std::optional<std::pair<uint64_t, uint64_t>> next(uint64_t written);
  // On a worker: feeds bytes [from, to) of the file to the digester (a failed read: no digests).
  void hash(uint64_t from, uint64_t to);
  // On the connection's thread, after hash(): the digester has seen bytes up to `to`.
  void done(uint64_t to);
  bool busy() const { return busy_; }
  uint64_t hashed() const { return hashed_; }
  // The digests of everything hashed, or nullopt when a read failed.
  std::optional<PayloadDigests> finish();

 private:
  SpoolDigest(std::unique_ptr<PayloadDigester> digester, int fd) : digester_(std::move(digester)), fd_(fd) {}
  std::unique_ptr<PayloadDigester> digester_;
  int fd_ = -1;
  uint64_t hashed_ = 0;  // bytes the digester has seen (written by done() only)
  bool busy_ = false;    // a job is queued or running
  bool failed_ = false;  // a read failed
  std::vector<char> buf_;
};

}  // namespace awan::http
