#pragma once
// The inventory pipeline's CSV reading: RFC 4180 records (quoted fields with commas, quotes and
// line breaks; CRLF or LF; a UTF-8 byte-order mark; blank lines), then inventory rows by the
// header's column names (store, item, count in any order, any case), with the rows that cannot
// be written reported, never fatal. Neighbours: handlers.cpp (Load-Inventory).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace awan::pipelines::inventory {

// One CSV record: its fields and the line it starts on (1-based). `error` is set for a record
// that ends inside a quoted field.
struct CsvRecord {
  std::vector<std::string> fields;
  size_t line = 0;
  std::string error;
};

// The records of `text`, blank lines left out. Bounded: a record of more than 1,024 fields is
// cut there (and marked), so no input makes this allocate without limit beyond its own size.
std::vector<CsvRecord> read_csv(std::string_view text);

struct InventoryRow {
  std::string store, item;
  int64_t count = 0;
  size_t line = 0;
};

struct InventoryFile {
  std::vector<InventoryRow> rows;
  std::vector<std::string> skipped;  // "line 7: count 'many' is not an integer", ...
  std::string error;                 // the whole file is unusable (no header naming the columns)
};

// Rows of an inventory CSV. Store and Item must be non-empty (at most 2,048 and 1,024 bytes:
// DynamoDB's key limits), Count an integer (surrounding spaces allowed).
InventoryFile parse_inventory(std::string_view text);

}  // namespace awan::pipelines::inventory
