#pragma once
// A bounded reader of Apache Parquet objects for the Distributed Map's ItemReader (InputType
// PARQUET, and S3 inventory files in Parquet): each row of a flat schema becomes a JSON object
// keyed by column name.
//
// Supported: the footer's FileMetaData (Thrift compact protocol); flat schemas of required and
// optional primitive columns (nested groups and repeated columns are refused); data pages v1 and
// v2 and dictionary pages; PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY, (booleans) RLE,
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY encodings; RLE / bit-packed
// definition levels; the codecs UNCOMPRESSED, SNAPPY, GZIP and ZSTD.
// Values: BOOLEAN → true/false; INT32 / INT64 → numbers (DATE → "YYYY-MM-DD", TIMESTAMP and
// TIME → ISO 8601 strings in UTC at the unit's precision, DECIMAL → its exact decimal string);
// INT96 (legacy timestamps) → ISO 8601 strings; FLOAT / DOUBLE → numbers (NaN and infinities
// → null); BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY annotated as STRING / UTF8 / ENUM / JSON → strings
// (invalid UTF-8 replaced by U+FFFD), UUID → its canonical string, DECIMAL → its decimal string,
// FLOAT16 → a number, other binary → base64. Nulls of optional columns are JSON null.
//
// Every offset and length read from the object is checked against the object and the limits
// below; malformed input gives an error text, never a crash.
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/text.hpp"

namespace awan::stepfunctions::parquet {

struct Limits {
  size_t max_footer = 5 * 1024 * 1024;          // the FileMetaData's size
  size_t max_row_group = 256 * 1024 * 1024;     // a row group's uncompressed size
  size_t max_rows = 1'000'000;                  // rows read at most (the reader stops there)
  size_t max_columns = 10'000;
};

struct Result {
  nlohmann::json rows = nlohmann::json::array();
  std::string error;  // empty on success
};

// Reads the rows of `file` (at most limits.max_rows of them).
Result read(std::string_view file, const Limits& limits = {});

// Strings from a file are made valid UTF-8 (JSON strings must be) by core/text's lossy_utf8.
using text::lossy_utf8;

}  // namespace awan::stepfunctions::parquet
