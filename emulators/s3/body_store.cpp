// Object and part bodies in memory or in files (body_store.hpp).
#include "s3/body_store.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "awan/error.hpp"
#include "core/crypto.hpp"

namespace awan::s3 {

namespace {
namespace fs = std::filesystem;
constexpr uint64_t kInlineMax = 1024 * 1024;  // in-memory daemons keep bodies up to 1 MiB inline
constexpr size_t kChunk = 1024 * 1024;

[[noreturn]] void io_failure(const char* what, const std::string& path) {
  spdlog::error("s3: cannot {} {}: {}", what, path, std::strerror(errno));
  throw AwsError::internal();
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

void write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) io_failure("write", path);
    data.remove_prefix(static_cast<size_t>(n));
  }
}

// Reads [offset, offset + length) of fd in chunks, handing each to `sink`.
void read_range(int fd, uint64_t offset, uint64_t length, const std::string& path,
                const std::function<void(std::string_view)>& sink) {
  std::string buf(static_cast<size_t>(std::min<uint64_t>(length, kChunk)), '\0');
  while (length > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(length, buf.size()));
    ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) io_failure("read", path);
    sink(std::string_view(buf.data(), static_cast<size_t>(n)));
    offset += static_cast<uint64_t>(n);
    length -= static_cast<uint64_t>(n);
  }
}
// Copies [offset, offset + length) of src to the end of dst in the kernel (copy_file_range: no
// trip through user space; a reflink where the file system has them). False, with nothing
// copied, when the kernel or file system cannot.
bool copy_in_kernel(int src, uint64_t offset, uint64_t length, int dst, const std::string& path) {
  loff_t in = static_cast<loff_t>(offset);
  bool first = true;
  while (length > 0) {
    ssize_t n = ::copy_file_range(src, &in, dst, nullptr, static_cast<size_t>(std::min<uint64_t>(length, 1u << 30)), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && first && (errno == ENOSYS || errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP)) return false;
    if (n <= 0) io_failure("copy", path);
    first = false;
    length -= static_cast<uint64_t>(n);
  }
  return true;
}
}  // namespace

// Files of segmented bodies named by payloads whose answers have not reached them yet (shared
// with those payloads, which may outlive the store), and the ones removed meanwhile.
struct BodyStore::Pins {
  std::mutex mu;
  std::unordered_map<std::string, int> count;
  std::unordered_set<std::string> removed;

  std::shared_ptr<PayloadFile> pin(const std::string& path, const std::shared_ptr<Pins>& self) {
    {
      std::lock_guard lock(mu);
      ++count[path];
    }
    return std::shared_ptr<PayloadFile>(new PayloadFile(path, false), [self](PayloadFile* f) {
      self->unpin(f->path());
      delete f;
    });
  }
  void unpin(const std::string& path) {
    std::lock_guard lock(mu);
    auto it = count.find(path);
    if (it == count.end() || --it->second > 0) return;
    count.erase(it);
    if (removed.erase(path)) ::unlink(path.c_str());
  }
  // Unlinks now, or marks the file for its last pin.
  void remove(const std::string& path) {
    std::lock_guard lock(mu);
    if (count.count(path)) {
      removed.insert(path);
      return;
    }
    ::unlink(path.c_str());
  }
};

BodyStore::BodyStore(const std::string& data_dir, bool sync_full)
    : pins_(std::make_shared<Pins>()), persistent_(!data_dir.empty()), sync_full_(sync_full) {
  if (persistent_) {
    dir_ = data_dir + "/s3/objects";
    fs::create_directories(dir_);
  } else {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/awan-s3-XXXXXX";
    if (!::mkdtemp(tmpl.data())) io_failure("create", tmpl);
    dir_ = tmpl;
  }
}

BodyStore::~BodyStore() {
  if (!persistent_) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string BodyStore::new_path() const {
  std::string id = crypto::hex(crypto::random_bytes(16));
  std::string sub = dir_ + "/" + id.substr(0, 2);
  if (::mkdir(sub.c_str(), 0755) != 0 && errno != EEXIST) io_failure("create", sub);
  return sub + "/" + id.substr(2);
}

void BodyStore::finish_file(int fd, const std::string& path) {
  if (persistent_ && ::fdatasync(fd) != 0) io_failure("sync", path);
  if (::close(fd) != 0) io_failure("close", path);
  sync_dir(path);
}

void BodyStore::sync_dir(const std::string& path) const {
  if (!sync_full_) return;
  // The directory entry too, so that a power loss keeps the file the metadata names.
  std::string parent = fs::path(path).parent_path().string();
  Fd d(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.get() >= 0) ::fsync(d.get());
}

BodyRef BodyStore::ingest(Payload& payload, const std::function<void(std::string_view)>& feed, bool keep_inline) {
  BodyRef out;
  auto hash = [&](std::string_view chunk) {
    if (feed) feed(chunk);
  };
  if (!payload.segments.empty()) {
    // Ranges of several files (another operation's answer handed on in process): copied.
    std::string path = new_path();
    Fd dst(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (dst.get() < 0) io_failure("create", path);
    for (const FileRange& r : payload.segments) {
      Fd src(r.file->fd() >= 0 ? ::dup(r.file->fd()) : ::open(r.file->path().c_str(), O_RDONLY | O_CLOEXEC));
      if (src.get() < 0) io_failure("open", r.file->path());
      read_range(src.get(), r.offset, r.length, r.file->path(), [&](std::string_view chunk) {
        hash(chunk);
        write_all(dst.get(), chunk, path);
      });
    }
    finish_file(dst.release(), path);
    out.path = std::move(path);
    return out;
  }
  if (!payload.in_file()) {
    hash(payload.bytes);
    if (!persistent_ && keep_inline && payload.bytes.size() <= kInlineMax) {
      out.data = std::move(payload.bytes);
      return out;
    }
    std::string path = new_path();
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0) io_failure("create", path);
    write_all(fd.get(), payload.bytes, path);
    finish_file(fd.release(), path);
    out.path = std::move(path);
    return out;
  }
  PayloadFile& file = *payload.file;
  Fd fd(::open(file.path().c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) io_failure("open", file.path());
  const bool whole = payload.offset == 0 && payload.length == file.size() && file.owned();
  if (!persistent_ && keep_inline && payload.length <= kInlineMax) {
    read_range(fd.get(), payload.offset, payload.length, file.path(), [&](std::string_view chunk) {
      hash(chunk);
      out.data.append(chunk);
    });
    return out;
  }
  if (whole) {
    if (feed) read_range(fd.get(), 0, payload.length, file.path(), feed);
    if (persistent_ && ::fdatasync(fd.get()) != 0) io_failure("sync", file.path());
    std::string path = new_path();
    if (file.move_to(path)) {
      sync_dir(path);
      out.path = std::move(path);
      return out;
    }
    if (errno != EXDEV) io_failure("rename", file.path());
  }
  // A range of a file, or another file system: copied.
  std::string path = new_path();
  Fd dst(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (dst.get() < 0) io_failure("create", path);
  read_range(fd.get(), payload.offset, payload.length, file.path(), [&](std::string_view chunk) {
    if (!whole) hash(chunk);
    write_all(dst.get(), chunk, path);
  });
  finish_file(dst.release(), path);
  out.path = std::move(path);
  return out;
}

namespace {
// A range of a body mapped onto where its bytes are: inline bytes or a range of one file.
struct Slice {
  std::string_view data;     // when path is null
  const std::string* path;
  uint64_t offset;
  uint64_t length;
};

std::vector<Slice> slices_of(const BodyRef& body, uint64_t offset, uint64_t length) {
  std::vector<Slice> out;
  if (!body.segments.empty()) {
    uint64_t start = 0;  // of the segment in the body
    for (const BodySegment& g : body.segments) {
      if (length == 0) break;
      if (offset < start + g.length) {
        uint64_t within = offset - start, n = std::min(length, g.length - within);
        out.push_back({{}, &g.path, g.offset + within, n});
        offset += n;
        length -= n;
      }
      start += g.length;
    }
    return out;
  }
  if (body.in_file()) {
    out.push_back({{}, &body.path, offset, length});
  } else {
    out.push_back({std::string_view(body.data).substr(static_cast<size_t>(offset), static_cast<size_t>(length)),
                   nullptr, 0, length});
  }
  return out;
}
}  // namespace

BodyRef BodyStore::assemble(const std::vector<Piece>& pieces, uint64_t total,
                            const std::function<void(std::string_view)>& feed, bool keep_inline) {
  BodyRef out;
  if (!persistent_ && keep_inline && total <= kInlineMax) {
    out.data.reserve(static_cast<size_t>(total));
    for (const Piece& p : pieces) {
      std::string bytes = read(*p.body, p.offset, p.length);
      if (feed) feed(bytes);
      out.data += bytes;
    }
    return out;
  }
  std::string path = new_path();
  Fd dst(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (dst.get() < 0) io_failure("create", path);
  for (const Piece& p : pieces) {
    for (const Slice& s : slices_of(*p.body, p.offset, p.length)) {
      if (!s.path) {
        if (feed) feed(s.data);
        write_all(dst.get(), s.data, path);
        continue;
      }
      Fd src(::open(s.path->c_str(), O_RDONLY | O_CLOEXEC));
      if (src.get() < 0) io_failure("open", *s.path);
      if (!feed && copy_in_kernel(src.get(), s.offset, s.length, dst.get(), path)) continue;
      read_range(src.get(), s.offset, s.length, *s.path, [&](std::string_view chunk) {
        if (feed) feed(chunk);
        write_all(dst.get(), chunk, path);
      });
    }
  }
  finish_file(dst.release(), path);
  out.path = std::move(path);
  return out;
}

BodyRef BodyStore::join(const std::vector<const BodyRef*>& parts, const std::vector<uint64_t>& sizes) {
  if (parts.size() == 1) return *parts[0];
  BodyRef out;
  for (size_t i = 0; i < parts.size(); ++i) out.segments.push_back({parts[i]->path, 0, sizes[i]});
  return out;
}

void BodyStore::scan(const BodyRef& body, uint64_t length, const std::function<void(std::string_view)>& feed) const {
  for (const Slice& s : slices_of(body, 0, length)) {
    if (!s.path) {
      feed(s.data);
      continue;
    }
    Fd fd(::open(s.path->c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) io_failure("open", *s.path);
    read_range(fd.get(), s.offset, s.length, *s.path, feed);
  }
}

Payload BodyStore::open(const BodyRef& body, uint64_t offset, uint64_t length) const {
  if (!body.in_file()) {
    if (offset == 0 && length == body.data.size()) return Payload::of_bytes(body.data);
    return Payload::of_bytes(body.data.substr(static_cast<size_t>(offset), static_cast<size_t>(length)));
  }
  std::vector<FileRange> ranges;
  for (const Slice& s : slices_of(body, offset, length)) {
    std::shared_ptr<PayloadFile> f;
    if (ranges.size() < kOpenedSegments) {
      f = PayloadFile::open_readonly(*s.path);
      if (!f) io_failure("open", *s.path);
    } else {
      f = pins_->pin(*s.path, pins_);
    }
    ranges.push_back({std::move(f), s.offset, s.length});
  }
  if (ranges.size() == 1) return Payload::of_file(std::move(ranges[0].file), ranges[0].offset, ranges[0].length);
  if (ranges.empty()) return Payload::of_bytes("");
  return Payload::of_segments(std::move(ranges));
}

std::string BodyStore::read(const BodyRef& body, uint64_t offset, uint64_t length) const {
  std::string out;
  out.reserve(static_cast<size_t>(length));
  for (const Slice& s : slices_of(body, offset, length)) {
    if (!s.path) {
      out.append(s.data);
      continue;
    }
    Fd fd(::open(s.path->c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) io_failure("open", *s.path);
    read_range(fd.get(), s.offset, s.length, *s.path, [&](std::string_view c) { out.append(c); });
  }
  return out;
}

void BodyStore::remove(const BodyRef& body) {
  for (const std::string& f : body.files()) pins_->remove(f);
}

size_t BodyStore::sweep_orphans(const std::vector<std::string>& referenced) {
  std::unordered_set<std::string> keep(referenced.begin(), referenced.end());
  size_t removed = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    if (keep.count(it->path().string())) continue;
    if (fs::remove(it->path(), ec)) ++removed;
  }
  return removed;
}

}  // namespace awan::s3
