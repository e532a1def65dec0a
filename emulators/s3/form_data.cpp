// multipart/form-data parsing for POST Object (see form_data.hpp).
#include "s3/form_data.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/text.hpp"

namespace awan::s3 {

namespace {

constexpr uint64_t npos = std::numeric_limits<uint64_t>::max();
constexpr size_t kMaxBoundary = 70;  // RFC 2046

// S3's code and message as observed on the wire (not the error table's spelling).
AwsError pre_data_too_large(size_t limit) {
  AwsError e{"MaxPostPreDataLengthExceeded", "Your POST request fields preceeding the upload file was too large.", 400};
  e.details = std::make_shared<const nlohmann::json>(nlohmann::json{{"MaxPostPreDataLengthBytes", limit}});
  return e;
}

AwsError no_file() {
  AwsError e{"InvalidArgument", "POST requires exactly one file upload per request.", 400};
  e.details = std::make_shared<const nlohmann::json>(nlohmann::json{{"ArgumentName", "file"}, {"ArgumentValue", "0"}});
  return e;
}

AwsError read_failed() { return AwsError::internal(); }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (text::ascii_lower(a[i]) != text::ascii_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Header parameters: `; name=value` or `; name="quoted \" value"`. Returns false when malformed.
struct Param {
  std::string name;  // lower-case
  std::string value;
};

bool parse_params(std::string_view s, std::vector<Param>& out) {
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ';')) ++i;
    if (i >= s.size()) break;
    size_t eq = s.find('=', i);
    if (eq == std::string_view::npos) return false;
    Param p;
    p.name = text::ascii_lower(trim(s.substr(i, eq - i)));
    if (p.name.empty()) return false;
    i = eq + 1;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i < s.size() && s[i] == '"') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        char c = s[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i < s.size()) c = s[i++];
        p.value.push_back(c);
      }
      if (!closed) return false;
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
      if (i < s.size() && s[i] != ';') return false;
    } else {
      size_t end = s.find(';', i);
      if (end == std::string_view::npos) end = s.size();
      p.value = std::string(trim(s.substr(i, end - i)));
      i = end;
    }
    out.push_back(std::move(p));
  }
  return true;
}

const Param* find_param(const std::vector<Param>& ps, std::string_view name) {
  for (const auto& p : ps) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// Searches `needle` in [from, size) of the source; npos when absent, nullopt on I/O error.
std::optional<uint64_t> find_in(const ByteSource& src, std::string_view needle, uint64_t from, size_t block) {
  const uint64_t size = src.size();
  if (from > size || needle.size() > size - from) return npos;
  if (auto all = src.contiguous()) {
    size_t p = all->find(needle, static_cast<size_t>(from));
    return p == std::string_view::npos ? npos : static_cast<uint64_t>(p);
  }
  block = std::max(block, needle.size());
  const size_t keep = needle.size() - 1;
  std::string buf;
  uint64_t buf_start = from;  // offset of buf[0]
  uint64_t next = from;       // next offset to read
  while (next < size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(block, size - next));
    size_t old = buf.size();
    buf.resize(old + want);
    int64_t got = src.read(next, buf.data() + old, want);
    if (got < 0) return std::nullopt;
    if (got == 0) break;
    buf.resize(old + static_cast<size_t>(got));
    next += static_cast<uint64_t>(got);
    void* hit = memmem(buf.data(), buf.size(), needle.data(), needle.size());
    if (hit) return buf_start + static_cast<uint64_t>(static_cast<const char*>(hit) - buf.data());
    if (buf.size() > keep) {
      buf_start += buf.size() - keep;
      buf.erase(0, buf.size() - keep);
    }
  }
  return npos;
}

bool read_exact(const ByteSource& src, uint64_t offset, size_t n, std::string& out) {
  out.resize(n);
  size_t done = 0;
  while (done < n) {
    int64_t got = src.read(offset + done, out.data() + done, n - done);
    if (got <= 0) return false;
    done += static_cast<size_t>(got);
  }
  return true;
}

struct PartHeaders {
  std::string name;       // lower-case
  std::string sent_name;
  bool form_data = false; // disposition type form-data (only such a part can be the file)
  std::optional<std::string> filename;
  std::string content_type;
};

std::optional<AwsError> parse_part_headers(std::string_view block, PartHeaders& out) {
  // block: header lines separated by CRLF, without the final empty line
  std::vector<std::pair<std::string, std::string>> headers;
  size_t i = 0;
  while (i < block.size()) {
    size_t eol = block.find("\r\n", i);
    if (eol == std::string_view::npos) eol = block.size();
    std::string_view line = block.substr(i, eol - i);
    i = eol + 2;
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') {  // obsolete line folding
      if (headers.empty()) return malformed_post_request();
      headers.back().second += " ";
      headers.back().second += trim(line);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return malformed_post_request();
    headers.emplace_back(text::ascii_lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  bool disposition = false;
  for (const auto& [name, value] : headers) {
    if (name == "content-disposition") {
      std::string_view v = value;
      size_t semi = v.find(';');
      out.form_data = iequals(trim(v.substr(0, semi)), "form-data");
      std::vector<Param> params;
      if (semi != std::string_view::npos && !parse_params(v.substr(semi + 1), params)) return malformed_post_request();
      const Param* n = find_param(params, "name");
      if (!n) return malformed_post_request();
      out.sent_name = n->value;
      out.name = text::ascii_lower(n->value);
      if (const Param* f = find_param(params, "filename")) out.filename = f->value;
      disposition = true;
    } else if (name == "content-type") {
      out.content_type = value;
    }
  }
  if (!disposition) return malformed_post_request();
  return std::nullopt;
}

}  // namespace

int64_t MemorySource::read(uint64_t offset, char* out, size_t n) const {
  if (offset >= data_.size()) return 0;
  size_t k = std::min<uint64_t>(n, data_.size() - offset);
  std::memcpy(out, data_.data() + offset, k);
  return static_cast<int64_t>(k);
}

FileSource::FileSource(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return;
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  size_ = static_cast<uint64_t>(st.st_size);
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

int64_t FileSource::read(uint64_t offset, char* out, size_t n) const {
  if (fd_ < 0) return -1;
  if (offset >= size_) return 0;
  ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
  return got < 0 ? -1 : static_cast<int64_t>(got);
}

const std::string* PostForm::get(std::string_view lower_name) const {
  for (const auto& f : fields) {
    if (f.name == lower_name) return &f.value;
  }
  return nullptr;
}

std::string PostForm::expand_filename(std::string_view value) const {
  std::string out(value);
  if (!file.filename) return out;
  std::string_view name = *file.filename;
  if (size_t slash = name.find_last_of("/\\"); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  constexpr std::string_view kVar = "${filename}";
  size_t p = out.find(kVar);
  if (p != std::string::npos) out.replace(p, kVar.size(), name);
  return out;
}

std::string PostForm::object_key() const {
  const std::string* key = get("key");
  return key ? expand_filename(*key) : std::string{};
}

AwsError malformed_post_request() {
  return {"MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.", 400};
}

std::optional<AwsError> form_boundary(std::string_view content_type, std::string& boundary) {
  size_t semi = content_type.find(';');
  if (!iequals(trim(content_type.substr(0, semi)), "multipart/form-data")) {
    AwsError e{"PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412};
    e.details = std::make_shared<const nlohmann::json>(
        nlohmann::json{{"Condition", "Bucket POST must be of the enclosure-type multipart/form-data"}});
    return e;
  }
  std::vector<Param> params;
  if (semi == std::string_view::npos || !parse_params(content_type.substr(semi + 1), params)) {
    return malformed_post_request();
  }
  const Param* b = find_param(params, "boundary");
  if (!b || b->value.empty() || b->value.size() > kMaxBoundary ||
      b->value.find_first_of("\r\n") != std::string::npos) {
    return malformed_post_request();
  }
  boundary = b->value;
  return std::nullopt;
}

std::optional<AwsError> parse_post_form(const ByteSource& body, std::string_view boundary, PostForm& out,
                                        const FormLimits& limits) {
  out = PostForm{};
  if (boundary.empty() || boundary.size() > kMaxBoundary) return malformed_post_request();
  const std::string dash = "--" + std::string(boundary);
  const std::string delimiter = "\r\n" + dash;
  const uint64_t size = body.size();
  std::string tmp;

  // The first boundary: at the very start, or after a preamble ending in CRLF.
  uint64_t pos;
  if (size >= dash.size() && read_exact(body, 0, dash.size(), tmp) && tmp == dash) {
    pos = dash.size();
  } else {
    auto d = find_in(body, delimiter, 0, limits.scan_block);
    if (!d) return read_failed();
    if (*d == npos) return malformed_post_request();
    pos = *d + delimiter.size();
  }

  size_t pre_data = 0;
  for (;;) {
    // After a boundary: "--" closes the body, otherwise optional whitespace then CRLF.
    if (pos + 2 > size) return malformed_post_request();
    if (!read_exact(body, pos, 2, tmp)) return read_failed();
    if (tmp == "--") return no_file();
    for (;;) {
      if (!read_exact(body, pos, 1, tmp)) return malformed_post_request();
      if (tmp[0] != ' ' && tmp[0] != '\t') break;
      ++pos;
    }
    if (pos + 2 > size || !read_exact(body, pos, 2, tmp) || tmp != "\r\n") return malformed_post_request();
    pos += 2;

    // The part's header block, up to the empty line.
    PartHeaders headers;
    size_t window = static_cast<size_t>(std::min<uint64_t>(limits.max_part_header + 4, size - pos));
    if (!read_exact(body, pos, window, tmp)) return read_failed();
    size_t end = tmp.rfind("\r\n", 0) == 0 ? 0 : tmp.find("\r\n\r\n");
    if (end == std::string::npos || end > limits.max_part_header) return malformed_post_request();
    if (auto err = parse_part_headers(std::string_view(tmp).substr(0, end), headers)) return err;
    pos += end == 0 ? 2 : end + 4;

    // The content, up to the next delimiter.
    auto d = find_in(body, delimiter, pos, limits.scan_block);
    if (!d) return read_failed();
    if (*d == npos) return malformed_post_request();
    uint64_t length = *d - pos;

    if (headers.name == "file" && headers.form_data) {
      out.file.offset = pos;
      out.file.length = length;
      out.file.filename = std::move(headers.filename);
      out.file.content_type = std::move(headers.content_type);
      return std::nullopt;  // what follows the file is ignored
    }
    if (out.fields.size() >= limits.max_fields || length > limits.max_pre_data ||
        pre_data + headers.name.size() + length > limits.max_pre_data) {
      return pre_data_too_large(limits.max_pre_data);
    }
    pre_data += headers.name.size() + static_cast<size_t>(length);
    FormField f;
    f.name = std::move(headers.name);
    f.sent_name = std::move(headers.sent_name);
    if (!read_exact(body, pos, static_cast<size_t>(length), f.value)) return read_failed();
    out.fields.push_back(std::move(f));
    pos = *d + delimiter.size();
  }
}

std::optional<AwsError> require_key_field(const PostForm& form) {
  if (form.get("key")) return std::nullopt;
  AwsError e{"InvalidArgument",
             "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
             400};
  e.details = std::make_shared<const nlohmann::json>(nlohmann::json{{"ArgumentName", "key"}, {"ArgumentValue", ""}});
  return e;
}

}  // namespace awan::s3
