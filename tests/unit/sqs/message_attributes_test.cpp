// SQS message attributes: validation rules at and beyond their limits, known-answer MD5s
// (computed independently with Python's hashlib/struct), selection, sizes and body characters.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "sqs/message_attributes.hpp"

using namespace awan::sqs;
using nlohmann::json;

namespace {

// "a<i>" (built by appending: GCC 12 warns falsely on literal + std::to_string).
std::string numbered(int i) {
  std::string name = "a";
  name += std::to_string(i);
  return name;
}

json str_attr(const std::string& type, const std::string& value) {
  return {{"DataType", type}, {"StringValue", value}};
}

MessageAttributes ok(const json& doc) {
  auto r = parse_message_attributes(doc);
  if (auto* err = std::get_if<awan::AwsError>(&r)) ADD_FAILURE() << err->code << ": " << err->message;
  return std::holds_alternative<MessageAttributes>(r) ? std::get<MessageAttributes>(r) : MessageAttributes{};
}

awan::AwsError fails(const json& doc) {
  auto r = parse_message_attributes(doc);
  if (!std::holds_alternative<awan::AwsError>(r)) {
    ADD_FAILURE() << "accepted " << doc.dump();
    return {};
  }
  return std::get<awan::AwsError>(r);
}

}  // namespace

TEST(SqsMessageMd5, BodyKnownAnswers) {
  EXPECT_EQ(md5_of_body("hello"), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(md5_of_body(""), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(SqsMessageMd5, AttributesKnownAnswers) {
  EXPECT_EQ(md5_of_attributes({}), "");
  EXPECT_EQ(md5_of_attributes(ok({{"City", str_attr("String", "Any City")}})), "0c32cb5c844c01fbd5b6b434b52cf670");
  // Sorted by name whatever the input order; Binary with transport byte 2; a custom String type.
  json mixed = {{"Population", str_attr("Number", "1250800")},
                {"City", str_attr("String", "Any City")},
                {"Custom", str_attr("String.json", "{\"a\":1}")},
                {"Blob", {{"DataType", "Binary"}, {"BinaryValue", "AAH/aGk="}}}};
  EXPECT_EQ(md5_of_attributes(ok(mixed)), "49cc356d86c89ce967bab1bbcf9839c2");
  EXPECT_EQ(md5_of_attributes(ok({{"img", {{"DataType", "Binary.gif"}, {"BinaryValue", "R0lGODlh"}}}})),
            "09558020106cf0212b25dd7904bf2dfe");
  EXPECT_EQ(md5_of_attributes(ok({{"name", str_attr("String", "h\xC3\xA9llo \xE2\x82\xAC")}})),
            "2fb98f216ff1a65f1d6bd759724d5974");
}

TEST(SqsMessageMd5, SystemAttributeKnownAnswer) {
  auto r = parse_system_attributes(
      {{"AWSTraceHeader", str_attr("String", "Root=1-5759e988-bd862e3fe1be46a994272793")}});
  ASSERT_TRUE(std::holds_alternative<MessageAttributes>(r));
  EXPECT_EQ(md5_of_attributes(std::get<MessageAttributes>(r)), "62a56dd927315f2b2e12832b84617ea5");
}

TEST(SqsMessageAttributes, ParsesAndSorts) {
  auto attrs = ok({{"b", str_attr("String", "x")}, {"a", {{"DataType", "Binary"}, {"BinaryValue", "AAH/aGk="}}}});
  ASSERT_EQ(attrs.size(), 2u);
  EXPECT_EQ(attrs[0].first, "a");
  EXPECT_TRUE(attrs[0].second.is_binary());
  EXPECT_EQ(attrs[0].second.binary_value, std::string("\x00\x01\xffhi", 5));
  EXPECT_EQ(attrs[1].first, "b");
  EXPECT_FALSE(attrs[1].second.is_binary());
  EXPECT_TRUE(ok(json(nullptr)).empty());
  EXPECT_TRUE(ok(json::object()).empty());
}

TEST(SqsMessageAttributes, CountLimit) {
  json ten = json::object();
  for (int i = 0; i < 10; ++i) ten[numbered(i)] = str_attr("String", "v");
  EXPECT_EQ(ok(ten).size(), 10u);
  for (int n : {11, 12, 25}) {
    json doc = ten;
    for (int i = 10; i < n; ++i) doc[numbered(i)] = str_attr("String", "v");
    auto err = fails(doc);
    EXPECT_EQ(err.code, "InvalidParameterValue");
    EXPECT_EQ(err.message, "Number of message attributes [" + std::to_string(n) + "] exceeds the allowed maximum [10].");
  }
}

TEST(SqsMessageAttributes, NameRules) {
  const std::string chars =
      "Message (user) attributes name can only contain upper and lower score characters, digits, periods, "
      "hyphens and underscores. ";
  const std::string reserved =
      "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are reserved for "
      "internal use. Additionally, they cannot start or end with '.'.";
  struct Case {
    std::string name;
    std::string message;  // "" = accepted
  };
  const Case cases[] = {
      {"AWS.trace", reserved},
      {"aws.trace", reserved},
      {"AwS.trace", reserved},
      {"Amazon.trace", reserved},
      {"AMAZON.trace", reserved},
      {".trace", reserved},
      {"trace.", reserved},
      {"trace..id", "Message (user) attribute name must not have successive '.' characters."},
      {"trace id", chars},
      {"trace@id", chars},
      {"trace:id", chars},
      {"trace\xC3\x80id", chars},
      {"", "The request must contain non-empty message attribute name."},
      {std::string(257, 'a'), "Message (user) attribute names must be shorter than 256 Bytes"},
      {std::string(256, 'a'), ""},
      {"AWSfoo", ""},
      {"amazonfoo", ""},
      {"aws-foo", ""},
      {"trace.id", ""},
      {"Foo_Bar-1.2", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    json doc = {{c.name, str_attr("String", "v")}};
    if (c.message.empty()) {
      EXPECT_EQ(ok(doc).size(), 1u);
    } else {
      auto err = fails(doc);
      EXPECT_EQ(err.code, "InvalidParameterValue");
      EXPECT_EQ(err.message, c.message);
    }
  }
}

TEST(SqsMessageAttributes, DataTypes) {
  const std::string bad_type =
      "The type of message (user) attribute 'attr' is invalid. You must use only the following supported type "
      "prefixes: Binary, Number, String.";
  struct Case {
    json value;
    std::string message;  // "" = accepted
  };
  const Case cases[] = {
      {str_attr("String", "v"), ""},
      {str_attr("Number", "1"), ""},
      {str_attr("Number.java.lang.Long", "1"), ""},
      {str_attr("String.json", "{}"), ""},
      {{{"DataType", "Binary.gif"}, {"BinaryValue", "R0lGODlh"}}, ""},
      {str_attr("String." + std::string(249, 'a'), "v"), ""},  // 256 characters
      {str_attr("String." + std::string(250, 'a'), "v"), "Message (user) attribute types must be shorter than 256 Bytes"},
      {str_attr("Str", "v"), bad_type},
      {str_attr("string", "v"), bad_type},
      {str_attr("int", "1"), bad_type},
      {str_attr("String.", "v"), bad_type},
      {str_attr("Stringx", "v"), bad_type},
      {str_attr("", "v"), "The message (user) attribute 'attr' must contain non-empty message attribute type."},
      {{{"StringValue", "v"}}, "The message (user) attribute 'attr' must contain non-empty message attribute type."},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.value.dump());
    json doc = {{"attr", c.value}};
    if (c.message.empty()) {
      EXPECT_EQ(ok(doc).size(), 1u);
    } else {
      auto err = fails(doc);
      EXPECT_EQ(err.code, "InvalidParameterValue");
      EXPECT_EQ(err.message, c.message);
    }
  }
}

TEST(SqsMessageAttributes, EmptyAndMissingValues) {
  EXPECT_EQ(fails({{"tracestate", str_attr("String", "")}}).message,
            "Message (user) attribute 'tracestate' must contain a non-empty value of type 'String'.");
  EXPECT_EQ(fails({{"n", {{"DataType", "Number"}}}}).message,
            "Message (user) attribute 'n' must contain a non-empty value of type 'Number'.");
  EXPECT_EQ(fails({{"b", {{"DataType", "Binary"}, {"BinaryValue", ""}}}}).message,
            "Message (user) attribute 'b' must contain a non-empty value of type 'Binary'.");
  EXPECT_EQ(fails({{"b", {{"DataType", "Binary"}, {"StringValue", "x"}}}}).message,
            "Message (user) attribute 'b' must contain a non-empty value of type 'Binary'.");
  EXPECT_EQ(fails({{"s", {{"DataType", "String"}, {"StringValue", "x"}, {"BinaryValue", "AA=="}}}}).message,
            "Message (user) attribute 's' must have a single value.");
  auto list = fails({{"s", {{"DataType", "String"}, {"StringListValues", {"a"}}}}});
  EXPECT_EQ(list.code, "InvalidParameterValue");
  EXPECT_NE(list.message.find("StringListValues"), std::string::npos);
  EXPECT_EQ(ok({{"s", {{"DataType", "String"}, {"StringValue", "x"}, {"StringListValues", json::array()}}}}).size(), 1u);
}

TEST(SqsMessageAttributes, NumberValues) {
  const std::string cast = "Can't cast the value of message (user) attribute 'Age' to a number.";
  const std::string max = "1" + std::string(126, '0');
  const std::string min = "-1" + std::string(128, '0');
  struct Case {
    std::string value;
    std::string message;
  };
  const Case cases[] = {
      {"42", ""}, {"-42", ""}, {"+42", ""}, {"3.14159", ""}, {"007", ""}, {"42.", ""}, {".5", ""}, {"1e5", ""},
      {"1.5e-10", ""}, {"0", ""}, {"-0.0", ""}, {std::string(38, '9'), ""}, {max, ""}, {min, ""},
      {"1e126", ""}, {"0.1e127", ""}, {"-1e128", ""}, {"1e-999999999999", ""},
      {"abc", cast}, {"-", cast}, {".", cast}, {"1.2.3", cast}, {"42abc", cast}, {"4 2", cast}, {"1,000", cast},
      {"0x1f", cast}, {"1_000", cast}, {"1e", cast}, {"1e+", cast}, {"Inf", cast}, {"NaN", cast}, {" 1", cast},
      {"2" + std::string(126, '0'), "Number attribute value 2" + std::string(126, '0') +
                                        " should be in range (-10**128..10**126)"},
      {"1" + std::string(126, '0') + ".1", "Number attribute value 1" + std::string(126, '0') +
                                                ".1 should be in range (-10**128..10**126)"},
      {"1e127", "Number attribute value 1e127 should be in range (-10**128..10**126)"},
      {"-1.1e128", "Number attribute value -1.1e128 should be in range (-10**128..10**126)"},
      {"1e999999999999", "Number attribute value 1e999999999999 should be in range (-10**128..10**126)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.value);
    json doc = {{"Age", str_attr("Number", c.value)}};
    if (c.message.empty()) {
      EXPECT_EQ(ok(doc).size(), 1u);
    } else {
      auto err = fails(doc);
      EXPECT_EQ(err.code, "InvalidParameterValue");
      EXPECT_EQ(err.message, c.message);
    }
  }
  EXPECT_NE(fails({{"n", str_attr("Number.int", "2e126")}}).message.find("should be in range"), std::string::npos);
}

TEST(SqsMessageAttributes, StringValueCharacters) {
  auto err = fails({{"s", str_attr("String", std::string("a\x01", 2))}});
  EXPECT_EQ(err.code, "InvalidParameterValue");
  EXPECT_NE(err.message.find("Invalid characters found"), std::string::npos);
  EXPECT_EQ(fails({{"s", str_attr("String", "\xC3")}}).code, "InvalidParameterValue");
  EXPECT_EQ(ok({{"s", str_attr("String", "tab\tnl\n\xF0\x9F\x98\x80")}}).size(), 1u);
}

TEST(SqsMessageAttributes, MalformedDocuments) {
  for (const json& doc : {json("x"), json(5), json::array({1}), json(true)}) {
    SCOPED_TRACE(doc.dump());
    EXPECT_EQ(fails(doc).code, "SerializationException");
  }
  const json bad_values[] = {
      json("String"),
      json::array(),
      {{"DataType", 5}, {"StringValue", "x"}},
      {{"DataType", "String"}, {"StringValue", 5}},
      {{"DataType", "String"}, {"StringValue", {{"a", 1}}}},
      {{"DataType", "Binary"}, {"BinaryValue", 5}},
      {{"DataType", "Binary"}, {"BinaryValue", "not base64!"}},
      {{"DataType", "Binary"}, {"BinaryValue", "A"}},
  };
  for (const auto& v : bad_values) {
    SCOPED_TRACE(v.dump());
    EXPECT_EQ(fails({{"attr", v}}).code, "SerializationException");
  }
}

TEST(SqsMessageAttributes, SystemAttributes) {
  auto ok_r = parse_system_attributes({{"AWSTraceHeader", str_attr("String", "Root=1-a-b")}});
  ASSERT_TRUE(std::holds_alternative<MessageAttributes>(ok_r));
  EXPECT_EQ(std::get<MessageAttributes>(ok_r).size(), 1u);
  auto other = parse_system_attributes({{"Other", str_attr("String", "x")}});
  ASSERT_TRUE(std::holds_alternative<awan::AwsError>(other));
  EXPECT_EQ(std::get<awan::AwsError>(other).message, "Message system attribute name 'Other' is invalid.");
  auto typed = parse_system_attributes({{"AWSTraceHeader", str_attr("Number", "1")}});
  ASSERT_TRUE(std::holds_alternative<awan::AwsError>(typed));
  EXPECT_EQ(std::get<awan::AwsError>(typed).code, "InvalidParameterValue");
  auto empty = parse_system_attributes({{"AWSTraceHeader", str_attr("String", "")}});
  ASSERT_TRUE(std::holds_alternative<awan::AwsError>(empty));
  EXPECT_EQ(std::get<awan::AwsError>(empty).message,
            "Message system attribute 'AWSTraceHeader' must contain a non-empty value of type 'String'.");
}

TEST(SqsMessageAttributes, Selection) {
  struct Case {
    const char* pattern;
    const char* name;
    bool selected;
  };
  const Case cases[] = {
      {"All", "x", true},          {".*", "x", true},           {"bar.*", "bar.baz", true},
      {"bar.*", "bar", false},     {"bar.*", "barbaz", false},  {"bar.*", "bar.", true},
      {"City", "City", true},      {"City", "city", false},     {"City", "City2", false},
      {"all", "x", false},
  };
  for (const auto& c : cases) EXPECT_EQ(selects(c.pattern, c.name), c.selected) << c.pattern << " " << c.name;
}

TEST(SqsMessageAttributes, ToDocumentRoundTrips) {
  json doc = {{"a.one", str_attr("String", "1")},
              {"b", {{"DataType", "Binary.gif"}, {"BinaryValue", "R0lGODlh"}}},
              {"c", str_attr("Number", "3")}};
  auto attrs = ok(doc);
  EXPECT_EQ(to_document(attrs), doc);
  std::vector<std::string> sel = {"a.*", "c"};
  json picked = to_document(attrs, &sel);
  EXPECT_EQ(picked, json({{"a.one", doc["a.one"]}, {"c", doc["c"]}}));
  std::vector<std::string> none = {"zzz"};
  EXPECT_EQ(to_document(attrs, &none), json::object());
}

TEST(SqsMessageAttributes, Size) {
  auto attrs = ok({{"City", str_attr("String", "Any City")}, {"b", {{"DataType", "Binary"}, {"BinaryValue", "AAH/aGk="}}}});
  EXPECT_EQ(attributes_size(attrs), (4u + 6u + 8u) + (1u + 6u + 5u));
  EXPECT_EQ(attributes_size({}), 0u);
}

TEST(SqsMessageBody, Characters) {
  const std::string accepted[] = {
      "",
      "hello",
      "\t\n\r",
      "\xED\x9F\xBF",      // U+D7FF
      "\xEE\x80\x80",      // U+E000
      "\xEF\xBF\xBD",      // U+FFFD
      "\xF0\x90\x80\x80",  // U+10000
      "\xF4\x8F\xBF\xBF",  // U+10FFFF
  };
  for (const auto& body : accepted) EXPECT_FALSE(check_message_body(body)) << body;
  const std::string refused[] = {
      std::string("\0", 1),
      "\x1F",
      "\x0B",
      "\xEF\xBF\xBE",      // U+FFFE
      "\xEF\xBF\xBF",      // U+FFFF
      "\xED\xA0\x80",      // an encoded surrogate
      "\xC0\xAF",          // overlong
      "\xE0\x80\xAF",      // overlong
      "\xF4\x90\x80\x80",  // beyond U+10FFFF
      "\xC3",              // truncated
      "\x80",              // a lone continuation byte
      "\xFF",
      "ok\xE2\x82",
  };
  for (const auto& body : refused) {
    auto err = check_message_body(body);
    ASSERT_TRUE(err) << testing::PrintToString(body);
    EXPECT_EQ(err->code, "InvalidMessageContents");
    EXPECT_EQ(err->message,
              "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to "
              "#xFFFD | #x10000 to #x10FFFF");
  }
}
