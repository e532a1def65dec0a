#pragma once
// Distributed Map's ItemReader: the items of an S3 object read as JSON (an array), JSONL (a
// value a line) or CSV (ReaderConfig CSVHeaderLocation FIRST_ROW or GIVEN with CSVHeaders;
// MaxItems). Other input types are an error.
#include <string>

#include <nlohmann/json.hpp>

namespace awan::stepfunctions {

struct ItemReaderResult {
  nlohmann::json items = nlohmann::json::array();
  std::string error;
};

ItemReaderResult parse_item_reader(const std::string& body, const std::string& input_type,
                                   const nlohmann::json& reader_config);

}  // namespace awan::stepfunctions
