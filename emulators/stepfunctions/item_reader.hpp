#pragma once
// Distributed Map's ItemReader: the items of an S3 object read as JSON (an array), JSONL (a
// value a line), CSV (ReaderConfig CSVHeaderLocation FIRST_ROW or GIVEN with CSVHeaders;
// MaxItems) or PARQUET (parquet.hpp). MANIFEST reads an S3 Inventory manifest.json and then its
// inventory files (CSV, gzipped or not, or Parquet). Other input types are an error.
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan::stepfunctions {

struct ItemReaderResult {
  nlohmann::json items = nlohmann::json::array();
  std::string error;
};

ItemReaderResult parse_item_reader(const std::string& body, const std::string& input_type,
                                   const nlohmann::json& reader_config);

// ReaderConfig.MaxItems, or no limit.
size_t reader_max_items(const nlohmann::json& reader_config);

// InputType MANIFEST: what an S3 Inventory manifest.json names.
struct InventoryManifest {
  std::string bucket;                // the inventory files' bucket (destinationBucket)
  std::vector<std::string> keys;     // files[].key
  std::string format;                // "CSV" or "Parquet"
  std::vector<std::string> columns;  // CSV: the fileSchema's field names
  std::string error;
};
// `manifest_bucket` is the bucket the manifest was read from (used without a destinationBucket).
InventoryManifest parse_inventory_manifest(const std::string& body, const std::string& manifest_bucket);
// The rows of one inventory file as items, at most `max_items`: CSV rows keyed by the
// fileSchema's names (string values), Parquet rows by column name.
ItemReaderResult parse_inventory_file(const std::string& body, const std::string& key, const InventoryManifest& m,
                                      size_t max_items);

}  // namespace awan::stepfunctions
