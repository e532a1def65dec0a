// The ItemReader's InputType MANIFEST pieces (item_reader.hpp): an S3 Inventory manifest.json
// (destinationBucket, fileFormat, fileSchema, files) and its inventory files as items (CSV plain
// or gzipped, Parquet), with the malformed cases as error texts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/compress.hpp"
#include "stepfunctions/item_reader.hpp"
#include "stepfunctions/test_data.hpp"

using nlohmann::json;
using namespace awan::stepfunctions;

namespace {

std::string fixture(const std::string& name) { return awan::sfn_test::data_file(name); }

const char* kManifest = R"({
  "sourceBucket": "src-bucket",
  "destinationBucket": "arn:aws:s3:::inventory-bucket",
  "version": "2016-11-30",
  "creationTimestamp": "1514944800000",
  "fileFormat": "CSV",
  "fileSchema": "Bucket, Key, Size, LastModifiedDate",
  "files": [
    {"key": "inv/src-bucket/cfg/data/one.csv.gz", "size": 2147483647, "MD5checksum": "f11166069f1990abeb9c97ace9cdfabc"},
    {"key": "inv/src-bucket/cfg/data/two.csv", "size": 10, "MD5checksum": "x"}
  ]
})";

}  // namespace

TEST(StepFunctionsInventoryManifest, Parses) {
  auto m = parse_inventory_manifest(kManifest, "manifest-bucket");
  EXPECT_EQ(m.error, "");
  EXPECT_EQ(m.bucket, "inventory-bucket");
  EXPECT_EQ(m.format, "CSV");
  EXPECT_EQ(m.columns, (std::vector<std::string>{"Bucket", "Key", "Size", "LastModifiedDate"}));
  EXPECT_EQ(m.keys, (std::vector<std::string>{"inv/src-bucket/cfg/data/one.csv.gz", "inv/src-bucket/cfg/data/two.csv"}));
  // Without a destinationBucket, the manifest's own bucket.
  json doc = json::parse(kManifest);
  doc.erase("destinationBucket");
  EXPECT_EQ(parse_inventory_manifest(doc.dump(), "manifest-bucket").bucket, "manifest-bucket");
  doc["fileFormat"] = "Parquet";
  doc["fileSchema"] = "message s3.inventory { required binary bucket (UTF8); }";
  auto p = parse_inventory_manifest(doc.dump(), "b");
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.format, "Parquet");
}

TEST(StepFunctionsInventoryManifest, MalformedManifests) {
  auto error = [](const std::string& body) { return parse_inventory_manifest(body, "b").error; };
  EXPECT_EQ(error("not json"), "The manifest is not a JSON object");
  EXPECT_EQ(error("[1]"), "The manifest is not a JSON object");
  json doc = json::parse(kManifest);
  json d = doc;
  d.erase("fileFormat");
  EXPECT_EQ(error(d.dump()), "The manifest has no fileFormat");
  d = doc, d["fileFormat"] = "ORC";
  EXPECT_EQ(error(d.dump()), "The inventory fileFormat ORC is not supported; use CSV or Parquet");
  d = doc, d["files"] = "one.csv";
  EXPECT_EQ(error(d.dump()), "The manifest has no files list");
  d = doc, d["files"] = json::array({{{"size", 1}}});
  EXPECT_EQ(error(d.dump()), "A file of the manifest has no key");
  d = doc, d["fileSchema"] = " , ";
  EXPECT_EQ(error(d.dump()), "The manifest has no fileSchema");
}

TEST(StepFunctionsInventoryManifest, CsvFilesPlainAndGzipped) {
  auto m = parse_inventory_manifest(kManifest, "b");
  std::string csv = "\"src-bucket\",\"data/a.csv\",\"3399671\",\"2022-11-16T00:29:32.000Z\"\n"
                    "\"src-bucket\",\"data/b%20c.csv\",\"10\",\"2022-11-17T00:00:00.000Z\"\n";
  json want = json::parse(R"([
    {"Bucket": "src-bucket", "Key": "data/a.csv", "Size": "3399671", "LastModifiedDate": "2022-11-16T00:29:32.000Z"},
    {"Bucket": "src-bucket", "Key": "data/b%20c.csv", "Size": "10", "LastModifiedDate": "2022-11-17T00:00:00.000Z"}
  ])");
  auto plain = parse_inventory_file(csv, "two.csv", m, static_cast<size_t>(-1));
  EXPECT_EQ(plain.error, "");
  EXPECT_EQ(plain.items, want);
  auto gz = awan::compress::encode(csv, awan::compress::Encoding::gzip);
  ASSERT_TRUE(gz);
  auto zipped = parse_inventory_file(*gz, "one.csv.gz", m, static_cast<size_t>(-1));
  EXPECT_EQ(zipped.error, "");
  EXPECT_EQ(zipped.items, want);
  EXPECT_EQ(parse_inventory_file(*gz, "one.csv.gz", m, 1).items.size(), 1u);
  // A gzip stream cut short.
  EXPECT_EQ(parse_inventory_file(gz->substr(0, gz->size() / 2), "one.csv.gz", m, 10).error,
            "The inventory file one.csv.gz does not decompress (gzip)");
}

TEST(StepFunctionsInventoryManifest, ParquetFiles) {
  json doc = json::parse(kManifest);
  doc["fileFormat"] = "Parquet";
  auto m = parse_inventory_manifest(doc.dump(), "b");
  auto r = parse_inventory_file(fixture("inventory.parquet"), "inv.parquet", m, static_cast<size_t>(-1));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.items, json::parse(R"([
    {"bucket": "src-bucket", "key": "data/a.csv", "size": 10, "last_modified_date": "2024-05-01T00:00:00.000Z"},
    {"bucket": "src-bucket", "key": "data/b.csv", "size": 20, "last_modified_date": "2024-05-02T00:00:00.000Z"}
  ])"));
  EXPECT_EQ(parse_inventory_file("PAR1", "x.parquet", m, 5).error,
            "The inventory file x.parquet is not valid Parquet: the object is not a Parquet file (no PAR1 magic)");
}

TEST(StepFunctionsInventoryManifest, MaxItemsConfig) {
  EXPECT_EQ(reader_max_items(json{{"MaxItems", 3}}), 3u);
  EXPECT_EQ(reader_max_items(json{{"MaxItems", 0}}), static_cast<size_t>(-1));
  EXPECT_EQ(reader_max_items(json::object()), static_cast<size_t>(-1));
  EXPECT_EQ(parse_item_reader("x", "MANIFEST", json::object()).error,
            "mapItemReaderData cannot stand for a MANIFEST's inventory files");
}

TEST(StepFunctionsInventoryManifest, InvalidUtf8BecomesReplacementCharacters) {
  auto m = parse_inventory_manifest(kManifest, "b");
  auto r = parse_inventory_file("\"b\",\"k\xff\",\"1\",\"d\"\n", "f.csv", m, 10);
  EXPECT_EQ(r.items[0]["Key"], "k\xEF\xBF\xBD");
  EXPECT_NO_THROW((void)r.items.dump());
  auto csv = parse_item_reader("h\xC3\n\xff\n", "CSV", json::object());
  EXPECT_EQ(csv.items, json::parse("[{\"h\\ufffd\": \"\\ufffd\"}]"));
}
