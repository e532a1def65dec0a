// The inventory pipeline's CSV reading (csv.hpp).
#include "pipelines/inventory/csv.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace awan::pipelines::inventory {

namespace {
constexpr size_t kMaxFields = 1024;

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::optional<int64_t> integer(const std::string& text) {
  std::string_view s = text;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}
}  // namespace

std::vector<CsvRecord> read_csv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRecord> out;
  size_t i = 0, line = 1;
  while (i < text.size()) {
    CsvRecord rec;
    rec.line = line;
    std::string field;
    bool in_quotes = false, quoted = false, any_quoted = false;
    auto push = [&] {
      if (rec.fields.size() < kMaxFields) rec.fields.push_back(quoted ? field : trim(field));
      else rec.error = "more than 1024 fields";
      field.clear();
      quoted = false;
    };
    for (;;) {
      if (i == text.size()) {
        if (in_quotes) rec.error = "unterminated quoted field";
        push();
        break;
      }
      char c = text[i++];
      if (in_quotes) {
        if (c != '"') {
          if (c == '\n') ++line;
          field += c;
        } else if (i < text.size() && text[i] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else if (c == '"' && trim(field).empty()) {
        in_quotes = quoted = any_quoted = true;
        field.clear();
      } else if (c == ',') {
        push();
      } else if (c == '\r' || c == '\n') {
        if (c == '\r' && i < text.size() && text[i] == '\n') ++i;
        ++line;
        push();
        break;
      } else {
        field += c;
      }
    }
    bool blank = rec.fields.size() == 1 && rec.fields[0].empty() && !any_quoted;
    if (!blank || !rec.error.empty()) out.push_back(std::move(rec));
  }
  return out;
}

InventoryFile parse_inventory(std::string_view text) {
  InventoryFile f;
  auto records = read_csv(text);
  if (records.empty()) {
    f.error = "the file is empty";
    return f;
  }
  const CsvRecord& header = records.front();
  int store = -1, item = -1, count = -1;
  for (size_t c = 0; c < header.fields.size(); ++c) {
    std::string name = lower(trim(header.fields[c]));
    if (name == "store" && store < 0) store = static_cast<int>(c);
    if (name == "item" && item < 0) item = static_cast<int>(c);
    if (name == "count" && count < 0) count = static_cast<int>(c);
  }
  if (store < 0 || item < 0 || count < 0) {
    f.error = "the header (line " + std::to_string(header.line) + ") must name the columns store, item and count";
    return f;
  }
  size_t needed = static_cast<size_t>(std::max({store, item, count})) + 1;
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    std::string where = "line " + std::to_string(rec.line) + ": ";
    if (!rec.error.empty()) {
      f.skipped.push_back(where + rec.error);
      continue;
    }
    if (rec.fields.size() < needed) {
      f.skipped.push_back(where + "expected at least " + std::to_string(needed) + " fields, found " +
                          std::to_string(rec.fields.size()));
      continue;
    }
    InventoryRow row{rec.fields[store], rec.fields[item], 0, rec.line};
    if (row.store.empty()) {
      f.skipped.push_back(where + "no store");
      continue;
    }
    if (row.item.empty()) {
      f.skipped.push_back(where + "no item");
      continue;
    }
    if (row.store.size() > 2048 || row.item.size() > 1024) {
      f.skipped.push_back(where + "store or item longer than DynamoDB's key limits");
      continue;
    }
    auto n = integer(trim(rec.fields[count]));
    if (!n) {
      std::string shown = rec.fields[count].substr(0, 40);
      f.skipped.push_back(where + "count '" + shown + "' is not an integer");
      continue;
    }
    row.count = *n;
    f.rows.push_back(std::move(row));
  }
  return f;
}

}  // namespace awan::pipelines::inventory
