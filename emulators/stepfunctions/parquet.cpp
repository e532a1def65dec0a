// The Parquet reader (parquet.hpp): footer, column chunks, pages, levels and values.
#include "stepfunctions/parquet.hpp"

#include <snappy-c.h>
#include <zstd.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/compress.hpp"
#include "core/crypto.hpp"
#include "stepfunctions/parquet_format.hpp"

namespace awan::stepfunctions::parquet {

using json = nlohmann::json;

namespace {

enum : int { BOOLEAN = 0, INT32 = 1, INT64 = 2, INT96 = 3, FLOAT = 4, DOUBLE = 5, BYTE_ARRAY = 6, FIXED = 7 };
enum : int { PLAIN = 0, PLAIN_DICTIONARY = 2, RLE = 3, BIT_PACKED = 4, DELTA_BINARY_PACKED = 5,
             DELTA_LENGTH_BYTE_ARRAY = 6, DELTA_BYTE_ARRAY = 7, RLE_DICTIONARY = 8 };

const char* encoding_name(int e) {
  switch (e) {
    case 1: return "GROUP_VAR_INT";
    case DELTA_BINARY_PACKED: return "DELTA_BINARY_PACKED";
    case DELTA_LENGTH_BYTE_ARRAY: return "DELTA_LENGTH_BYTE_ARRAY";
    case DELTA_BYTE_ARRAY: return "DELTA_BYTE_ARRAY";
    case 9: return "BYTE_STREAM_SPLIT";
    case BIT_PACKED: return "BIT_PACKED";
    default: return "unknown";
  }
}

const char* codec_name(int c) {
  switch (c) {
    case 3: return "LZO";
    case 4: return "BROTLI";
    case 5: return "LZ4";
    case 7: return "LZ4_RAW";
    default: return "unknown";
  }
}

struct Column {
  SchemaElement el;
  bool optional = false;
};

uint64_t load_le(const char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

// Days since 1970-01-01 to a civil date (proleptic Gregorian).
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  auto doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

constexpr int64_t kUnitPerSecond[] = {1000, 1000000, 1000000000};
constexpr int kUnitDigits[] = {3, 6, 9};

std::optional<std::string> format_date(int64_t days) {
  if (days < -719528 || days > 2932896) return std::nullopt;  // years 0 .. 9999
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(y), m, d);
  return std::string(buf);
}

std::string fraction(int64_t frac, int unit) {
  char buf[48];
  std::snprintf(buf, sizeof buf, ".%0*lld", kUnitDigits[unit], static_cast<long long>(frac));
  return buf;
}

json timestamp_value(int64_t v, int unit, bool utc) {
  int64_t per = kUnitPerSecond[unit];
  int64_t secs = floor_div(v, per), frac = v - secs * per;
  int64_t days = floor_div(secs, 86400), sod = secs - days * 86400;
  auto date = format_date(days);
  if (!date) return v;
  char buf[48];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d", static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60));
  return *date + buf + fraction(frac, unit) + (utc ? "Z" : "");
}

json time_value(int64_t v, int unit) {
  int64_t per = kUnitPerSecond[unit];
  if (v < 0 || v >= 86400 * per) return v;
  int64_t secs = v / per;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return std::string(buf) + fraction(v % per, unit);
}

// Big-endian two's-complement unscaled value to its decimal text with `scale` fraction digits.
std::string decimal_text(std::string_view be, int scale) {
  if (be.size() > 32) fail("a DECIMAL value is wider than 32 bytes");
  bool negative = !be.empty() && (static_cast<uint8_t>(be[0]) & 0x80);
  std::vector<uint8_t> mag(be.begin(), be.end());
  if (negative) {  // two's complement negation
    for (auto& b : mag) b = static_cast<uint8_t>(~b);
    for (size_t i = mag.size(); i-- > 0;)
      if (++mag[i] != 0) break;
  }
  std::string digits;
  for (;;) {
    bool zero = true;
    unsigned rem = 0;
    for (auto& b : mag) {
      unsigned cur = rem * 256 + b;
      b = static_cast<uint8_t>(cur / 10);
      rem = cur % 10;
      if (b) zero = false;
    }
    digits.insert(digits.begin(), static_cast<char>('0' + rem));
    if (zero) break;
  }
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
    size_t point = digits.size() - static_cast<size_t>(scale);
    digits = digits.substr(0, point) + '.' + digits.substr(point);
  }
  return (negative ? "-" : "") + digits;
}

std::string int_be(int64_t v, int bytes) {
  std::string s(static_cast<size_t>(bytes), '\0');
  for (int i = 0; i < bytes; ++i) s[static_cast<size_t>(bytes - 1 - i)] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
  return s;
}

float half_to_float(uint16_t h) {
  int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float sign = (h & 0x8000) ? -1.0f : 1.0f;
  if (exp == 0) return sign * std::ldexp(static_cast<float>(mant), -24);
  if (exp == 31) return mant ? NAN : sign * INFINITY;
  return sign * std::ldexp(static_cast<float>(mant + 1024), exp - 25);
}

json number_or_null(double d) { return std::isfinite(d) ? json(d) : json(nullptr); }

int decimal_scale(const SchemaElement& e) { return e.logical == Logical::decimal ? e.logical_scale : e.scale; }

// An INT32 / INT64 value of the column as JSON, by its logical type.
json int_value(const Column& col, int64_t v) {
  const SchemaElement& e = col.el;
  bool i32 = e.type == INT32;
  switch (e.logical) {
    case Logical::date:
      if (i32) {
        auto d = format_date(v);
        return d ? json(*d) : json(v);
      }
      break;
    case Logical::time: return time_value(v, i32 ? 0 : e.time_unit);
    case Logical::timestamp:
      if (!i32) return timestamp_value(v, e.time_unit, e.utc);
      break;
    case Logical::decimal: return decimal_text(int_be(v, i32 ? 4 : 8), decimal_scale(e));
    case Logical::uint: return i32 ? json(static_cast<uint32_t>(v)) : json(static_cast<uint64_t>(v));
    default: break;
  }
  return v;
}

// A BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY value of the column as JSON, by its logical type.
json bytes_value(const Column& col, std::string_view v) {
  switch (col.el.logical) {
    case Logical::string: return lossy_utf8(v);
    case Logical::decimal: return decimal_text(v, decimal_scale(col.el));
    case Logical::float16:
      if (v.size() == 2) return number_or_null(half_to_float(static_cast<uint16_t>(load_le(v.data(), 2))));
      break;
    case Logical::uuid:
      if (v.size() == 16) {
        static const char* hex = "0123456789abcdef";
        std::string s;
        for (size_t i = 0; i < 16; ++i) {
          if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
          s += hex[static_cast<uint8_t>(v[i]) >> 4];
          s += hex[static_cast<uint8_t>(v[i]) & 15];
        }
        return s;
      }
      break;
    default: break;
  }
  return crypto::base64_encode(v);
}

// One value of the column's physical type from `c`, as JSON.
json read_plain(Cursor& c, const Column& col) {
  const SchemaElement& e = col.el;
  switch (e.type) {
    case INT32: return int_value(col, static_cast<int32_t>(c.le32()));
    case INT64: return int_value(col, static_cast<int64_t>(load_le(c.bytes(8).data(), 8)));
    case INT96: {
      std::string_view b = c.bytes(12);
      auto nanos = static_cast<int64_t>(load_le(b.data(), 8));
      auto julian = static_cast<int64_t>(load_le(b.data() + 8, 4));
      int64_t days = julian - 2440588;
      if (nanos < 0 || nanos >= 86400LL * 1000000000LL || days < -719528 || days > 2932896) return nullptr;
      return timestamp_value(days * 86400LL * 1000000000LL + nanos, 2, true);
    }
    case FLOAT: {
      uint32_t bits = c.le32();
      float f;
      std::memcpy(&f, &bits, 4);
      return number_or_null(f);
    }
    case DOUBLE: {
      std::string_view b = c.bytes(8);
      uint64_t bits = load_le(b.data(), 8);
      double d;
      std::memcpy(&d, &bits, 8);
      return number_or_null(d);
    }
    case BYTE_ARRAY: return bytes_value(col, c.bytes(c.le32()));
    case FIXED: return bytes_value(col, c.bytes(static_cast<size_t>(e.type_length)));
    default:
      fail("physical type " + std::to_string(e.type) + " is not supported");
  }
}

// The RLE / bit-packed hybrid: `count` values of `bit_width` bits appended to `out`.
void rle_decode(Cursor& c, int bit_width, size_t count, std::vector<uint32_t>& out) {
  if (bit_width < 0 || bit_width > 32) fail("a bit width of " + std::to_string(bit_width) + " is out of range");
  size_t target = out.size() + count;
  if (bit_width == 0) {
    out.resize(target, 0);
    return;
  }
  size_t value_bytes = (static_cast<size_t>(bit_width) + 7) / 8;
  while (out.size() < target) {
    uint64_t header = c.varint();
    if (header & 1) {  // bit-packed groups of eight
      uint64_t groups = header >> 1;
      size_t left = target - out.size();
      size_t want = groups >= (left + 7) / 8 ? left : static_cast<size_t>(groups) * 8;
      uint64_t full = groups > c.remaining() ? UINT64_MAX : groups * static_cast<uint64_t>(bit_width);
      // A writer may cut the last run short: enough bytes for the values wanted will do.
      size_t nbytes = static_cast<size_t>(std::min<uint64_t>(full, c.remaining()));
      if (nbytes < (want * static_cast<size_t>(bit_width) + 7) / 8) fail("a bit-packed run is truncated");
      std::string_view b = c.bytes(nbytes);
      size_t bit = 0;
      for (size_t i = 0; i < want; ++i) {
        uint64_t v = 0;
        for (int k = 0; k < bit_width; ++k, ++bit)
          v |= static_cast<uint64_t>((static_cast<uint8_t>(b[bit / 8]) >> (bit % 8)) & 1) << k;
        out.push_back(static_cast<uint32_t>(v));
      }
    } else {
      uint64_t run = header >> 1;
      auto v = static_cast<uint32_t>(load_le(c.bytes(value_bytes).data(), static_cast<int>(value_bytes)));
      size_t n = static_cast<size_t>(std::min<uint64_t>(run, target - out.size()));
      out.insert(out.end(), n, v);
    }
  }
}

// DELTA_BINARY_PACKED: the first `want` integers of the stream appended to `out` (wrapping
// 64-bit arithmetic); the cursor ends after the whole stream. Every block takes two bytes at
// least, so skipping the values not wanted is bounded by the data.
void delta_decode(Cursor& c, size_t want, std::vector<int64_t>& out) {
  uint64_t block = c.varint(), minis = c.varint(), total = c.varint();
  auto value = static_cast<uint64_t>(c.zigzag());
  if (block == 0 || block % 128 != 0 || block > 65536 || minis == 0 || block % minis != 0 || (block / minis) % 32 != 0)
    fail("a DELTA_BINARY_PACKED header is malformed");
  auto per = static_cast<size_t>(block / minis);
  size_t target = out.size() + want;
  if (total == 0) return;
  if (out.size() < target) out.push_back(static_cast<int64_t>(value));
  uint64_t seen = 1;
  while (seen < total) {
    auto min_delta = static_cast<uint64_t>(c.zigzag());
    std::string_view widths = c.bytes(static_cast<size_t>(minis));
    for (size_t m = 0; m < minis && seen < total; ++m) {
      int w = static_cast<uint8_t>(widths[m]);
      if (w > 64) fail("a DELTA_BINARY_PACKED bit width is out of range");
      size_t count = static_cast<size_t>(std::min<uint64_t>(per, total - seen));
      // The last miniblock may be cut short: enough bytes for its values will do.
      size_t nbytes = std::min(per * static_cast<size_t>(w) / 8, c.remaining());
      if (nbytes < (count * static_cast<size_t>(w) + 7) / 8) fail("a DELTA_BINARY_PACKED miniblock is truncated");
      std::string_view b = c.bytes(nbytes);
      for (size_t i = 0, bit = 0; i < count && out.size() < target; ++i) {
        uint64_t rel = 0;
        for (int k = 0; k < w; ++k, ++bit) rel |= static_cast<uint64_t>((static_cast<uint8_t>(b[bit / 8]) >> (bit % 8)) & 1) << k;
        value += min_delta + rel;
        out.push_back(static_cast<int64_t>(value));
      }
      seen += count;
    }
  }
}

// Lengths from a DELTA_BINARY_PACKED stream, each checked.
std::vector<size_t> delta_lengths(Cursor& c, size_t want) {
  std::vector<int64_t> raw;
  raw.reserve(want);
  delta_decode(c, want, raw);
  if (raw.size() < want) fail("a DELTA stream holds fewer values than the page");
  std::vector<size_t> lengths;
  for (int64_t l : raw) {
    if (l < 0 || l > 0x7fffffff) fail("a DELTA length is out of range");
    lengths.push_back(static_cast<size_t>(l));
  }
  return lengths;
}

std::string decompress(int codec, std::string_view data, int64_t size, const Limits& limits) {
  if (size < 0 || static_cast<uint64_t>(size) > limits.max_row_group)
    fail("a page's uncompressed size of " + std::to_string(size) + " bytes is out of range");
  auto n = static_cast<size_t>(size);
  switch (codec) {
    case 0:
      if (data.size() != n) fail("an uncompressed page's sizes differ");
      return std::string(data);
    case 1: {
      size_t len = 0;
      if (snappy_uncompressed_length(data.data(), data.size(), &len) != SNAPPY_OK || len != n)
        fail("a SNAPPY page does not decompress to its size");
      std::string out(n, '\0');
      if (snappy_uncompress(data.data(), data.size(), out.data(), &len) != SNAPPY_OK || len != n)
        fail("a SNAPPY page does not decompress");
      return out;
    }
    case 2: {
      auto out = compress::decode(data, compress::Encoding::gzip, n);
      if (!out || out->size() != n) fail("a GZIP page does not decompress to its size");
      return std::move(*out);
    }
    case 6: {
      std::string out(n, '\0');
      size_t got = ZSTD_decompress(out.data(), n, data.data(), data.size());
      if (ZSTD_isError(got) || got != n) fail("a ZSTD page does not decompress to its size");
      return out;
    }
    default:
      fail(std::string("compression codec ") + codec_name(codec) + " is not supported");
  }
}

// Reads the values of one column chunk: `needed` of them (the rows wanted from the row group).
std::vector<json> read_chunk(std::string_view file, size_t data_end, const Column& col, const ColumnMeta& m,
                             size_t needed, const Limits& limits) {
  const std::string& name = col.el.name;
  if (m.external) fail("column '" + name + "' is stored in another file");
  if (m.type != col.el.type) fail("column '" + name + "' has a type different from its schema's");
  int64_t start = m.data_page_offset;
  if (m.dictionary_page_offset > 0 && m.dictionary_page_offset < start) start = m.dictionary_page_offset;
  if (start < 4 || static_cast<uint64_t>(start) >= data_end || m.total_compressed <= 0 ||
      static_cast<uint64_t>(m.total_compressed) > data_end - static_cast<uint64_t>(start))
    fail("column '" + name + "' lies outside the file");
  Cursor c(file.substr(static_cast<size_t>(start), static_cast<size_t>(m.total_compressed)));
  std::vector<json> values, dict;
  bool have_dict = false;
  values.reserve(needed);
  std::vector<uint32_t> levels, indices;
  while (values.size() < needed) {
    if (c.remaining() == 0) fail("column '" + name + "' ends before its values");
    PageHeader h = parse_page_header(c);
    if (h.compressed_size < 0) fail("a page of column '" + name + "' has a negative size");
    std::string_view body = c.bytes(static_cast<size_t>(h.compressed_size));
    if (h.type == 1) continue;  // index page
    if (h.type != 0 && h.type != 2 && h.type != 3) fail("a page of column '" + name + "' has an unknown type");
    if (!h.has_body) fail("a page of column '" + name + "' lacks its header");
    if (h.num_values < 0) fail("a page of column '" + name + "' has a negative value count");
    if (h.type == 2) {  // dictionary page: PLAIN values
      if (have_dict) fail("column '" + name + "' has two dictionary pages");
      if (h.encoding != PLAIN && h.encoding != PLAIN_DICTIONARY) fail("a dictionary page is not PLAIN");
      std::string data = decompress(m.codec, body, h.uncompressed_size, limits);
      if (col.el.type == BOOLEAN) fail("a BOOLEAN column has a dictionary page");
      if (static_cast<uint64_t>(h.num_values) > data.size()) fail("a dictionary page holds fewer values than it says");
      Cursor d(data);
      dict.reserve(static_cast<size_t>(h.num_values));
      for (int64_t i = 0; i < h.num_values; ++i) dict.push_back(read_plain(d, col));
      have_dict = true;
      continue;
    }
    std::string storage;
    std::string_view def_data, value_data;
    if (h.type == 0) {
      storage = decompress(m.codec, body, h.uncompressed_size, limits);
      Cursor p(storage);
      if (col.optional) {
        if (h.def_encoding != RLE) fail(std::string("definition levels encoded as ") + encoding_name(h.def_encoding) + " are not supported");
        def_data = p.bytes(p.le32());
      }
      value_data = std::string_view(storage).substr(p.pos());
    } else {
      if (h.rep_length != 0) fail("column '" + name + "' has repetition levels");
      if (h.def_length < 0 || static_cast<uint64_t>(h.def_length) > body.size())
        fail("the definition levels of a page of column '" + name + "' run past the page");
      def_data = body.substr(0, static_cast<size_t>(h.def_length));
      std::string_view rest = body.substr(static_cast<size_t>(h.def_length));
      if (h.is_compressed && m.codec != 0) {
        storage = decompress(m.codec, rest, h.uncompressed_size - h.def_length, limits);
        value_data = storage;
      } else {
        value_data = rest;
      }
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(h.num_values), needed - values.size()));
    levels.clear();
    size_t present = take;
    if (col.optional) {
      Cursor lc(def_data);
      rle_decode(lc, 1, take, levels);
      present = 0;
      for (uint32_t l : levels) {
        if (l > 1) fail("a definition level of column '" + name + "' is out of range");
        present += l;
      }
    }
    std::vector<json> got;
    got.reserve(present);
    Cursor vc(value_data);
    if (h.encoding == PLAIN && col.el.type == BOOLEAN) {
      if (present > vc.remaining() * 8) fail("a BOOLEAN page holds fewer values than it says");
      for (size_t i = 0; i < present; ++i) got.push_back(((static_cast<uint8_t>(value_data[i / 8]) >> (i % 8)) & 1) != 0);
    } else if (h.encoding == PLAIN) {
      for (size_t i = 0; i < present; ++i) got.push_back(read_plain(vc, col));
    } else if (h.encoding == RLE && col.el.type == BOOLEAN) {
      Cursor rc(vc.bytes(vc.le32()));
      indices.clear();
      rle_decode(rc, 1, present, indices);
      for (uint32_t b : indices) got.push_back(b != 0);
    } else if (h.encoding == PLAIN_DICTIONARY || h.encoding == RLE_DICTIONARY) {
      if (!have_dict) fail("column '" + name + "' uses a dictionary it lacks");
      indices.clear();
      if (present > 0) {
        int width = vc.byte();
        rle_decode(vc, width, present, indices);
      }
      for (uint32_t i : indices) {
        if (i >= dict.size()) fail("a dictionary index of column '" + name + "' is out of range");
        got.push_back(dict[i]);
      }
    } else if (h.encoding == DELTA_BINARY_PACKED && (col.el.type == INT32 || col.el.type == INT64)) {
      std::vector<int64_t> ints;
      ints.reserve(present);
      delta_decode(vc, present, ints);
      if (ints.size() < present) fail("a DELTA_BINARY_PACKED page of column '" + name + "' holds fewer values than it says");
      for (int64_t v : ints) got.push_back(int_value(col, col.el.type == INT32 ? static_cast<int32_t>(v) : v));
    } else if (h.encoding == DELTA_LENGTH_BYTE_ARRAY && col.el.type == BYTE_ARRAY) {
      for (size_t len : delta_lengths(vc, present)) got.push_back(bytes_value(col, vc.bytes(len)));
    } else if (h.encoding == DELTA_BYTE_ARRAY && (col.el.type == BYTE_ARRAY || col.el.type == FIXED)) {
      std::vector<size_t> prefixes = delta_lengths(vc, present), suffixes = delta_lengths(vc, present);
      std::string prev;
      size_t produced = 0;
      for (size_t i = 0; i < present; ++i) {
        if (prefixes[i] > prev.size()) fail("a DELTA_BYTE_ARRAY prefix of column '" + name + "' is longer than the value before");
        prev = prev.substr(0, prefixes[i]) + std::string(vc.bytes(suffixes[i]));
        produced += prev.size();
        if (produced > limits.max_row_group) fail("the DELTA_BYTE_ARRAY values of column '" + name + "' are too large");
        got.push_back(bytes_value(col, prev));
      }
    } else {
      fail(std::string("the encoding ") + encoding_name(h.encoding) + " of column '" + name + "' is not supported");
    }
    size_t next = 0;
    for (size_t i = 0; i < take; ++i) {
      if (col.optional && levels[i] == 0) values.emplace_back(nullptr);
      else values.push_back(std::move(got[next++]));
    }
  }
  return values;
}

std::vector<Column> flat_columns(const FileMeta& meta) {
  if (meta.schema.empty()) fail("the schema is empty");
  for (size_t i = 1; i < meta.schema.size(); ++i) {
    const SchemaElement& e = meta.schema[i];
    if (e.has_children && e.num_children > 0) fail("nested column '" + e.name + "' is not supported");
    if (e.repetition == 2) fail("repeated column '" + e.name + "' is not supported");
  }
  const SchemaElement& root = meta.schema[0];
  if (!root.has_children || root.num_children < 0 || static_cast<size_t>(root.num_children) != meta.schema.size() - 1)
    fail("the schema's root does not hold its columns");
  std::vector<Column> cols;
  for (size_t i = 1; i < meta.schema.size(); ++i) {
    const SchemaElement& e = meta.schema[i];
    if (e.repetition != 0 && e.repetition != 1) fail("column '" + e.name + "' has an unknown repetition");
    if (e.type < BOOLEAN || e.type > FIXED) fail("column '" + e.name + "' has an unknown type");
    if (e.type == FIXED && (e.type_length <= 0)) fail("column '" + e.name + "' has a bad length");
    Column c{e, e.repetition == 1};
    c.el.name = lossy_utf8(e.name);
    if (c.el.logical == Logical::none) {
      switch (e.converted) {
        case 0: case 4: case 19: c.el.logical = Logical::string; break;   // UTF8, ENUM, JSON
        case 5: c.el.logical = Logical::decimal; c.el.logical_scale = e.scale; break;
        case 6: c.el.logical = Logical::date; break;
        case 7: c.el.logical = Logical::time; c.el.time_unit = 0; break;
        case 8: c.el.logical = Logical::time; c.el.time_unit = 1; break;
        case 9: c.el.logical = Logical::timestamp; c.el.time_unit = 0; break;
        case 10: c.el.logical = Logical::timestamp; c.el.time_unit = 1; break;
        case 11: case 12: case 13: case 14: c.el.logical = Logical::uint; break;
        default: break;
      }
    }
    if (c.el.logical == Logical::decimal && (c.el.logical_scale < 0 || c.el.logical_scale > 76))
      fail("column '" + e.name + "' has a DECIMAL scale out of range");
    cols.push_back(std::move(c));
  }
  return cols;
}

}  // namespace

Result read(std::string_view file, const Limits& limits) {
  Result r;
  try {
    if (file.size() < 12 || file.substr(0, 4) != "PAR1" || file.substr(file.size() - 4) != "PAR1")
      fail("the object is not a Parquet file (no PAR1 magic)");
    uint64_t footer_len = load_le(file.data() + file.size() - 8, 4);
    if (footer_len > file.size() - 12) fail("the footer length runs past the start of the file");
    if (footer_len > limits.max_footer)
      fail("the footer is larger than the maximum of " + std::to_string(limits.max_footer / (1024 * 1024)) + " MB");
    size_t data_end = file.size() - 8 - static_cast<size_t>(footer_len);
    FileMeta meta = parse_file_meta(file.substr(data_end, static_cast<size_t>(footer_len)), limits.max_columns);
    std::vector<Column> cols = flat_columns(meta);
    for (const RowGroup& g : meta.row_groups) {
      if (r.rows.size() >= limits.max_rows) break;
      if (g.num_rows < 0) fail("a row group has a negative row count");
      if (g.columns.size() != cols.size()) fail("a row group's columns differ from the schema");
      uint64_t size = g.total_byte_size > 0 ? static_cast<uint64_t>(g.total_byte_size) : 0;
      uint64_t sum = 0;
      for (const ColumnMeta& m : g.columns) sum += m.total_uncompressed > 0 ? static_cast<uint64_t>(m.total_uncompressed) : 0;
      if (std::max(size, sum) > limits.max_row_group)
        fail("a row group is larger than the maximum of " + std::to_string(limits.max_row_group / (1024 * 1024)) + " MB");
      size_t needed = static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(g.num_rows), limits.max_rows - r.rows.size()));
      if (needed == 0) continue;
      std::vector<std::vector<json>> data;
      for (size_t i = 0; i < cols.size(); ++i) data.push_back(read_chunk(file, data_end, cols[i], g.columns[i], needed, limits));
      for (size_t row = 0; row < needed; ++row) {
        json item = json::object();
        for (size_t i = 0; i < cols.size(); ++i) item[cols[i].el.name] = std::move(data[i][row]);
        r.rows.push_back(std::move(item));
      }
    }
  } catch (const Malformed& m) {
    r.rows = json::array();
    r.error = lossy_utf8(m.what);  // it may quote a column name from the file
  }
  return r;
}

}  // namespace awan::stepfunctions::parquet
