#pragma once
// multipart/form-data (RFC 7578) for browser POST Object uploads: the boundary from the
// Content-Type, the form fields before the `file` part (small, in memory) and the extent of the
// file content within the body, read through a ByteSource so that a spooled body stays on disk.
// The POST policy and signature checks over these fields are in post_policy.hpp.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awan/error.hpp"

namespace awan::s3 {

// Random-access bytes of a request body.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Up to n bytes at offset into out; the count read (short only at the end). -1 on I/O error.
  virtual int64_t read(uint64_t offset, char* out, size_t n) const = 0;
  // The whole body when it is in memory (lets the parser search it in place).
  virtual std::optional<std::string_view> contiguous() const { return std::nullopt; }
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  uint64_t size() const override { return data_.size(); }
  int64_t read(uint64_t offset, char* out, size_t n) const override;
  std::optional<std::string_view> contiguous() const override { return data_; }

 private:
  std::string_view data_;
};

// A body spooled to a file (read with pread; the file is not loaded).
class FileSource final : public ByteSource {
 public:
  explicit FileSource(const std::string& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  bool ok() const { return fd_ >= 0; }
  uint64_t size() const override { return size_; }
  int64_t read(uint64_t offset, char* out, size_t n) const override;

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
};

struct FormLimits {
  size_t max_pre_data = 20 * 1024;   // names + values of the fields before the file
  size_t max_fields = 1000;
  size_t max_part_header = 8 * 1024; // the header block of one part
  size_t scan_block = 64 * 1024;     // read size when searching a non-contiguous source
};

struct FormField {
  std::string name;       // lower-cased: S3 matches form field names case-insensitively
  std::string value;
  std::string sent_name;  // as the form spelled it (error messages)
};

struct FormFile {
  uint64_t offset = 0;   // of the content within the body
  uint64_t length = 0;
  std::optional<std::string> filename;  // the part's Content-Disposition filename
  std::string content_type;             // the part's Content-Type ("" when absent)
};

struct PostForm {
  std::vector<FormField> fields;  // the fields before the file part, in order
  FormFile file;
  // The first field of that (lower-case) name, or null.
  const std::string* get(std::string_view lower_name) const;
  // `value` with "${filename}" replaced by the file's name (after its last '/' or '\\'), as S3
  // expands every field; a file part without a filename parameter leaves the variable as it is.
  std::string expand_filename(std::string_view value) const;
  // The key field, expanded.
  std::string object_key() const;
};

// The boundary parameter of a Content-Type header value. Anything but multipart/form-data is
// PreconditionFailed (412, Condition "Bucket POST must be of the enclosure-type
// multipart/form-data"); a missing or invalid boundary is MalformedPOSTRequest.
std::optional<AwsError> form_boundary(std::string_view content_type, std::string& boundary);

// Parses the parts up to and including the form-data part named "file" (parts after it are
// ignored, as S3 ignores them). MalformedPOSTRequest for a body that is not multipart/form-data,
// InvalidArgument "POST requires exactly one file upload per request." (ArgumentName file,
// ArgumentValue 0) when there is no file part, MaxPostPreDataLengthExceeded (S3's code and
// message, with MaxPostPreDataLengthBytes) when the fields before it exceed the limits.
std::optional<AwsError> parse_post_form(const ByteSource& body, std::string_view boundary, PostForm& out,
                                        const FormLimits& limits = {});

// InvalidArgument "Bucket POST must contain a field named 'key'.  If it is specified, please
// check the order of the fields." when the form has no key field before the file.
std::optional<AwsError> require_key_field(const PostForm& form);

AwsError malformed_post_request();

}  // namespace awan::s3
