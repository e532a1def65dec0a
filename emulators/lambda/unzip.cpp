// Unpacking deployment packages and layers (zip bytes → a directory) with libzip, refusing
// entries that would leave the directory. Declared in execution_environment.hpp.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <filesystem>
#include <iterator>
#include <memory>
#include <system_error>

#include "lambda/execution_environment.hpp"

namespace awan::lambda {
namespace {

namespace fs = std::filesystem;

const char* const kUnzipFailed =
    "Could not unzip uploaded file. Please check your file, then try to upload again.";

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

// The entry's path relative to the package root, lexically normalised ("./a//b" → "a/b"); empty
// when it is absolute or climbs out with "..".
std::optional<fs::path> safe_relative(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.front() == '\\') return std::nullopt;
  fs::path out;
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    std::string_view part = name.substr(start, slash - start);
    if (part == "..") return std::nullopt;
    if (!part.empty() && part != ".") out /= std::string(part);
    start = slash + 1;
  }
  return out;
}

// Whether a symlink at `link` (relative) pointing at `target` stays inside the package.
bool link_stays_inside(const fs::path& link, std::string_view target) {
  if (target.empty() || target.front() == '/') return false;
  fs::path parent = link.parent_path();
  auto depth = std::distance(parent.begin(), parent.end());
  size_t start = 0;
  while (start <= target.size()) {
    size_t slash = target.find('/', start);
    if (slash == std::string_view::npos) slash = target.size();
    std::string_view part = target.substr(start, slash - start);
    if (part == "..") {
      if (--depth < 0) return false;
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
    start = slash + 1;
  }
  return true;
}

// No component of `rel`'s parent may already be a symlink: writing through one could land
// outside the tree even when each link alone looked harmless.
bool parents_are_plain(const fs::path& root, const fs::path& rel) {
  fs::path at = root;
  for (const auto& part : rel.parent_path()) {
    at /= part;
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(at, ec))) return false;
  }
  return true;
}

enum class Failure { none, bad_zip, too_large };

struct Entry {
  fs::path rel;
  bool directory = false;
  bool symlink = false;
  bool executable = false;
};

std::optional<Entry> describe(zip_t* z, zip_uint64_t index) {
  const char* name = zip_get_name(z, index, ZIP_FL_ENC_GUESS);
  if (!name) return std::nullopt;
  auto rel = safe_relative(name);
  if (!rel) return std::nullopt;
  Entry e{*rel};
  std::string_view n(name);
  e.directory = n.back() == '/';
  zip_uint8_t opsys = 0;
  zip_uint32_t attributes = 0;
  if (zip_file_get_external_attributes(z, index, 0, &opsys, &attributes) == 0 && opsys == ZIP_OPSYS_UNIX) {
    mode_t mode = attributes >> 16;
    e.symlink = S_ISLNK(mode);
    e.directory = e.directory || S_ISDIR(mode);
    e.executable = (mode & 0111) != 0;
  }
  return e;
}

// Hands the entry's bytes to `sink` (a file, or a string for link targets), counting them
// against `budget` (the bytes still allowed in all).
template <class Sink>
Failure copy_entry(zip_t* z, zip_uint64_t index, uint64_t& budget, Sink&& sink) {
  std::unique_ptr<zip_file_t, ZipFileCloser> f(zip_fopen_index(z, index, 0));
  if (!f) return Failure::bad_zip;
  char buf[64 * 1024];
  for (;;) {
    zip_int64_t n = zip_fread(f.get(), buf, sizeof buf);
    if (n < 0) return Failure::bad_zip;
    if (n == 0) return Failure::none;
    if (static_cast<uint64_t>(n) > budget) return Failure::too_large;
    budget -= static_cast<uint64_t>(n);
    if (!sink(buf, static_cast<size_t>(n))) return Failure::bad_zip;
  }
}

Failure write_file(zip_t* z, zip_uint64_t index, const fs::path& path, bool executable, uint64_t& budget) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, executable ? 0755 : 0644);
  if (fd < 0) return Failure::bad_zip;
  Failure result = copy_entry(z, index, budget, [fd](const char* p, size_t n) {
    while (n > 0) {
      ssize_t w = ::write(fd, p, n);
      if (w <= 0) return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  });
  ::fchmod(fd, executable ? 0755 : 0644);  // the umask must not strip the executable bits
  if (::close(fd) != 0 && result == Failure::none) return Failure::bad_zip;
  return result;
}

Failure extract_entry(zip_t* z, zip_uint64_t index, const fs::path& root, uint64_t& budget) {
  auto e = describe(z, index);
  if (!e) return Failure::bad_zip;
  if (e->rel.empty()) return Failure::none;  // "./"
  if (!parents_are_plain(root, e->rel)) return Failure::bad_zip;
  fs::path path = root / e->rel;
  std::error_code ec;
  if (e->directory) {
    fs::create_directories(path, ec);
    return ec ? Failure::bad_zip : Failure::none;
  }
  fs::create_directories(path.parent_path(), ec);
  if (ec) return Failure::bad_zip;
  if (e->symlink) {
    std::string target;
    Failure read = copy_entry(z, index, budget, [&](const char* p, size_t n) {
      target.append(p, n);
      return target.size() <= 4096;
    });
    if (read != Failure::none) return read;
    if (!link_stays_inside(e->rel, target)) return Failure::bad_zip;
    fs::remove(path, ec);
    return ::symlink(target.c_str(), path.c_str()) == 0 ? Failure::none : Failure::bad_zip;
  }
  return write_file(z, index, path, e->executable, budget);
}

// The sum of the sizes the entries declare, refused before anything is written when too large.
bool declared_size_fits(zip_t* z, zip_int64_t entries, uint64_t max) {
  uint64_t total = 0;
  for (zip_int64_t i = 0; i < entries; ++i) {
    zip_stat_t st;
    if (zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st) != 0) continue;
    if (st.valid & ZIP_STAT_SIZE) total += st.size;
    if (total > max) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> unzip(std::string_view zip_bytes, const std::string& dir, uint64_t max_unzipped_bytes) {
  const std::string too_large = "Unzipped size must be smaller than " + std::to_string(max_unzipped_bytes) + " bytes";
  if (zip_bytes.empty()) return kUnzipFailed;  // libzip would open it as an empty archive
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(zip_bytes.data(), zip_bytes.size(), 0, &error);
  if (!source) return kUnzipFailed;
  std::unique_ptr<zip_t, ZipCloser> z(zip_open_from_source(source, ZIP_RDONLY, &error));
  zip_error_fini(&error);
  if (!z) {
    zip_source_free(source);
    return kUnzipFailed;
  }
  zip_int64_t entries = zip_get_num_entries(z.get(), 0);
  if (entries < 0) return kUnzipFailed;
  if (!declared_size_fits(z.get(), entries, max_unzipped_bytes)) return too_large;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return kUnzipFailed;
  uint64_t budget = max_unzipped_bytes;
  for (zip_int64_t i = 0; i < entries; ++i) {
    switch (extract_entry(z.get(), static_cast<zip_uint64_t>(i), dir, budget)) {
      case Failure::none: break;
      case Failure::bad_zip: return kUnzipFailed;
      case Failure::too_large: return too_large;
    }
  }
  return std::nullopt;
}

}  // namespace awan::lambda
