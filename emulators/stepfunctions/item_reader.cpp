// ItemReader parsing (see item_reader.hpp): RFC 4180 CSV with quoted fields, JSON arrays, JSONL,
// Parquet, S3 Inventory manifests and their files.
#include "stepfunctions/item_reader.hpp"

#include <vector>

#include "core/compress.hpp"
#include "stepfunctions/parquet.hpp"

namespace awan::stepfunctions {

using json = nlohmann::json;

namespace {

std::vector<std::vector<std::string>> csv_rows(const std::string& s) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      }
      row.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

constexpr size_t kMaxInventoryFile = 256 * 1024 * 1024;  // a gzipped inventory file's inflated size

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

}  // namespace

size_t reader_max_items(const json& config) {
  auto it = config.find("MaxItems");
  if (it != config.end() && it->is_number_integer() && it->get<int64_t>() > 0) return it->get<size_t>();
  return static_cast<size_t>(-1);
}

InventoryManifest parse_inventory_manifest(const std::string& body, const std::string& manifest_bucket) {
  InventoryManifest m;
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    m.error = "The manifest is not a JSON object";
    return m;
  }
  auto str = [&](const char* k) { return doc.contains(k) && doc[k].is_string() ? doc[k].get<std::string>() : std::string(); };
  m.bucket = manifest_bucket;
  std::string dest = str("destinationBucket");
  if (!dest.empty()) m.bucket = dest.rfind("arn:", 0) == 0 ? dest.substr(dest.rfind(':') + 1) : dest;
  std::string format = str("fileFormat");
  if (format == "CSV") m.format = "CSV";
  else if (format == "Parquet" || format == "PARQUET") m.format = "Parquet";
  else {
    m.error = format.empty() ? "The manifest has no fileFormat"
                             : "The inventory fileFormat " + format + " is not supported; use CSV or Parquet";
    return m;
  }
  if (!doc.contains("files") || !doc["files"].is_array()) {
    m.error = "The manifest has no files list";
    return m;
  }
  for (const auto& f : doc["files"]) {
    if (!f.is_object() || !f.contains("key") || !f["key"].is_string() || f["key"].get<std::string>().empty()) {
      m.error = "A file of the manifest has no key";
      return m;
    }
    m.keys.push_back(f["key"]);
  }
  if (m.format == "CSV") {
    std::string schema = str("fileSchema");
    size_t from = 0;
    while (from <= schema.size()) {
      size_t comma = schema.find(',', from);
      std::string name = trim(schema.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
      if (!name.empty()) m.columns.push_back(name);
      if (comma == std::string::npos) break;
      from = comma + 1;
    }
    if (m.columns.empty()) m.error = "The manifest has no fileSchema";
  }
  return m;
}

ItemReaderResult parse_inventory_file(const std::string& body, const std::string& key, const InventoryManifest& m,
                                      size_t max_items) {
  ItemReaderResult r;
  if (m.format == "Parquet") {
    parquet::Limits limits;
    limits.max_rows = std::min(max_items, limits.max_rows);
    auto p = parquet::read(body, limits);
    if (!p.error.empty()) r.error = "The inventory file " + key + " is not valid Parquet: " + p.error;
    else r.items = std::move(p.rows);
    return r;
  }
  std::string text = body;
  if (body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f && static_cast<unsigned char>(body[1]) == 0x8b) {
    auto inflated = compress::decode(body, compress::Encoding::gzip, kMaxInventoryFile);
    if (!inflated) {
      r.error = "The inventory file " + key + " does not decompress (gzip)";
      return r;
    }
    text = std::move(*inflated);
  }
  for (auto& row : csv_rows(text)) {
    if (r.items.size() >= max_items) break;
    json item = json::object();
    for (size_t j = 0; j < m.columns.size(); ++j) item[m.columns[j]] = j < row.size() ? parquet::lossy_utf8(row[j]) : "";
    r.items.push_back(std::move(item));
  }
  return r;
}

ItemReaderResult parse_item_reader(const std::string& body, const std::string& input_type, const json& config) {
  ItemReaderResult r;
  size_t max_items = reader_max_items(config);
  if (input_type == "PARQUET") {
    parquet::Limits limits;
    limits.max_rows = std::min(max_items, limits.max_rows);
    auto p = parquet::read(body, limits);
    if (!p.error.empty()) r.error = "The Parquet object is not valid: " + p.error;
    else r.items = std::move(p.rows);
    return r;
  }
  if (input_type == "CSV") {
    auto rows = csv_rows(body);
    std::vector<std::string> headers;
    size_t first = 0;
    auto location = config.find("CSVHeaderLocation");
    if (location != config.end() && *location == "GIVEN") {
      if (config.contains("CSVHeaders") && config["CSVHeaders"].is_array())
        for (const auto& h : config["CSVHeaders"])
          if (h.is_string()) headers.push_back(h);
    } else if (!rows.empty()) {
      headers = rows[0];
      first = 1;
    }
    for (size_t i = first; i < rows.size() && r.items.size() < max_items; ++i) {
      json item = json::object();
      for (size_t j = 0; j < headers.size(); ++j)
        item[parquet::lossy_utf8(headers[j])] = j < rows[i].size() ? parquet::lossy_utf8(rows[i][j]) : "";
      r.items.push_back(std::move(item));
    }
    return r;
  }
  if (input_type == "JSONL") {  // one JSON value a line; blank lines skipped
    size_t from = 0;
    while (from <= body.size() && r.items.size() < max_items) {
      size_t end = body.find('\n', from);
      std::string line = body.substr(from, end == std::string::npos ? std::string::npos : end - from);
      if (line.find_first_not_of(" \t\r") != std::string::npos) {
        json v = json::parse(line, nullptr, false);
        if (v.is_discarded()) {
          r.error = "Invalid JSON on line " + std::to_string(r.items.size() + 1) + " of the JSONL object";
          return r;
        }
        r.items.push_back(std::move(v));
      }
      if (end == std::string::npos) break;
      from = end + 1;
    }
    return r;
  }
  if (input_type == "MANIFEST") {  // read through S3 (map_state.cpp); only TestState's mapItemReaderData lands here
    r.error = "mapItemReaderData cannot stand for a MANIFEST's inventory files";
    return r;
  }
  if (input_type != "JSON") {
    r.error = "ItemReader InputType " + input_type + " is not supported";
    return r;
  }
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) {
    r.error = "Attempting to map over non-iterable node.";
    return r;
  }
  for (auto& v : doc) {
    if (r.items.size() >= max_items) break;
    r.items.push_back(std::move(v));
  }
  return r;
}

}  // namespace awan::stepfunctions
