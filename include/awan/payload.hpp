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
#include <utility>
#include <vector>

namespace awan {

// Digests of a payload's bytes, computed while they arrived (the HTTP layer hashes a spooled
// request body as it writes it, so that the service need not read the file again).
struct PayloadDigests {
  // (algorithm, raw digest bytes); algorithms as S3 names them: "MD5", "CRC32", "CRC32C",
  // "CRC64NVME", "SHA1", "SHA256".
  std::vector<std::pair<std::string, std::string>> values;
  const std::string* find(std::string_view algorithm) const {
    for (const auto& [name, digest] : values)
      if (name == algorithm) return &digest;
    return nullptr;
  }
};

// Computes digests of a byte stream handed over in order, once.
class PayloadDigester {
 public:
  virtual ~PayloadDigester() = default;
  virtual void update(std::string_view bytes) = 0;
  virtual PayloadDigests finish() = 0;
};

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

  // Digests of bytes [0, size()) computed while the file was written, or nullptr.
  const PayloadDigests* digests() const { return digests_ ? &*digests_ : nullptr; }
  void set_digests(PayloadDigests d) { digests_ = std::move(d); }

 private:
  std::string path_;
  uint64_t size_ = 0;
  bool owned_ = true;
  int fd_ = -1;
  std::optional<PayloadDigests> digests_;
};

// A byte range of a payload file.
struct FileRange {
  std::shared_ptr<PayloadFile> file;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct Payload {
  std::string bytes;                  // the payload when `file` is null and `segments` empty
  std::shared_ptr<PayloadFile> file;  // else bytes [offset, offset + length) of this file
  uint64_t offset = 0;
  uint64_t length = 0;
  // Or several file ranges, one after another (an S3 object kept as its multipart parts'
  // files); `file` is then null.
  std::vector<FileRange> segments;

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
  static Payload of_segments(std::vector<FileRange> ranges) {
    Payload p;
    p.segments = std::move(ranges);
    return p;
  }
  // One file range (a spooled request body, a single-file answer).
  bool in_file() const { return file != nullptr; }
  // Backed by files (one range or several), not by `bytes`.
  bool in_files() const { return file != nullptr || !segments.empty(); }
  uint64_t size() const;
  // The file ranges of a file-backed payload, in order (one for of_file, none for bytes).
  std::vector<FileRange> file_ranges() const;
  // The bytes, read from the files when there are some (nullopt if one cannot be read).
  std::optional<std::string> read_all() const;
};

}  // namespace awan
