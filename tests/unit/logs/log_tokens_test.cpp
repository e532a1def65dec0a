// The 56-digit event ids and the f/ b/ tokens of GetLogEvents: round trips and refusals.
#include <gtest/gtest.h>

#include "logs/log_tokens.hpp"

namespace awan::logs {
namespace {

TEST(LogTokens, EventIdsRoundTrip) {
  Cursor c{1'700'000'000'123, 42};
  std::string id = event_id(c);
  EXPECT_EQ(id.size(), 56u);
  auto back = parse_event_id(id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->timestamp, c.timestamp);
  EXPECT_EQ(back->seq, c.seq);
  EXPECT_LT(event_id({5, 9}), event_id({6, 1}));  // ids sort in time order
}

TEST(LogTokens, PositionTokens) {
  std::string f = position_token({true, {7, 8}});
  EXPECT_EQ(f.substr(0, 2), "f/");
  EXPECT_EQ(f.size(), 58u);
  auto t = parse_position_token(position_token({false, {INT64_MAX, INT64_MAX}}));
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->forward);
  EXPECT_EQ(t->at.timestamp, INT64_MAX);
  for (const char* bad : {"", "f/", "x/00000000000000000000000000000000000000000000000000000000",
                          "f/9999999999999999999000000000000000000000000000000000000",
                          "f/99999999999999999990000000000000000000000000000000000000",
                          "f/000000000000000000a000000000000000000000000000000000000000"})
    EXPECT_FALSE(parse_position_token(bad)) << bad;
  EXPECT_EQ(sequence_token(3).size(), 56u);
}

}  // namespace
}  // namespace awan::logs
