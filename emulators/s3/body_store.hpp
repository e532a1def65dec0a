#pragma once
// Object and part bodies: small ones inline (in-memory daemons only), others in files under
// <data-dir>/s3/objects (or a private temporary directory without --data-dir), named by random
// ids — never by keys, so no key can reach a path outside the directory. A payload spooled by
// the HTTP layer is moved into place, not copied; with --data-dir a body is synced before its
// metadata commits, and files no row references (a crash between the two) are removed at start.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "awan/payload.hpp"
#include "s3/store.hpp"

namespace awan::s3 {

class BodyStore {
 public:
  // data_dir "" = in memory: small bodies inline, large ones in a temporary directory removed
  // on destruction.
  BodyStore(const std::string& data_dir, bool sync_full);
  ~BodyStore();
  BodyStore(const BodyStore&) = delete;
  BodyStore& operator=(const BodyStore&) = delete;

  // Every byte of the payload passes through `feed` once (hashing; an empty `feed`: the payload
  // is not read for it), then the body is stored: inline, or in a new file (a spooled file is
  // renamed into place; ranges of several files, copied). Throws AwsError (500) on an I/O failure. `keep_inline` false: a file
  // even when small (multipart parts, whose files become the completed object's).
  BodyRef ingest(Payload& payload, const std::function<void(std::string_view)>& feed, bool keep_inline = true);
  // A body made of the concatenation of these (parts, a copy source range), fed through `feed`
  // (an empty `feed`: file pieces are copied in the kernel, copy_file_range).
  struct Piece {
    const BodyRef* body;
    uint64_t offset;
    uint64_t length;
  };
  BodyRef assemble(const std::vector<Piece>& pieces, uint64_t total,
                   const std::function<void(std::string_view)>& feed, bool keep_inline = true);
  // The body of a completed multipart upload: its parts' files, in order, without a copy (one
  // part: its file). The files then belong to the object's row instead of the parts' rows.
  static BodyRef join(const std::vector<const BodyRef*>& parts, const std::vector<uint64_t>& sizes);
  // Hands every byte of a body to `feed`, in order.
  void scan(const BodyRef& body, uint64_t length, const std::function<void(std::string_view)>& feed) const;
  // The bytes [offset, offset + length) of a body, as an output payload. File ranges are opened
  // now, so a later delete does not cut the answer short; of a segmented body only the first
  // kOpenedSegments (an answer holds a bounded number of descriptors): the others are opened by
  // path when the HTTP layer reaches them, and pinned until then — remove() leaves a pinned file
  // to the last payload that names it.
  Payload open(const BodyRef& body, uint64_t offset, uint64_t length) const;
  // Reads a range of a body into memory (small copies: CopyObject of inline bodies, tests).
  std::string read(const BodyRef& body, uint64_t offset, uint64_t length) const;
  static constexpr size_t kOpenedSegments = 64;
  // Removes a body's files (after the metadata that referenced them is gone); a pinned one when
  // its last payload goes.
  void remove(const BodyRef& body);
  // Removes every file under the directory that `referenced` does not list.
  size_t sweep_orphans(const std::vector<std::string>& referenced);
  // The directory the HTTP layer should spool request bodies to, so that they can be renamed.
  const std::string& dir() const { return dir_; }

 private:
  std::string new_path() const;
  void finish_file(int fd, const std::string& path);  // fsync (with --data-dir), close
  void sync_dir(const std::string& path) const;       // the file's directory entry (sync_full)
  struct Pins;  // files named by payloads not yet sent, and those removed meanwhile
  std::shared_ptr<Pins> pins_;
  std::string dir_;
  bool persistent_ = false;
  bool sync_full_ = false;
};

}  // namespace awan::s3
