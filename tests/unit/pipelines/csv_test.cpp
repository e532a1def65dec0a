// The inventory pipeline's CSV reading: RFC 4180 records, BOM, CRLF, blank lines, quoted
// fields; inventory rows by header names in any order; rows skipped with their reasons.
#include <gtest/gtest.h>

#include "pipelines/inventory/csv.hpp"

namespace awan::pipelines::inventory {
namespace {

std::vector<std::vector<std::string>> fields(std::string_view text) {
  std::vector<std::vector<std::string>> out;
  for (auto& r : read_csv(text)) out.push_back(r.fields);
  return out;
}

TEST(Csv, RecordsAsRfc4180ReadsThem) {
  using V = std::vector<std::vector<std::string>>;
  EXPECT_EQ(fields("a,b\n1,2\n"), (V{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(fields("a,b\r\n1,2"), (V{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(fields("\xEF\xBB\xBF" "a,b\n"), (V{{"a", "b"}}));
  EXPECT_EQ(fields("a\n\n\r\n b \n"), (V{{"a"}, {"b"}}));
  EXPECT_EQ(fields("\"x, y\",\"say \"\"hi\"\"\"\n"), (V{{"x, y", "say \"hi\""}}));
  EXPECT_EQ(fields("\"two\nlines\",z\n"), (V{{"two\nlines", "z"}}));
  EXPECT_EQ(fields("a,,c\n"), (V{{"a", "", "c"}}));
  EXPECT_EQ(fields("\"\"\n"), (V{{""}}));  // a quoted empty field is not a blank line
  EXPECT_EQ(fields("a,b\r1,2\r"), (V{{"a", "b"}, {"1", "2"}}));
  auto r = read_csv("a\n\"open,b\nc\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].line, 2u);
  EXPECT_EQ(r[1].error, "unterminated quoted field");
  std::string wide(3000, ',');
  auto w = read_csv(wide + "\n");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].fields.size(), 1024u);
  EXPECT_EQ(w[0].error, "more than 1024 fields");
}

TEST(Csv, InventoryRowsByHeaderNames) {
  InventoryFile f = parse_inventory("Count , ITEM,store\n3,Socks,Berlin\n0,\"Hats, red\",Paris\n");
  ASSERT_TRUE(f.error.empty()) << f.error;
  ASSERT_EQ(f.rows.size(), 2u);
  EXPECT_EQ(f.rows[0].store, "Berlin");
  EXPECT_EQ(f.rows[0].item, "Socks");
  EXPECT_EQ(f.rows[0].count, 3);
  EXPECT_EQ(f.rows[1].item, "Hats, red");
  EXPECT_EQ(f.rows[1].count, 0);
  EXPECT_EQ(f.rows[1].line, 3u);
}

TEST(Csv, BadRowsAreSkippedWithReasons) {
  InventoryFile f = parse_inventory(
      "store,item,count\n"
      "Berlin,Socks,5\n"
      ",Hats,1\n"
      "Paris,,1\n"
      "Rome,Shoes,many\n"
      "Oslo,Gloves,1.5\n"
      "Lima,Scarf\n"
      "Kyiv,Mittens, 7 \n"
      "Rio,\"open\n");
  ASSERT_TRUE(f.error.empty());
  ASSERT_EQ(f.rows.size(), 2u);
  EXPECT_EQ(f.rows[1].store, "Kyiv");
  EXPECT_EQ(f.rows[1].count, 7);
  std::vector<std::string> want = {"line 3: no store", "line 4: no item", "line 5: count 'many' is not an integer",
                                   "line 6: count '1.5' is not an integer", "line 7: expected at least 3 fields, found 2",
                                   "line 9: unterminated quoted field"};
  EXPECT_EQ(f.skipped, want);
}

TEST(Csv, FilesWithoutTheColumnsAreRefusedWhole) {
  EXPECT_EQ(parse_inventory("").error, "the file is empty");
  EXPECT_EQ(parse_inventory("\n\n").error, "the file is empty");
  EXPECT_EQ(parse_inventory("store,item\nBerlin,Socks\n").error,
            "the header (line 1) must name the columns store, item and count");
  InventoryFile f = parse_inventory(std::string(3000, 'x') + "," + std::string(2000, 'y') + ",1\n");
  EXPECT_FALSE(f.error.empty());
  f = parse_inventory("store,item,count\n" + std::string(3000, 'x') + ",i,1\n");
  EXPECT_EQ(f.skipped.size(), 1u);
}

}  // namespace
}  // namespace awan::pipelines::inventory
