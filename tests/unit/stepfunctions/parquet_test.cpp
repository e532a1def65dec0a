// The Distributed Map's Parquet reader (stepfunctions/parquet.hpp): fixtures written by a real
// writer (tests/data/stepfunctions, see make_parquet.js there) for every type, optional nulls,
// data pages v1 and v2, the UNCOMPRESSED, SNAPPY and GZIP codecs and several row groups; files
// built here for dictionary pages, ZSTD and malformed metadata; truncations and byte flips of
// the fixtures never crash.
#include <gtest/gtest.h>
#include <zstd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "stepfunctions/item_reader.hpp"
#include "stepfunctions/test_data.hpp"
#include "stepfunctions/parquet.hpp"

using nlohmann::json;
namespace pq = awan::stepfunctions::parquet;

namespace {

std::string fixture(const std::string& name) { return awan::sfn_test::data_file(name); }

const json kTypesRows = json::parse(R"([
  {"b": true, "i32": -7, "i64": 9007199254740993, "f": 1.5, "d": -2.25, "s": "h\u00e9llo", "raw": "AAEC/w==",
   "fixed": "YWJj", "day": "2024-02-29", "ts": "2024-01-02T03:04:05.678Z", "tsu": "2023-11-14T22:13:20.123456Z",
   "u32": 2147483647, "dec": "12345.00", "opt_s": "x", "opt_i": 1, "opt_b": false},
  {"b": false, "i32": 2147483647, "i64": -1, "f": 0.0, "d": 1e300, "s": "", "raw": "", "fixed": "eHl6",
   "day": "1969-12-31", "ts": "1970-01-01T00:00:00.000Z", "tsu": "1970-01-01T00:00:00.000000Z", "u32": 0,
   "dec": "-5.00", "opt_s": null, "opt_i": null, "opt_b": true},
  {"b": true, "i32": 0, "i64": 0, "f": -3.25, "d": 0.1, "s": "third", "raw": "cg==", "fixed": "AAEC",
   "day": "2000-01-01", "ts": "2030-12-31T23:59:59.999Z", "tsu": "1970-01-01T00:00:00.000001Z", "u32": 7,
   "dec": "100.00", "opt_s": "z", "opt_i": null, "opt_b": null}
])");

// ---- a small Thrift compact writer to build files the fixture writer cannot ----
struct Thrift {
  std::string out;
  std::vector<int> stack;
  int last = 0;
  void varint(uint64_t v) {
    while (v >= 0x80) {
      out += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out += static_cast<char>(v);
  }
  void zz(int64_t v) { varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void field(int id, int type) {
    int delta = id - last;
    if (delta > 0 && delta <= 15) out += static_cast<char>(delta << 4 | type);
    else {
      out += static_cast<char>(type);
      zz(id);
    }
    last = id;
  }
  void i32(int id, int64_t v) { field(id, 5), zz(v); }
  void i64(int id, int64_t v) { field(id, 6), zz(v); }
  void str(int id, const std::string& s) { field(id, 8), varint(s.size()), out += s; }
  void boolean(int id, bool v) { field(id, v ? 1 : 2); }
  void begin(int id) { field(id, 12), stack.push_back(last), last = 0; }
  void end() { out += '\0', last = stack.back(), stack.pop_back(); }
  void list(int id, int elem, size_t n) {
    field(id, 9);
    if (n < 15) out += static_cast<char>(n << 4 | elem);
    else out += static_cast<char>(0xf0 | elem), varint(n);
  }
  void elem() { stack.push_back(last), last = 0; }  // a struct element of a list; end() closes it
};

struct Page {
  int type = 0;  // 0 data v1, 2 dictionary
  int64_t num_values = 0;
  int encoding = 0;
  std::string data;          // uncompressed
  int64_t size_delta = 0;    // added to the uncompressed size written in the header
};

std::string le32(uint32_t v) { return std::string{static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16), static_cast<char>(v >> 24)}; }

// One row group of one column "v" (physical `type`, optional or not) holding `pages`.
// `leaf` adds fields to the column's SchemaElement (converted type, scale, LogicalType...).
std::string build(int type, bool optional, int64_t rows, const std::vector<Page>& pages, int codec = 0,
                  int64_t offset_delta = 0, const std::function<void(Thrift&)>& leaf = nullptr) {
  std::string file = "PAR1", chunk;
  int64_t start = 4, dict_offset = -1, data_offset = -1, uncompressed = 0;
  for (const Page& p : pages) {
    std::string body = p.data;
    if (codec == 6) {
      body.resize(ZSTD_compressBound(p.data.size()));
      body.resize(ZSTD_compress(body.data(), body.size(), p.data.data(), p.data.size(), 1));
    }
    Thrift h;
    h.i32(1, p.type);
    h.i32(2, static_cast<int64_t>(p.data.size()) + p.size_delta);
    h.i32(3, static_cast<int64_t>(body.size()));
    h.begin(p.type == 2 ? 7 : 5);
    h.i32(1, p.num_values);
    h.i32(2, p.encoding);
    if (p.type == 0) h.i32(3, 3), h.i32(4, 3);
    h.end();
    h.out += '\0';
    int64_t at = start + static_cast<int64_t>(chunk.size());
    if (p.type == 2 && dict_offset < 0) dict_offset = at;
    if (p.type == 0 && data_offset < 0) data_offset = at;
    chunk += h.out + body;
    uncompressed += static_cast<int64_t>(h.out.size() + p.data.size());
  }
  file += chunk;
  Thrift m;
  m.i32(1, 1);
  m.list(2, 12, 2);
  m.elem(), m.str(4, "schema"), m.i32(5, 1), m.end();
  m.elem(), m.i32(1, type), m.i32(3, optional ? 1 : 0), m.str(4, "v");
  if (leaf) leaf(m);
  m.end();
  m.i64(3, rows);
  m.list(4, 12, 1);
  m.elem();
  m.list(1, 12, 1);
  m.elem();
  m.i64(2, start);
  m.begin(3);
  m.i32(1, type), m.i32(4, codec), m.i64(5, rows), m.i64(6, uncompressed), m.i64(7, static_cast<int64_t>(chunk.size()));
  m.i64(9, data_offset + offset_delta);
  if (dict_offset >= 0) m.i64(11, dict_offset + offset_delta);
  m.end();
  m.end();
  m.i64(2, uncompressed), m.i64(3, rows);
  m.end();
  m.out += '\0';
  return file + m.out + le32(static_cast<uint32_t>(m.out.size())) + "PAR1";
}

std::string ints(std::initializer_list<int32_t> v) {
  std::string s;
  for (int32_t x : v) s += le32(static_cast<uint32_t>(x));
  return s;
}

// Definition levels (RLE, bit width 1, with the v1 length prefix) for `levels` of eight or fewer.
std::string def_levels(std::initializer_list<int> levels) {
  uint8_t bits = 0;
  int i = 0;
  for (int l : levels) bits |= static_cast<uint8_t>(l << i++);
  std::string run = {'\x03', static_cast<char>(bits)};  // one bit-packed group
  return le32(static_cast<uint32_t>(run.size())) + run;
}

}  // namespace

TEST(StepFunctionsParquet, EveryTypeCodecAndPageVersion) {
  for (const char* name : {"types_v1_uncompressed.parquet", "types_v2_uncompressed.parquet", "types_v1_snappy.parquet",
                           "types_v2_snappy.parquet", "types_v1_gzip.parquet", "types_v2_gzip.parquet"}) {
    auto r = pq::read(fixture(name));
    EXPECT_EQ(r.error, "") << name;
    EXPECT_EQ(r.rows, kTypesRows) << name << "\n" << r.rows.dump(1);
  }
}

TEST(StepFunctionsParquet, RowGroupsAndMaxRows) {
  std::string file = fixture("row_groups.parquet");
  auto r = pq::read(file);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.rows, json::parse(R"([{"n":0,"name":"row0"},{"n":1,"name":"row1"},{"n":2,"name":"row2"},
                                    {"n":3,"name":null},{"n":4,"name":"row4"}])"));
  pq::Limits few;
  few.max_rows = 3;
  EXPECT_EQ(pq::read(file, few).rows.size(), 3u);
  // Through the ItemReader with MaxItems.
  auto items = awan::stepfunctions::parse_item_reader(file, "PARQUET", json{{"MaxItems", 4}});
  EXPECT_EQ(items.error, "");
  EXPECT_EQ(items.items.size(), 4u);
  EXPECT_EQ(items.items[3], json::parse(R"({"n":3,"name":null})"));
}

TEST(StepFunctionsParquet, NestedAndRepeatedColumnsAreRefused) {
  EXPECT_EQ(pq::read(fixture("repeated.parquet")).error, "repeated column 'tags' is not supported");
  EXPECT_EQ(pq::read(fixture("nested.parquet")).error, "nested column 'pos' is not supported");
  auto items = awan::stepfunctions::parse_item_reader(fixture("nested.parquet"), "PARQUET", json::object());
  EXPECT_EQ(items.error, "The Parquet object is not valid: nested column 'pos' is not supported");
}

TEST(StepFunctionsParquet, DictionaryPages) {
  // Dictionary [10, 20, 30]; indices 2 0 1 2 bit-packed at width 2.
  std::string indices = {'\x02', '\x03', static_cast<char>(2 | 0 << 2 | 1 << 4 | 2 << 6), '\x00'};
  auto file = build(1, false, 4, {{2, 3, 0, ints({10, 20, 30})}, {0, 4, 8, indices}});
  auto r = pq::read(file);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.rows, json::parse(R"([{"v":30},{"v":10},{"v":20},{"v":30}])"));
  // PLAIN_DICTIONARY (2), optional with nulls: levels 1 0 1 1 0, indices 1 1 0 as an RLE run + bit-packed.
  std::string idx2 = {'\x01', '\x04', '\x01', '\x03', '\x00'};  // run of 2 × 1, then bit-packed 0 (width 1)
  auto opt = build(1, true, 5, {{2, 2, 0, ints({7, 8})}, {0, 5, 2, def_levels({1, 0, 1, 1, 0}) + idx2}});
  r = pq::read(opt);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.rows, json::parse(R"([{"v":8},{"v":null},{"v":8},{"v":7},{"v":null}])"));
  // An index past the dictionary.
  std::string bad = {'\x02', '\x02', '\x03'};  // run of 1 × 3
  EXPECT_EQ(pq::read(build(1, false, 1, {{2, 3, 0, ints({1, 2, 3})}, {0, 1, 8, bad}})).error,
            "a dictionary index of column 'v' is out of range");
  // Dictionary-encoded data without a dictionary page.
  EXPECT_EQ(pq::read(build(1, false, 4, {{0, 4, 8, indices}})).error, "column 'v' uses a dictionary it lacks");
}

TEST(StepFunctionsParquet, ZstdPages) {
  auto r = pq::read(build(1, false, 3, {{0, 3, 0, ints({1, -2, 3})}}, 6));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.rows, json::parse(R"([{"v":1},{"v":-2},{"v":3}])"));
  // A declared size the data does not decompress to.
  Page p{0, 3, 0, ints({1, 2, 3}), 5};
  EXPECT_EQ(pq::read(build(1, false, 3, {p}, 6)).error, "a ZSTD page does not decompress to its size");
  // An unsupported codec (LZ4_RAW).
  EXPECT_EQ(pq::read(build(1, false, 3, {{0, 3, 0, ints({1, 2, 3})}}, 7)).error, "compression codec LZ4_RAW is not supported");
}

TEST(StepFunctionsParquet, MalformedFiles) {
  std::string good = build(1, false, 3, {{0, 3, 0, ints({1, 2, 3})}});
  ASSERT_EQ(pq::read(good).error, "");
  EXPECT_EQ(pq::read("").error, "the object is not a Parquet file (no PAR1 magic)");
  EXPECT_EQ(pq::read("PAR1PAR1").error, "the object is not a Parquet file (no PAR1 magic)");
  std::string magic = good;
  magic[0] = 'X';
  EXPECT_EQ(pq::read(magic).error, "the object is not a Parquet file (no PAR1 magic)");
  // A footer length past the start of the file.
  std::string len = good;
  len.replace(len.size() - 8, 4, le32(0x7fffffff));
  EXPECT_EQ(pq::read(len).error, "the footer length runs past the start of the file");
  // The footer cut short (its length shortened by one).
  std::string cut = good;
  uint32_t flen = static_cast<uint32_t>(static_cast<uint8_t>(cut[cut.size() - 8])) | static_cast<uint32_t>(static_cast<uint8_t>(cut[cut.size() - 7])) << 8;
  cut.replace(cut.size() - 8, 4, le32(flen - 1));
  EXPECT_NE(pq::read(cut).error, "");
  // A data page offset outside the file.
  EXPECT_EQ(pq::read(build(1, false, 3, {{0, 3, 0, ints({1, 2, 3})}}, 0, 1 << 20)).error, "column 'v' lies outside the file");
  // A page claiming a billion values in 12 bytes.
  EXPECT_EQ(pq::read(build(1, false, 1'000'000'000, {{0, 1'000'000'000, 0, ints({1, 2, 3})}})).error,
            "a length runs past the end of the data");
  // A BYTE_ARRAY value with a huge length.
  EXPECT_EQ(pq::read(build(6, false, 1, {{0, 1, 0, le32(0xfffffff0) + "abc"}})).error, "a length runs past the end of the data");
  // An unsupported encoding (BYTE_STREAM_SPLIT), one for another type (DELTA_BINARY_PACKED of a DOUBLE).
  EXPECT_EQ(pq::read(build(1, false, 3, {{0, 3, 9, ints({1, 2, 3})}})).error,
            "the encoding BYTE_STREAM_SPLIT of column 'v' is not supported");
  EXPECT_EQ(pq::read(build(5, false, 1, {{0, 1, 5, ints({1, 2})}})).error,
            "the encoding DELTA_BINARY_PACKED of column 'v' is not supported");
  // An uncompressed page whose sizes differ.
  Page p{0, 3, 0, ints({1, 2, 3}), 4};
  EXPECT_EQ(pq::read(build(1, false, 3, {p})).error, "an uncompressed page's sizes differ");
  // Limits: the footer and the row group size.
  pq::Limits tiny;
  tiny.max_footer = 8;
  EXPECT_EQ(pq::read(good, tiny).error, "the footer is larger than the maximum of 0 MB");
  EXPECT_EQ(pq::read(build(1, false, 3, {{0, 3, 0, ints({1, 2, 3})}}, 0, 0)).error, "");
}

TEST(StepFunctionsParquet, TruncationsAndByteFlipsNeverCrash) {
  for (const char* name : {"types_v1_snappy.parquet", "types_v2_gzip.parquet", "row_groups.parquet"}) {
    std::string file = fixture(name);
    for (size_t n = 0; n < file.size(); ++n) {
      auto r = pq::read(std::string_view(file).substr(0, n));
      EXPECT_NE(r.error, "") << name << " cut at " << n;
    }
    for (size_t i = 0; i < file.size(); ++i) {
      std::string bad = file;
      bad[i] = static_cast<char>(bad[i] ^ 0x5a);
      auto r = pq::read(bad);
      if (r.error.empty()) EXPECT_TRUE(r.rows.is_array());
      else EXPECT_TRUE(r.rows.empty());
      EXPECT_NO_THROW((void)r.rows.dump()) << name << " flipped at " << i;  // valid UTF-8 throughout
      EXPECT_NO_THROW((void)json(r.error).dump()) << name << " flipped at " << i;
    }
  }
}

TEST(StepFunctionsParquet, LossyUtf8) {
  EXPECT_EQ(pq::lossy_utf8("plain h\xC3\xA9llo \xF0\x9F\x99\x82"), "plain h\xC3\xA9llo \xF0\x9F\x99\x82");
  EXPECT_EQ(pq::lossy_utf8("a\xC3"), "a\xEF\xBF\xBD");                 // cut at the end
  EXPECT_EQ(pq::lossy_utf8("\xC3" "A"), "\xEF\xBF\xBD" "A");           // a lead byte without its continuation
  EXPECT_EQ(pq::lossy_utf8("\x80\xFF"), "\xEF\xBF\xBD\xEF\xBF\xBD");   // stray continuation, never valid
  EXPECT_EQ(pq::lossy_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_NO_THROW(json(pq::lossy_utf8("x\xE2\x82")).dump());
}

namespace {

std::string le64(uint64_t v) { return le32(static_cast<uint32_t>(v)) + le32(static_cast<uint32_t>(v >> 32)); }

// The single value of a one-row, required column "v" built with `leaf`'s annotations.
json one_value(int type, const std::string& plain, const std::function<void(Thrift&)>& leaf) {
  auto r = pq::read(build(type, false, 1, {{0, 1, 0, plain}}, 0, 0, leaf));
  EXPECT_EQ(r.error, "");
  return r.rows.empty() ? json("no rows") : r.rows[0]["v"];
}

}  // namespace

TEST(StepFunctionsParquet, LogicalTypes) {
  auto none = [](Thrift&) {};
  auto converted = [](int c, int scale = 0, int length = 0) {
    return [=](Thrift& t) {
      t.i32(6, c);
      if (scale) t.i32(7, scale), t.i32(8, 9);
      if (length) t.i32(2, length);
    };
  };
  auto logical = [](const std::function<void(Thrift&)>& body, int length = 0) {
    return [=](Thrift& t) {
      if (length) t.i32(2, length);
      t.begin(10), body(t), t.end();
    };
  };
  // INT96: nanoseconds of the day, then the Julian day.
  EXPECT_EQ(one_value(3, le64(11045678901234ULL) + le32(2460312), none), "2024-01-02T03:04:05.678901234Z");
  // TIMESTAMP(NANOS, not adjusted to UTC) from the LogicalType union, before 1970.
  auto local_nanos = logical([](Thrift& t) {
    t.begin(8), t.boolean(1, false), t.begin(2), t.begin(3), t.end(), t.end(), t.end();
  });
  EXPECT_EQ(one_value(2, le64(static_cast<uint64_t>(-1)), local_nanos), "1969-12-31T23:59:59.999999999");
  // TIME_MILLIS (converted) and TIME(MICROS) (logical).
  EXPECT_EQ(one_value(1, le32(45296789), converted(7)), "12:34:56.789");
  auto micros = logical([](Thrift& t) { t.begin(7), t.boolean(1, true), t.begin(2), t.begin(2), t.end(), t.end(), t.end(); });
  EXPECT_EQ(one_value(2, le64(45296789012ULL), micros), "12:34:56.789012");
  // DECIMAL in FIXED_LEN_BYTE_ARRAY(4), scale 3; and in INT32 through the LogicalType.
  EXPECT_EQ(one_value(7, std::string("\xff\xff\xff\xfe", 4), converted(5, 3, 4)), "-0.002");
  EXPECT_EQ(one_value(7, std::string("\x00\x01\xe2\x40", 4), converted(5, 3, 4)), "123.456");
  auto dec = logical([](Thrift& t) { t.begin(5), t.i32(1, 2), t.i32(2, 9), t.end(); });
  EXPECT_EQ(one_value(1, le32(static_cast<uint32_t>(-12345)), dec), "-123.45");
  // UUID and FLOAT16 (FIXED_LEN_BYTE_ARRAY), UINT_64, DATE beyond year 9999, NaN.
  auto uuid = logical([](Thrift& t) { t.begin(14), t.end(); }, 16);
  EXPECT_EQ(one_value(7, std::string("\x12\x34\x56\x78\x9a\xbc\xde\xf0\x01\x23\x45\x67\x89\xab\xcd\xef", 16), uuid),
            "12345678-9abc-def0-0123-456789abcdef");
  auto half = logical([](Thrift& t) { t.begin(15), t.end(); }, 2);
  EXPECT_EQ(one_value(7, std::string("\x00\x3c", 2), half), 1.0);
  EXPECT_EQ(one_value(7, std::string("\x00\xc1", 2), half), -2.5);
  EXPECT_EQ(one_value(2, le64(~0ULL), converted(14)), json(18446744073709551615ULL));
  EXPECT_EQ(one_value(1, le32(3000000), converted(6)), 3000000);
  EXPECT_EQ(one_value(5, le64(0x7ff8000000000000ULL), none), nullptr);
  // Raw binary is base64; a STRING logical type is text.
  EXPECT_EQ(one_value(6, le32(2) + "hi", none), "aGk=");
  EXPECT_EQ(one_value(6, le32(2) + "hi", logical([](Thrift& t) { t.begin(1), t.end(); })), "hi");
  // A DECIMAL scale out of range is refused.
  EXPECT_EQ(pq::read(build(1, false, 1, {{0, 1, 0, le32(1)}}, 0, 0, converted(5, 99))).error,
            "column 'v' has a DECIMAL scale out of range");
}

TEST(StepFunctionsParquet, DeltaEncodings) {
  // DELTA_BINARY_PACKED (block 128, 4 miniblocks): 1 2 3 4 5, all deltas 1 at bit width 0.
  std::string ones = {'\x80', '\x01', '\x04', '\x05', '\x02', '\x02', 0, 0, 0, 0};
  auto r = pq::read(build(1, false, 5, {{0, 5, 5, ones}}));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.rows, json::parse(R"([{"v":1},{"v":2},{"v":3},{"v":4},{"v":5}])"));
  // 7 5 3 1 2 3 4 5: min delta -2, relative deltas 0 0 0 3 3 3 3 at width 2 (a miniblock of 8 bytes).
  std::string mixed = {'\x80', '\x01', '\x04', '\x08', '\x0e', '\x03', 2, 0, 0, 0, '\xc0', '\x3f', 0, 0, 0, 0, 0, 0};
  r = pq::read(build(2, false, 8, {{0, 8, 5, mixed}}));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.rows, json::parse(R"([{"v":7},{"v":5},{"v":3},{"v":1},{"v":2},{"v":3},{"v":4},{"v":5}])"));
  // Fewer values than the page says, a malformed header, a truncated miniblock.
  EXPECT_NE(pq::read(build(1, false, 6, {{0, 6, 5, ones}})).error, "");
  std::string bad_header = {'\x05', '\x04', '\x05', '\x02'};
  EXPECT_EQ(pq::read(build(1, false, 5, {{0, 5, 5, bad_header}})).error, "a DELTA_BINARY_PACKED header is malformed");
  EXPECT_EQ(pq::read(build(2, false, 8, {{0, 8, 5, mixed.substr(0, 10)}})).error, "a DELTA_BINARY_PACKED miniblock is truncated");
  // A billion values claimed, width 0: skipped block by block, never materialized.
  std::string many = {'\x80', '\x01', '\x04', '\x80', '\x94', '\xeb', '\xdc', '\x03', '\x02', '\x02', 0, 0, 0, 0};
  EXPECT_NE(pq::read(build(1, false, 3, {{0, 3, 5, many}})).error, "");

  // DELTA_LENGTH_BYTE_ARRAY: lengths 5 5 6 6, then the bytes.
  std::string lengths = {'\x80', '\x01', '\x04', '\x04', '\x0a', '\x00', 1, 0, 0, 0, '\x02', 0, 0, 0};
  auto strings = [](Thrift& t) { t.i32(6, 0); };  // UTF8
  r = pq::read(build(6, false, 4, {{0, 4, 6, lengths + "HelloWorldFoobarABCDEF"}}, 0, 0, strings));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.rows, json::parse(R"([{"v":"Hello"},{"v":"World"},{"v":"Foobar"},{"v":"ABCDEF"}])"));
  EXPECT_EQ(pq::read(build(6, false, 4, {{0, 4, 6, lengths + "Hello"}}, 0, 0, strings)).error,
            "a length runs past the end of the data");

  // DELTA_BYTE_ARRAY: prefixes 0 2 0 3, suffixes axis le babble yhood.
  std::string prefixes = {'\x80', '\x01', '\x04', '\x04', '\x00', '\x03', 3, 0, 0, 0, '\x44', '\x01', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  std::string suffixes = {'\x80', '\x01', '\x04', '\x04', '\x08', '\x03', 3, 0, 0, 0, '\x70', '\x00', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  r = pq::read(build(6, false, 4, {{0, 4, 7, prefixes + suffixes + "axislebabbleyhood"}}, 0, 0, strings));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.rows, json::parse(R"([{"v":"axis"},{"v":"axle"},{"v":"babble"},{"v":"babyhood"}])"));
  // A prefix longer than the value before it (the first prefix 2 instead of 0).
  std::string long_prefix = prefixes;
  long_prefix[4] = '\x04';
  EXPECT_EQ(pq::read(build(6, false, 4, {{0, 4, 7, long_prefix + suffixes + "axislebabbleyhood"}}, 0, 0, strings)).error,
            "a DELTA_BYTE_ARRAY prefix of column 'v' is longer than the value before");
}

// With AWAN_WRITE_FUZZ_SEEDS=<dir>, writes the files built here (dictionary, ZSTD, DELTA pages)
// as seeds for fuzz/stepfunctions_parquet.cpp (fuzz/corpus/stepfunctions_parquet).
TEST(StepFunctionsParquet, WritesFuzzSeedsOnRequest) {
  const char* dir = std::getenv("AWAN_WRITE_FUZZ_SEEDS");
  if (!dir) GTEST_SKIP() << "AWAN_WRITE_FUZZ_SEEDS not set";
  std::string indices = {'\x02', '\x03', static_cast<char>(2 | 0 << 2 | 1 << 4 | 2 << 6), '\x00'};
  std::string idx2 = {'\x01', '\x04', '\x01', '\x03', '\x00'};
  std::string mixed = {'\x80', '\x01', '\x04', '\x08', '\x0e', '\x03', 2, 0, 0, 0, '\xc0', '\x3f', 0, 0, 0, 0, 0, 0};
  std::string lengths = {'\x80', '\x01', '\x04', '\x04', '\x0a', '\x00', 1, 0, 0, 0, '\x02', 0, 0, 0};
  auto strings = [](Thrift& t) { t.i32(6, 0); };
  std::vector<std::pair<std::string, std::string>> files = {
      {"built_dictionary.parquet", build(1, false, 4, {{2, 3, 0, ints({10, 20, 30})}, {0, 4, 8, indices}})},
      {"built_dictionary_optional.parquet",
       build(1, true, 5, {{2, 2, 0, ints({7, 8})}, {0, 5, 2, def_levels({1, 0, 1, 1, 0}) + idx2}})},
      {"built_zstd.parquet", build(1, false, 3, {{0, 3, 0, ints({1, -2, 3})}}, 6)},
      {"built_delta_ints.parquet", build(2, false, 8, {{0, 8, 5, mixed}})},
      {"built_delta_lengths.parquet", build(6, false, 4, {{0, 4, 6, lengths + "HelloWorldFoobarABCDEF"}}, 0, 0, strings)},
  };
  for (const auto& [name, data] : files) {
    ASSERT_EQ(pq::read(data).error, "") << name;
    std::ofstream(std::filesystem::path(dir) / name, std::ios::binary) << data;
  }
}
