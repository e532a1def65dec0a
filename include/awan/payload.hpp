#pragma once
// Payloads: the bytes an operation takes or returns beside its input and output documents (S3
// object bodies, later Lambda packages and large invocation payloads). A payload is bytes in
// memory, or a byte range of a file, so that a multi-GiB object is never a string: the HTTP
// layer spools a large upload to a file that the service can move into place, and sends a
// file-backed answer itself (sendfile).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace awan {

// A file holding payload bytes. A temporary file (a spooled request body) is removed when the
// last reference goes, unless it was moved away with move_to(); a stored file (an S3 object's)
// is never removed by this class. open_readonly() keeps a descriptor so that the bytes stay
// readable even when the file is unlinked or replaced before they are sent.
class PayloadFile {
 public:
  // A temporary file owned by this object (removed on destruction).
  explicit PayloadFile(std::string path, bool owned = true) : path_(std::move(path)), owned_(owned) {}
  ~PayloadFile();
  PayloadFile(const PayloadFile&) = delete;
  PayloadFile& operator=(const PayloadFile&) = delete;

  // A stored file, opened now for reading (its size read from the descriptor); nullptr when it
  // cannot be opened.
  static std::shared_ptr<PayloadFile> open_readonly(const std::string& path);

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }
  void set_size(uint64_t n) { size_ = n; }
  bool owned() const { return owned_; }
  // The descriptor held since open_readonly(), or -1.
  int fd() const { return fd_; }

  // Renames the file to `dest` (same file system) and gives up ownership: it is no longer
  // removed on destruction. False (errno set) when the rename fails.
  bool move_to(const std::string& dest);

 private:
  std::string path_;
  uint64_t size_ = 0;
  bool owned_ = true;
  int fd_ = -1;
};

struct Payload {
  std::string bytes;                  // the payload when `file` is null
  std::shared_ptr<PayloadFile> file;  // else bytes [offset, offset + length) of this file
  uint64_t offset = 0;
  uint64_t length = 0;

  static Payload of_bytes(std::string b) {
    Payload p;
    p.bytes = std::move(b);
    return p;
  }
  static Payload of_file(std::shared_ptr<PayloadFile> f, uint64_t off, uint64_t len) {
    Payload p;
    p.file = std::move(f);
    p.offset = off;
    p.length = len;
    return p;
  }
  bool in_file() const { return file != nullptr; }
  uint64_t size() const { return file ? length : bytes.size(); }
  // The bytes, read from the file when there is one (nullopt if it cannot be read).
  std::optional<std::string> read_all() const;
};

}  // namespace awan
