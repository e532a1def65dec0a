// ItemReader parsing (see item_reader.hpp): RFC 4180 CSV with quoted fields, JSON arrays, JSONL.
#include "stepfunctions/item_reader.hpp"

#include <vector>

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

}  // namespace

ItemReaderResult parse_item_reader(const std::string& body, const std::string& input_type, const json& config) {
  ItemReaderResult r;
  size_t max_items = config.contains("MaxItems") && config["MaxItems"].is_number_integer()
                         ? config["MaxItems"].get<size_t>()
                         : static_cast<size_t>(-1);
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
      for (size_t j = 0; j < headers.size(); ++j) item[headers[j]] = j < rows[i].size() ? rows[i][j] : "";
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
