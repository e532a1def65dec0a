// Thrift compact protocol and the Parquet metadata structures (parquet_format.hpp). Field ids
// follow the format's parquet.thrift; unknown fields are skipped, nesting is bounded.
#include "stepfunctions/parquet_format.hpp"

#include <limits>

namespace awan::stepfunctions::parquet {

uint8_t Cursor::byte() {
  if (pos_ >= d_.size()) fail("unexpected end of data");
  return static_cast<uint8_t>(d_[pos_++]);
}

std::string_view Cursor::bytes(size_t n) {
  if (n > remaining()) fail("a length runs past the end of the data");
  std::string_view v = d_.substr(pos_, n);
  pos_ += n;
  return v;
}

uint64_t Cursor::varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    uint8_t b = byte();
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  fail("a varint is longer than 10 bytes");
}

uint32_t Cursor::le32() {
  std::string_view b = bytes(4);
  return static_cast<uint32_t>(static_cast<uint8_t>(b[0])) | static_cast<uint32_t>(static_cast<uint8_t>(b[1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[2])) << 16 | static_cast<uint32_t>(static_cast<uint8_t>(b[3])) << 24;
}

namespace {

// Compact protocol type codes.
enum : int { T_TRUE = 1, T_FALSE = 2, T_BYTE = 3, T_I16 = 4, T_I32 = 5, T_I64 = 6, T_DOUBLE = 7, T_BINARY = 8,
             T_LIST = 9, T_SET = 10, T_MAP = 11, T_STRUCT = 12 };
constexpr int kMaxDepth = 24;

void skip(Cursor& c, int type, int depth);

// Calls on_field(id, type) for each field of a struct; it returns false to have the value skipped.
template <class F>
void read_struct(Cursor& c, int depth, F&& on_field) {
  if (depth > kMaxDepth) fail("Thrift structures nest too deep");
  int64_t last = 0;
  for (;;) {
    uint8_t h = c.byte();
    if (h == 0) return;
    int type = h & 0x0f, delta = h >> 4;
    int64_t id = delta ? last + delta : c.zigzag();
    if (id < std::numeric_limits<int16_t>::min() || id > std::numeric_limits<int16_t>::max()) fail("bad Thrift field id");
    last = id;
    if (!on_field(static_cast<int>(id), type)) skip(c, type, depth);
  }
}

struct ListHeader {
  size_t size;
  int elem;
};

ListHeader list_header(Cursor& c) {
  uint8_t b = c.byte();
  uint64_t size = b >> 4;
  if (size == 15) size = c.varint();
  if (size > c.remaining()) fail("a Thrift list is longer than its data");  // every element takes a byte at least
  return {static_cast<size_t>(size), b & 0x0f};
}

void skip(Cursor& c, int type, int depth) {
  if (depth > kMaxDepth) fail("Thrift structures nest too deep");
  switch (type) {
    case T_TRUE:
    case T_FALSE:
      return;
    case T_BYTE:
      c.byte();
      return;
    case T_I16:
    case T_I32:
    case T_I64:
      c.varint();
      return;
    case T_DOUBLE:
      c.bytes(8);
      return;
    case T_BINARY:
      c.bytes(c.varint());
      return;
    case T_LIST:
    case T_SET: {
      ListHeader h = list_header(c);
      for (size_t i = 0; i < h.size; ++i) {
        if (h.elem == T_TRUE || h.elem == T_FALSE) c.byte();  // a boolean element is a byte
        else skip(c, h.elem, depth + 1);
      }
      return;
    }
    case T_MAP: {
      uint64_t n = c.varint();
      if (n == 0) return;
      if (n > c.remaining() / 2) fail("a Thrift map is longer than its data");
      uint8_t kv = c.byte();
      for (uint64_t i = 0; i < n; ++i) {
        for (int t : {kv >> 4, kv & 0x0f}) {
          if (t == T_TRUE || t == T_FALSE) c.byte();
          else skip(c, t, depth + 1);
        }
      }
      return;
    }
    case T_STRUCT:
      read_struct(c, depth + 1, [](int, int) { return false; });
      return;
    default:
      fail("unknown Thrift type " + std::to_string(type));
  }
}

int64_t read_int(Cursor& c, int type) {
  if (type == T_BYTE) return static_cast<int8_t>(c.byte());
  if (type != T_I16 && type != T_I32 && type != T_I64) fail("a Thrift integer field has type " + std::to_string(type));
  return c.zigzag();
}

int32_t read_i32(Cursor& c, int type) {
  int64_t v = read_int(c, type);
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) fail("a 32-bit field is out of range");
  return static_cast<int32_t>(v);
}

bool read_bool(Cursor& c, int type) {
  if (type == T_TRUE) return true;
  if (type == T_FALSE) return false;
  fail("a Thrift boolean field has type " + std::to_string(type));
}

std::string read_string(Cursor& c, int type) {
  if (type != T_BINARY) fail("a Thrift string field has type " + std::to_string(type));
  return std::string(c.bytes(c.varint()));
}

void expect_struct(int type) {
  if (type != T_STRUCT) fail("a Thrift struct field has type " + std::to_string(type));
}

// TimeUnit union: 1 MILLIS, 2 MICROS, 3 NANOS.
int read_time_unit(Cursor& c, int depth) {
  int unit = 0;
  read_struct(c, depth, [&](int id, int) {
    if (id >= 1 && id <= 3) unit = id - 1;
    return false;
  });
  return unit;
}

void read_logical_type(Cursor& c, int depth, SchemaElement& e) {
  read_struct(c, depth, [&](int id, int type) {
    switch (id) {
      case 1: e.logical = Logical::string; return false;   // STRING
      case 4: e.logical = Logical::string; return false;   // ENUM
      case 12: e.logical = Logical::string; return false;  // JSON
      case 13: e.logical = Logical::binary_other; return false;  // BSON
      case 14: e.logical = Logical::uuid; return false;
      case 15: e.logical = Logical::float16; return false;
      case 6: e.logical = Logical::date; return false;
      case 5:
        expect_struct(type);
        e.logical = Logical::decimal;
        read_struct(c, depth + 1, [&](int f, int t) {
          if (f == 1) e.logical_scale = read_i32(c, t);
          else return false;
          return true;
        });
        return true;
      case 7:
      case 8:
        expect_struct(type);
        e.logical = id == 7 ? Logical::time : Logical::timestamp;
        read_struct(c, depth + 1, [&](int f, int t) {
          if (f == 1) e.utc = read_bool(c, t);
          else if (f == 2) {
            expect_struct(t);
            e.time_unit = read_time_unit(c, depth + 2);
          } else return false;
          return true;
        });
        return true;
      case 10:
        expect_struct(type);
        read_struct(c, depth + 1, [&](int f, int t) {
          if (f == 2) e.logical_signed = read_bool(c, t);
          else return false;
          return true;
        });
        if (!e.logical_signed) e.logical = Logical::uint;
        return true;
      default:
        return false;
    }
  });
}

SchemaElement read_schema_element(Cursor& c, int depth) {
  SchemaElement e;
  read_struct(c, depth, [&](int id, int type) {
    switch (id) {
      case 1: e.type = read_i32(c, type); return true;
      case 2: e.type_length = read_i32(c, type); return true;
      case 3: e.repetition = read_i32(c, type); return true;
      case 4: e.name = read_string(c, type); return true;
      case 5:
        e.num_children = read_i32(c, type);
        e.has_children = true;
        return true;
      case 6: e.converted = read_i32(c, type); return true;
      case 7: e.scale = read_i32(c, type); return true;
      case 8: e.precision = read_i32(c, type); return true;
      case 10:
        expect_struct(type);
        read_logical_type(c, depth + 1, e);
        return true;
      default: return false;
    }
  });
  return e;
}

ColumnMeta read_column_meta(Cursor& c, int depth) {
  ColumnMeta m;
  read_struct(c, depth, [&](int id, int type) {
    switch (id) {
      case 1: m.type = read_i32(c, type); return true;
      case 4: m.codec = read_i32(c, type); return true;
      case 5: m.num_values = read_int(c, type); return true;
      case 6: m.total_uncompressed = read_int(c, type); return true;
      case 7: m.total_compressed = read_int(c, type); return true;
      case 9: m.data_page_offset = read_int(c, type); return true;
      case 11: m.dictionary_page_offset = read_int(c, type); return true;
      default: return false;
    }
  });
  return m;
}

RowGroup read_row_group(Cursor& c, int depth, size_t max_columns) {
  RowGroup g;
  read_struct(c, depth, [&](int id, int type) {
    switch (id) {
      case 1: {
        if (type != T_LIST) fail("RowGroup.columns is not a list");
        ListHeader h = list_header(c);
        if (h.elem != T_STRUCT) fail("RowGroup.columns does not hold structs");
        if (h.size > max_columns) fail("a row group has more than " + std::to_string(max_columns) + " columns");
        for (size_t i = 0; i < h.size; ++i) {
          ColumnMeta m;
          bool has_meta = false;
          read_struct(c, depth + 1, [&](int f, int t) {
            if (f == 1) {
              read_string(c, t);
              m.external = true;
            } else if (f == 3) {
              expect_struct(t);
              bool external = m.external;
              m = read_column_meta(c, depth + 2);
              m.external = external;
              has_meta = true;
            } else return false;
            return true;
          });
          if (!has_meta) fail("a column chunk has no ColumnMetaData");
          g.columns.push_back(m);
        }
        return true;
      }
      case 2: g.total_byte_size = read_int(c, type); return true;
      case 3: g.num_rows = read_int(c, type); return true;
      default: return false;
    }
  });
  return g;
}

}  // namespace

FileMeta parse_file_meta(std::string_view footer, size_t max_columns) {
  Cursor c(footer);
  FileMeta meta;
  read_struct(c, 0, [&](int id, int type) {
    switch (id) {
      case 2: {
        if (type != T_LIST) fail("FileMetaData.schema is not a list");
        ListHeader h = list_header(c);
        if (h.elem != T_STRUCT) fail("FileMetaData.schema does not hold structs");
        if (h.size > max_columns + 1) fail("the schema has more than " + std::to_string(max_columns) + " columns");
        for (size_t i = 0; i < h.size; ++i) meta.schema.push_back(read_schema_element(c, 1));
        return true;
      }
      case 3: meta.num_rows = read_int(c, type); return true;
      case 4: {
        if (type != T_LIST) fail("FileMetaData.row_groups is not a list");
        ListHeader h = list_header(c);
        if (h.elem != T_STRUCT) fail("FileMetaData.row_groups does not hold structs");
        for (size_t i = 0; i < h.size; ++i) meta.row_groups.push_back(read_row_group(c, 1, max_columns));
        return true;
      }
      default: return false;
    }
  });
  return meta;
}

PageHeader parse_page_header(Cursor& c) {
  PageHeader p;
  read_struct(c, 0, [&](int id, int type) {
    switch (id) {
      case 1: p.type = read_i32(c, type); return true;
      case 2: p.uncompressed_size = read_i32(c, type); return true;
      case 3: p.compressed_size = read_i32(c, type); return true;
      case 5:  // DataPageHeader
      case 7:  // DictionaryPageHeader
        expect_struct(type);
        read_struct(c, 1, [&](int f, int t) {
          if (f == 1) p.num_values = read_i32(c, t);
          else if (f == 2) p.encoding = read_i32(c, t);
          else if (f == 3 && id == 5) p.def_encoding = read_i32(c, t);
          else return false;
          return true;
        });
        if (id == 5 && p.type == 0) p.has_body = true;
        if (id == 7 && p.type == 2) p.has_body = true;
        return true;
      case 8:  // DataPageHeaderV2
        expect_struct(type);
        read_struct(c, 1, [&](int f, int t) {
          switch (f) {
            case 1: p.num_values = read_i32(c, t); return true;
            case 4: p.encoding = read_i32(c, t); return true;
            case 5: p.def_length = read_i32(c, t); return true;
            case 6: p.rep_length = read_i32(c, t); return true;
            case 7: p.is_compressed = read_bool(c, t); return true;
            default: return false;
          }
        });
        if (p.type == 3) p.has_body = true;
        return true;
      default: return false;
    }
  });
  return p;
}

}  // namespace awan::stepfunctions::parquet
