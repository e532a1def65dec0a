#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "core/timefmt.hpp"

using namespace awan;
using std::chrono::seconds;

namespace {
timefmt::time_point at(int64_t s) { return timefmt::time_point{seconds(s)}; }
}  // namespace

TEST(TimeFmt, Formats) {
  auto t = at(1440938160);  // 2015-08-30T12:36:00Z
  EXPECT_EQ(timefmt::iso8601(t), "2015-08-30T12:36:00Z");
  EXPECT_EQ(timefmt::iso8601(t + std::chrono::milliseconds(7), true), "2015-08-30T12:36:00.007Z");
  EXPECT_EQ(timefmt::amz_date(t), "20150830T123600Z");
  EXPECT_EQ(timefmt::http_date(t), "Sun, 30 Aug 2015 12:36:00 GMT");
}

TEST(TimeFmt, ParsesIso8601Variants) {
  EXPECT_EQ(timefmt::parse_iso8601("2015-08-30T12:36:00Z"), at(1440938160));
  EXPECT_EQ(timefmt::parse_iso8601("2015-08-30T14:36:00+02:00"), at(1440938160));
  EXPECT_EQ(timefmt::parse_iso8601("2015-08-30"), at(1440892800));
  auto frac = timefmt::parse_iso8601("2015-08-30T12:36:00.5Z");
  ASSERT_TRUE(frac);
  EXPECT_DOUBLE_EQ(timefmt::epoch_seconds(*frac), 1440938160.5);
}

TEST(TimeFmt, RejectsMalformed) {
  for (const char* s : {"", "2015", "2015-13-01", "2015-08-30T25:00:00Z", "2015-08-30T12:36:00Zjunk",
                        "2015-08-30X12:36:00Z", "2015-08-30T12:36:00."}) {
    EXPECT_FALSE(timefmt::parse_iso8601(s).has_value()) << s;
  }
  EXPECT_FALSE(timefmt::parse_amz_date("20150830T123600").has_value());
  EXPECT_FALSE(timefmt::parse_amz_date("2015083OT123600Z").has_value());
  EXPECT_EQ(timefmt::parse_amz_date("20150830T123600Z"), at(1440938160));
  EXPECT_EQ(timefmt::parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"), at(1440938160));
  EXPECT_FALSE(timefmt::parse_http_date("Sun, 30 Foo 2015 12:36:00 GMT").has_value());
}

// Found by fuzzing: years the clock cannot represent overflowed instead of failing to parse.
TEST(TimeFmt, RejectsTimesTheClockCannotRepresent) {
  EXPECT_FALSE(timefmt::parse_amz_date("40520202T000000Z").has_value());
  EXPECT_FALSE(timefmt::parse_amz_date("00010101T000000Z").has_value());
  EXPECT_FALSE(timefmt::parse_iso8601("9999-12-31T23:59:59Z").has_value());
  EXPECT_FALSE(timefmt::parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT").has_value());
  EXPECT_TRUE(timefmt::parse_amz_date("22600101T000000Z").has_value());
  EXPECT_TRUE(timefmt::parse_iso8601("1700-01-01T00:00:00Z").has_value());
}

// The hand-written digits give what strftime gives (C locale), before 1970 too.
TEST(TimeFmt, FormatsAsStrftimeDoes) {
  for (int64_t secs = -2'000'000'000; secs < 7'000'000'000; secs += 86'399'937) {
    for (int64_t ms : {0, 7, 999}) {
      auto t = timefmt::time_point{std::chrono::seconds(secs) + std::chrono::milliseconds(ms)};
      std::time_t tt = secs;
      std::tm tm{};
      gmtime_r(&tt, &tm);
      char want[64];
      std::strftime(want, sizeof want, "%a, %d %b %Y %H:%M:%S GMT", &tm);
      EXPECT_EQ(timefmt::http_date(t), want) << secs;
      std::strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
      EXPECT_EQ(timefmt::iso8601(t), want) << secs;
      std::string with_ms = timefmt::iso8601(t, true);
      EXPECT_EQ(with_ms.substr(0, 19) + with_ms.substr(23), want) << secs;
      EXPECT_EQ(with_ms.substr(19, 4), ms == 0 ? ".000" : ms == 7 ? ".007" : ".999") << secs;
    }
  }
}
