// core/text's UTF-8 scanning: where the first ill-formed byte is (and whether it breaks a
// sequence in its middle), the lossy repair, and header values read as ISO-8859-1.
#include <gtest/gtest.h>

#include "core/text.hpp"

using namespace awan;

TEST(TextUtf8, FirstIllFormedByte) {
  bool middle = true;
  EXPECT_EQ(text::invalid_utf8_at("plain h\xC3\xA9llo \xF0\x9F\x99\x82", middle), std::string_view::npos);
  EXPECT_EQ(text::invalid_utf8_at("ab\xFF", middle), 2u);
  EXPECT_FALSE(middle);  // not a start byte
  EXPECT_EQ(text::invalid_utf8_at("a\xC3" "A", middle), 2u);
  EXPECT_TRUE(middle);  // a wrong continuation byte
  EXPECT_EQ(text::invalid_utf8_at("a\xE2\x82", middle), 3u);
  EXPECT_FALSE(middle);  // cut off by the end
  EXPECT_EQ(text::invalid_utf8_at("\xED\xA0\x80", middle), 1u);  // a surrogate
  EXPECT_TRUE(middle);
  EXPECT_EQ(text::invalid_utf8_at("\xE0\x80\x80", middle), 1u);  // overlong
}

TEST(TextUtf8, LossyRepairAndHeaderText) {
  EXPECT_EQ(text::lossy_utf8("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(text::lossy_utf8("a\xE2\x82"), "a\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(text::header_text("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(text::header_text("caf\xE9"), "caf\xC3\xA9");
}
