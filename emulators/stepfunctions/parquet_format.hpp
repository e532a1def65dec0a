#pragma once
// Internals of the Parquet reader (parquet.hpp): a bounded Thrift compact-protocol cursor and the
// parts of the format's metadata structures (parquet.thrift) the reader needs.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace awan::stepfunctions::parquet {

// Thrown inside the reader for malformed input; read() turns it into Result::error.
struct Malformed {
  std::string what;
};
[[noreturn]] inline void fail(std::string what) { throw Malformed{std::move(what)}; }

// A cursor over bytes that never reads past its end (every read checks, fail() otherwise).
class Cursor {
 public:
  explicit Cursor(std::string_view d) : d_(d) {}
  size_t remaining() const { return d_.size() - pos_; }
  size_t pos() const { return pos_; }
  uint8_t byte();
  std::string_view bytes(size_t n);
  uint64_t varint();
  int64_t zigzag() {
    uint64_t v = varint();
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }
  uint32_t le32();

 private:
  std::string_view d_;
  size_t pos_ = 0;
};

// Logical annotation of a column, from LogicalType or else ConvertedType.
enum class Logical { none, string, decimal, date, time, timestamp, uint, uuid, float16, binary_other };

struct SchemaElement {
  int type = -1;  // physical Type; -1 for a group
  int type_length = 0;
  int repetition = 0;  // 0 REQUIRED, 1 OPTIONAL, 2 REPEATED
  std::string name;
  int num_children = 0;
  bool has_children = false;
  int converted = -1;
  int scale = 0;
  int precision = 0;
  Logical logical = Logical::none;  // from LogicalType (takes precedence over converted)
  int time_unit = 0;                // 0 millis, 1 micros, 2 nanos (TIME / TIMESTAMP)
  bool utc = true;                  // isAdjustedToUTC
  int logical_scale = 0;
  bool logical_signed = true;
};

struct ColumnMeta {
  int type = -1;
  int codec = 0;
  int64_t num_values = 0;
  int64_t total_uncompressed = 0;
  int64_t total_compressed = 0;
  int64_t data_page_offset = -1;
  int64_t dictionary_page_offset = -1;
  bool external = false;  // ColumnChunk.file_path set
};

struct RowGroup {
  std::vector<ColumnMeta> columns;
  int64_t num_rows = 0;
  int64_t total_byte_size = 0;
};

struct FileMeta {
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
};

struct PageHeader {
  int type = -1;  // 0 DATA_PAGE, 1 INDEX_PAGE, 2 DICTIONARY_PAGE, 3 DATA_PAGE_V2
  int64_t uncompressed_size = -1;
  int64_t compressed_size = -1;
  int64_t num_values = 0;
  int encoding = 0;
  int def_encoding = 3;
  int64_t def_length = 0;  // v2
  int64_t rep_length = 0;  // v2
  bool is_compressed = true;
  bool has_body = false;  // the header matching `type` was present
};

// Parse errors throw Malformed.
FileMeta parse_file_meta(std::string_view footer, size_t max_columns);
PageHeader parse_page_header(Cursor& c);

}  // namespace awan::stepfunctions::parquet
