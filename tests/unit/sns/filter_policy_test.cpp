// SNS filter policies: tables of (policy, message, match?) for every operator on MessageAttributes
// (String, String.Array, Number, Binary) and on the JSON body, $or, limits, and malformed policies
// with AWS's exact InvalidParameter messages.
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "sns/filter_policy.hpp"

using namespace awan::sns;
using nlohmann::json;

namespace {

json typed(const char* type, const std::string& value) { return {{"DataType", type}, {"StringValue", value}}; }
json S(const std::string& v) { return typed("String", v); }
json N(const std::string& v) { return typed("Number", v); }
json A(const std::string& v) { return typed("String.Array", v); }
json B() { return {{"DataType", "Binary"}, {"BinaryValue", "AAEC"}}; }

FilterPolicy parse_ok(const std::string& text, FilterScope scope) {
  auto r = parse_filter_policy(text, scope);
  if (auto* e = std::get_if<awan::AwsError>(&r)) {
    ADD_FAILURE() << "rejected " << text << ": " << e->message;
    return FilterPolicy();
  }
  return std::move(std::get<FilterPolicy>(r));
}

struct AttributeCase {
  std::string policy;
  json attributes;
  bool expected;
};

std::string show(const AttributeCase& c) { return c.policy + " on " + c.attributes.dump(); }

const std::vector<AttributeCase> kAttributeCases = {
    // exact strings; the values of a key are ORed
    {R"({"store": ["example_corp"]})", {{"store", S("example_corp")}}, true},
    {R"({"store": ["example_corp"]})", {{"store", S("Example_Corp")}}, false},
    {R"({"store": ["a", "b"]})", {{"store", S("b")}}, true},
    {R"({"store": ["a", "b"]})", {{"store", S("c")}}, false},
    {R"({"store": ["a"]})", json::object(), false},
    {R"({"store": ["a"]})", {{"other", S("a")}}, false},
    {R"({"store": ["a"]})", {{"store", typed("String.custom", "a")}}, true},
    // keys are ANDed
    {R"({"store": ["a"], "event": ["order"]})", {{"store", S("a")}, {"event", S("order")}}, true},
    {R"({"store": ["a"], "event": ["order"]})", {{"store", S("a")}, {"event", S("refund")}}, false},
    {R"({"store": ["a"], "event": ["order"]})", {{"store", S("a")}}, false},
    // String.Array: each element on its own
    {R"({"interests": ["rugby", "tennis"]})", {{"interests", A(R"(["rugby", "tennis"])")}}, true},
    {R"({"interests": ["rugby"]})", {{"interests", A(R"(["baseball", "rugby"])")}}, true},
    {R"({"interests": ["rugby"]})", {{"interests", A(R"(["baseball"])")}}, false},
    {R"({"interests": ["rugby"]})", {{"interests", A("[]")}}, false},
    {R"({"interests": ["rugby"]})", {{"interests", A("not json")}}, false},
    {R"({"interests": ["rugby"]})", {{"interests", A(R"("rugby")")}}, false},
    {R"({"interests": [5]})", {{"interests", A("[5, \"x\"]")}}, true},
    {R"({"interests": ["5"]})", {{"interests", A("[5]")}}, false},
    {R"({"interests": [true]})", {{"interests", A("[true]")}}, true},
    {R"({"interests": [null]})", {{"interests", A("[null]")}}, true},
    {R"({"interests": [{"prefix": "ru"}]})", {{"interests", A(R"(["x", "rugby"])")}}, true},
    {R"({"interests": [{"anything-but": ["rugby", "tennis"]}]})", {{"interests", A(R"(["rugby", "baseball"])")}}, true},
    {R"({"interests": [{"anything-but": ["rugby", "tennis"]}]})", {{"interests", A(R"(["rugby", "tennis"])")}}, false},
    // numbers: numeric equality, and strings never equal numbers
    {R"({"price": [5]})", {{"price", N("5")}}, true},
    {R"({"price": [5]})", {{"price", N("5.0")}}, true},
    {R"({"price": [5.0]})", {{"price", N("5")}}, true},
    {R"({"price": [5]})", {{"price", N("5.000001")}}, true},  // five decimal places
    {R"({"price": [5]})", {{"price", N("5.0001")}}, false},
    {R"({"price": [5]})", {{"price", S("5")}}, false},
    {R"({"price": ["5"]})", {{"price", N("5")}}, false},
    {R"({"price": [-0.5]})", {{"price", N("-0.5")}}, true},
    {R"({"price": [5]})", {{"price", N("five")}}, false},
    {R"({"price": [5]})", {{"price", N("1e400")}}, false},
    {R"({"price": [1000000000]})", {{"price", N("1000000000")}}, true},
    {R"({"price": [{"numeric": [">", 100]}]})", {{"price", N("1e12")}}, false},
    // numeric ranges
    {R"({"price": [{"numeric": [">", 0, "<=", 150]}]})", {{"price", N("150")}}, true},
    {R"({"price": [{"numeric": [">", 0, "<=", 150]}]})", {{"price", N("0")}}, false},
    {R"({"price": [{"numeric": [">", 0, "<=", 150]}]})", {{"price", N("150.00001")}}, false},
    {R"({"price": [{"numeric": [">=", 0, "<", 150]}]})", {{"price", N("0")}}, true},
    {R"({"price": [{"numeric": [">=", 0, "<", 150]}]})", {{"price", N("150")}}, false},
    {R"({"price": [{"numeric": ["<", 0]}]})", {{"price", N("-1")}}, true},
    {R"({"price": [{"numeric": ["<", 0]}]})", {{"price", N("0")}}, false},
    {R"({"price": [{"numeric": ["<=", 0]}]})", {{"price", N("0")}}, true},
    {R"({"price": [{"numeric": ["=", 301.5]}]})", {{"price", N("301.50")}}, true},
    {R"({"price": [{"numeric": ["=", 301.5]}]})", {{"price", N("301.6")}}, false},
    {R"({"price": [{"numeric": [">", 10]}]})", {{"price", S("20")}}, false},
    {R"({"price": [{"numeric": ["<", 0]}, {"numeric": [">=", 10]}]})", {{"price", N("12")}}, true},
    {R"({"price": [{"numeric": ["<", 0]}, {"numeric": [">=", 10]}]})", {{"price", N("5")}}, false},
    // prefix, suffix, equals-ignore-case
    {R"({"customer": [{"prefix": "bas"}]})", {{"customer", S("baseball")}}, true},
    {R"({"customer": [{"prefix": "bas"}]})", {{"customer", S("rugby")}}, false},
    {R"({"customer": [{"prefix": ""}]})", {{"customer", S("anything")}}, true},
    {R"({"price": [{"prefix": "1"}]})", {{"price", N("100")}}, false},
    {R"({"customer": [{"suffix": "ball"}]})", {{"customer", S("baseball")}}, true},
    {R"({"customer": [{"suffix": "ball"}]})", {{"customer", S("ballet")}}, false},
    {R"({"customer": [{"equals-ignore-case": "RUGBY"}]})", {{"customer", S("rugby")}}, true},
    {R"({"customer": [{"equals-ignore-case": "RUGBY"}]})", {{"customer", S("rugbys")}}, false},
    // anything-but: strings, numbers, prefix, suffix
    {R"({"customer": [{"anything-but": ["rugby", "tennis"]}]})", {{"customer", S("baseball")}}, true},
    {R"({"customer": [{"anything-but": ["rugby", "tennis"]}]})", {{"customer", S("rugby")}}, false},
    {R"({"customer": [{"anything-but": "rugby"}]})", {{"customer", S("rugby")}}, false},
    {R"({"customer": [{"anything-but": "rugby"}]})", {{"customer", S("football")}}, true},
    {R"({"customer": [{"anything-but": "rugby"}]})", json::object(), false},
    {R"({"price": [{"anything-but": [100, 500]}]})", {{"price", N("100.0")}}, false},
    {R"({"price": [{"anything-but": [100, 500]}]})", {{"price", N("101")}}, true},
    {R"({"price": [{"anything-but": 100}]})", {{"price", N("100")}}, false},
    {R"({"price": [{"anything-but": [100]}]})", {{"price", S("100")}}, true},
    {R"({"customer": [{"anything-but": {"prefix": "bas"}}]})", {{"customer", S("baseball")}}, false},
    {R"({"customer": [{"anything-but": {"prefix": "bas"}}]})", {{"customer", S("rugby")}}, true},
    {R"({"customer": [{"anything-but": {"prefix": "bas"}}]})", {{"customer", N("1")}}, false},
    {R"({"customer": [{"anything-but": {"suffix": "ball"}}]})", {{"customer", S("football")}}, false},
    {R"({"customer": [{"anything-but": {"suffix": "ball"}}]})", {{"customer", S("rugby")}}, true},
    // exists, and anything-but with exists false
    {R"({"store": [{"exists": true}]})", {{"store", S("x")}}, true},
    {R"({"store": [{"exists": true}]})", {{"store", N("1")}}, true},
    {R"({"store": [{"exists": true}]})", json::object(), false},
    {R"({"store": [{"exists": false}]})", json::object(), true},
    {R"({"store": [{"exists": false}]})", {{"store", S("x")}}, false},
    {R"({"store": [{"exists": true}]})", {{"store", B()}}, false},  // Binary attributes are ignored
    {R"({"store": [{"exists": false}]})", {{"store", B()}}, true},
    {R"({"store": ["AAEC"]})", {{"store", B()}}, false},
    {R"({"store": [{"anything-but": "x"}, {"exists": false}]})", json::object(), true},
    {R"({"store": [{"anything-but": "x"}, {"exists": false}]})", {{"store", S("x")}}, false},
    {R"({"store": [{"anything-but": "x"}, {"exists": false}]})", {{"store", S("y")}}, true},
    // cidr, IPv4 and IPv6
    {R"({"source_ip": [{"cidr": "10.0.0.0/24"}]})", {{"source_ip", S("10.0.0.255")}}, true},
    {R"({"source_ip": [{"cidr": "10.0.0.0/24"}]})", {{"source_ip", S("10.0.1.0")}}, false},
    {R"({"source_ip": [{"cidr": "10.0.0.0/24"}]})", {{"source_ip", S("not an ip")}}, false},
    {R"({"source_ip": [{"cidr": "10.0.0.0/24"}]})", {{"source_ip", S("::ffff:10.0.0.1")}}, false},
    {R"({"source_ip": [{"cidr": "10.1.2.3/32"}]})", {{"source_ip", S("10.1.2.3")}}, true},
    {R"({"source_ip": [{"cidr": "0.0.0.0/0"}]})", {{"source_ip", S("192.168.1.1")}}, true},
    {R"({"source_ip": [{"cidr": "2001:db8::/32"}]})", {{"source_ip", S("2001:db8:ffff::1")}}, true},
    {R"({"source_ip": [{"cidr": "2001:db8::/32"}]})", {{"source_ip", S("2001:db9::1")}}, false},
    {R"({"source_ip": [{"cidr": "2001:db8::/33"}]})", {{"source_ip", S("2001:db8:8000::1")}}, false},
    // true / false / null literals only equal their own kind
    {R"({"flag": [true]})", {{"flag", S("true")}}, false},
    {R"({"flag": [null]})", {{"flag", S("null")}}, false},
    // $or, alone, beside keys, and "$or" that is an ordinary key
    {R"({"source": ["cw"], "$or": [{"metric": ["CPU"]}, {"ns": ["EC2"]}]})", {{"source", S("cw")}, {"ns", S("EC2")}}, true},
    {R"({"source": ["cw"], "$or": [{"metric": ["CPU"]}, {"ns": ["EC2"]}]})", {{"source", S("cw")}, {"metric", S("CPU")}}, true},
    {R"({"source": ["cw"], "$or": [{"metric": ["CPU"]}, {"ns": ["EC2"]}]})", {{"source", S("cw")}}, false},
    {R"({"source": ["cw"], "$or": [{"metric": ["CPU"]}, {"ns": ["EC2"]}]})", {{"ns", S("EC2")}}, false},
    {R"({"$or": [{"a": ["1"]}, {"$or": [{"b": ["2"]}, {"c": ["3"]}]}]})", {{"c", S("3")}}, true},
    {R"({"$or": [{"a": ["1"]}, {"$or": [{"b": ["2"]}, {"c": ["3"]}]}]})", {{"d", S("3")}}, false},
    {R"({"$or": ["x", "y"]})", {{"$or", S("y")}}, true},
    {R"({"$or": ["x", "y"]})", {{"a", S("x")}}, false},
    // wrong shapes never match and never throw
    {R"({"a": ["x"]})", json::array({1, 2}), false},
    {R"({"a": ["x"]})", {{"a", "x"}}, false},
    {R"({"a": ["x"]})", {{"a", {{"DataType", 5}, {"StringValue", "x"}}}}, false},
    {R"({"a": ["x"]})", {{"a", {{"DataType", "String"}, {"StringValue", 5}}}}, false},
    {R"({"a": ["x"]})", {{"a", {{"DataType", "Weird"}, {"StringValue", "x"}}}}, false},
    {R"({"a": [{"exists": true}]})", {{"a", {{"DataType", "String"}}}}, true},
    // an empty policy matches every message
    {"", json::object(), true},
    {"{}", {{"a", S("x")}}, true},
    {" { } ", json(nullptr), true},
};

TEST(FilterPolicyAttributes, Table) {
  for (const auto& c : kAttributeCases) {
    FilterPolicy p = parse_ok(c.policy, FilterScope::MessageAttributes);
    EXPECT_EQ(p.scope(), FilterScope::MessageAttributes);
    EXPECT_EQ(p.matches(c.attributes, "{}"), c.expected) << show(c);
  }
}

struct BodyCase {
  std::string policy;
  std::string body;
  bool expected;
};

const std::vector<BodyCase> kBodyCases = {
    {R"({"store": ["a"]})", R"({"store": "a"})", true},
    {R"({"store": ["a"]})", R"({"store": "b"})", false},
    {R"({"store": ["a"]})", R"({"store": ["b", "a"]})", true},
    {R"({"store": ["a"]})", R"({"store": [["a"]]})", true},
    {R"({"store": ["a"]})", R"({"store": []})", false},
    {R"({"store": ["a"]})", R"({"store": {"a": 1}})", false},
    {R"({"store": ["a"]})", R"({})", false},
    // nested keys, through objects and arrays of objects
    {R"({"order": {"store": ["a"]}})", R"({"order": {"store": "a"}})", true},
    {R"({"order": {"store": ["a"]}})", R"({"order": {"store": "b"}})", false},
    {R"({"order": {"store": ["a"]}})", R"({"store": "a"})", false},
    {R"({"order": {"store": ["a"]}})", R"({"order": [{"store": "b"}, {"store": "a"}]})", true},
    {R"({"order": {"store": ["a"]}})", R"({"order": "a"})", false},
    {R"({"a": {"b": {"c": [1]}}, "d": ["x"]})", R"({"a": {"b": {"c": 1.0}}, "d": "x"})", true},
    {R"({"a": {"b": {"c": [1]}}, "d": ["x"]})", R"({"a": {"b": {"c": 1}}, "d": "y"})", false},
    {R"({"a": {"b": ["x"], "c": ["y"]}})", R"({"a": {"b": "x", "c": "y"}})", true},
    {R"({"a": {"b": ["x"], "c": ["y"]}})", R"({"a": {"b": "x"}})", false},
    // literals of the body
    {R"({"ok": [true]})", R"({"ok": true})", true},
    {R"({"ok": [true]})", R"({"ok": "true"})", false},
    {R"({"ok": [false]})", R"({"ok": false})", true},
    {R"({"ok": [false]})", R"({"ok": 0})", false},
    {R"({"v": [null]})", R"({"v": null})", true},
    {R"({"v": [null]})", R"({})", false},
    {R"({"v": [null]})", R"({"v": "null"})", false},
    // numbers
    {R"({"price": [5]})", R"({"price": 5.0})", true},
    {R"({"price": [5]})", R"({"price": "5"})", false},
    {R"({"price": ["5"]})", R"({"price": 5})", false},
    {R"({"price": [{"numeric": [">", 0, "<", 10]}]})", R"({"price": 9.99999})", true},
    {R"({"price": [{"numeric": [">", 0, "<", 10]}]})", R"({"price": 10})", false},
    {R"({"price": [{"numeric": [">", 0, "<", 10]}]})", R"({"price": [20, 3]})", true},
    {R"({"price": [{"numeric": [">", 0]}]})", R"({"price": 1e300})", false},
    {R"({"price": [{"numeric": [">", 0]}]})", R"({"price": 123456789012345678901234567890})", false},
    {R"({"price": [{"numeric": ["<", 0]}]})", R"({"price": -1000000000})", true},
    // string operators
    {R"({"name": [{"prefix": "ab"}]})", R"({"name": "abc"})", true},
    {R"({"name": [{"prefix": "ab"}]})", R"({"name": 12})", false},
    {R"({"name": [{"suffix": "bc"}]})", R"({"name": "abc"})", true},
    {R"({"name": [{"equals-ignore-case": "AbC"}]})", R"({"name": "aBc"})", true},
    {R"({"name": [{"anything-but": ["abc"]}]})", R"({"name": "abd"})", true},
    {R"({"name": [{"anything-but": ["abc"]}]})", R"({"name": ["abc", "x"]})", true},
    {R"({"name": [{"anything-but": ["abc"]}]})", R"({"name": ["abc"]})", false},
    {R"({"name": [{"anything-but": ["abc"]}]})", R"({"name": null})", true},
    {R"({"name": [{"anything-but": {"prefix": "a"}}]})", R"({"name": "bcd"})", true},
    {R"({"name": [{"anything-but": {"suffix": "d"}}]})", R"({"name": "bcd"})", false},
    {R"({"n": [{"anything-but": [1, 2]}]})", R"({"n": 2.0})", false},
    {R"({"n": [{"anything-but": [1, 2]}]})", R"({"n": 3})", true},
    {R"({"ip": [{"cidr": "192.168.0.0/16"}]})", R"({"ip": "192.168.3.4"})", true},
    {R"({"ip": [{"cidr": "192.168.0.0/16"}]})", R"({"ip": "192.169.3.4"})", false},
    // exists
    {R"({"a": [{"exists": true}]})", R"({"a": 0})", true},
    {R"({"a": [{"exists": true}]})", R"({"a": null})", true},
    {R"({"a": [{"exists": true}]})", R"({"a": {"b": 1}})", false},
    {R"({"a": [{"exists": true}]})", R"({"a": []})", false},
    {R"({"a": [{"exists": false}]})", R"({"b": 1})", true},
    {R"({"a": [{"exists": false}]})", R"({"a": "x"})", false},
    {R"({"a": {"b": [{"exists": false}]}})", R"({"a": {"c": 1}})", true},
    // $or at the top and nested
    {R"({"$or": [{"a": ["1"]}, {"b": ["2"]}]})", R"({"b": "2"})", true},
    {R"({"$or": [{"a": ["1"]}, {"b": ["2"]}]})", R"({"b": "1"})", false},
    {R"({"x": {"$or": [{"a": ["1"]}, {"b": ["2"]}]}})", R"({"x": {"a": "1"}})", true},
    {R"({"x": {"$or": [{"a": ["1"]}, {"b": ["2"]}]}})", R"({"a": "1"})", false},
    {R"({"$or": [{"a": ["1"]}, {"b": {"c": [{"prefix": "z"}]}}]})", R"({"b": {"c": "zz"}})", true},
    // bodies that are not a JSON object match no policy with a key
    {R"({"a": [{"exists": false}]})", "not json", false},
    {R"({"a": [{"exists": false}]})", "[1, 2]", false},
    {R"({"a": [{"exists": false}]})", "", false},
    {R"({"a": ["x"]})", "{\"a\": \"x\"", false},
    {R"({"a": ["x"]})", "\"x\"", false},
    {"{}", "not json", true},
    {"", "", true},
};

TEST(FilterPolicyBody, Table) {
  for (const auto& c : kBodyCases) {
    FilterPolicy p = parse_ok(c.policy, FilterScope::MessageBody);
    EXPECT_EQ(p.scope(), FilterScope::MessageBody);
    EXPECT_EQ(p.matches(json::object(), c.body), c.expected) << c.policy << " on " << c.body;
  }
}

TEST(FilterPolicyBody, IgnoresMessageAttributes) {
  FilterPolicy p = parse_ok(R"({"a": ["x"]})", FilterScope::MessageBody);
  EXPECT_FALSE(p.matches({{"a", S("x")}}, "{}"));
  FilterPolicy q = parse_ok(R"({"a": ["x"]})", FilterScope::MessageAttributes);
  EXPECT_FALSE(q.matches(json::object(), R"({"a": "x"})"));
}

TEST(FilterPolicyBody, DeepBodiesAreWalkedWithoutRecursion) {
  std::string deep(100000, '[');
  FilterPolicy p = parse_ok(R"({"a": ["x"]})", FilterScope::MessageBody);
  EXPECT_FALSE(p.matches(json::object(), deep));
  EXPECT_TRUE(p.matches(json::object(), R"({"a": )" + std::string(5000, '[') + "\"x\"" + std::string(5000, ']') + "}"));
}

TEST(FilterPolicy, DefaultMatchesEverything) {
  FilterPolicy p;
  EXPECT_EQ(p.scope(), FilterScope::MessageAttributes);
  EXPECT_TRUE(p.matches(json::object(), ""));
}

struct ErrorCase {
  std::string policy;
  std::string message;  // the reason after "Invalid parameter: FilterPolicy: "
  FilterScope scope = FilterScope::MessageAttributes;
};

const std::vector<ErrorCase> kErrorCases = {
    {"{", "failed to parse JSON."},
    {"not json", "failed to parse JSON."},
    {R"({"a": [1e400]})", "failed to parse JSON."},  // beyond a double
    {"{\"a\": [\"\xff\"]}", "failed to parse JSON."},  // not UTF-8
    {"[]", "Filter policy must be a JSON object"},
    {R"("a")", "Filter policy must be a JSON object"},
    {R"({"a": "x"})", "\"a\" must be an object or an array"},
    {R"({"a": 5})", "\"a\" must be an object or an array"},
    {R"({"a": []})", "Empty arrays are not allowed"},
    {R"({"a": {"b": []}})", "Empty arrays are not allowed", FilterScope::MessageBody},
    {R"({"store": [["example_corp"]]})", "Match value must be String, number, true, false, or null"},
    {R"({"store": [{"exists": null}]})", "exists match pattern must be either true or false."},
    {R"({"store": [{"exists": "true"}]})", "exists match pattern must be either true or false."},
    {R"({"store": [{"error": true}]})", "Unrecognized match type error"},
    {R"({"store": [{"prefi": "x"}]})", "Unrecognized match type prefi"},
    {R"({"store": [{"wildcard": "x*"}]})", "Unrecognized match type wildcard"},
    {R"({"store": [{}]})", "Only one key allowed in match expression"},
    {R"({"store": [{"prefix": "a", "suffix": "b"}]})", "Only one key allowed in match expression"},
    {R"({"store": [{"prefix": 5}]})", "prefix match pattern must be a string"},
    {R"({"store": [{"suffix": null}]})", "suffix match pattern must be a string"},
    {R"({"store": [{"equals-ignore-case": ["a"]}]})", "equals-ignore-case match pattern must be a string"},
    // numeric
    {R"({"price": [{"numeric": ["<", "100"]}]})", "Value of < must be numeric"},
    {R"({"price": [{"numeric": [">", 50, "<=", "100"]}]})", "Value of <= must be numeric"},
    {R"({"price": [{"numeric": []}]})", "Invalid member in numeric match: ]"},
    {R"({"price": [{"numeric": [50, "<=", "100"]}]})", "Invalid member in numeric match: 50"},
    {R"({"price": [{"numeric": ["<"]}]})", "Value of < must be numeric"},
    {R"({"price": [{"numeric": ["="]}]})", "Value of equals must be numeric"},
    {R"({"price": [{"numeric": ["0"]}]})", "Unrecognized numeric range operator: 0"},
    {R"({"price": [{"numeric": ["<", 20, ">", 1]}]})", "Too many elements in numeric expression"},
    {R"({"price": [{"numeric": ["=", 20, "<", 30]}]})", "Too many elements in numeric expression"},
    {R"({"price": [{"numeric": [">", 20, ">", 1]}]})", "Bad numeric range operator: >"},
    {R"({"price": [{"numeric": [">", 20, 5, 1]}]})", "Bad value in numeric range: 5"},
    {R"({"price": [{"numeric": [">", 20, "<", 1]}]})", "Bottom must be less than top"},
    {R"({"price": [{"numeric": [">", 20, "<", 20]}]})", "Bottom must be less than top"},
    {R"({"price": [{"numeric": [">", 20, "<"]}]})", "Value of < must be numeric"},
    {R"({"price": [{"numeric": [">", 0, "<", 10, "<", 20]}]})", "Too many terms in numeric range expression"},
    {R"({"price": [{"numeric": 5}]})", "Value of numeric must be an array."},
    // anything-but
    {R"({"a": [{"anything-but": {"equals-ignore-case": "x"}}]})", "Unsupported anything-but pattern: equals-ignore-case"},
    {R"({"a": [{"anything-but": {"prefix": 5}}]})", "prefix/suffix match pattern must be a string"},
    {R"({"a": [{"anything-but": {"prefix": ""}}]})", "Null prefix/suffix not allowed"},
    {R"({"a": [{"anything-but": {"suffix": ""}}]})", "Null prefix/suffix not allowed"},
    {R"({"a": [{"anything-but": {"prefix": "a", "suffix": "b"}}]})", "Only one key allowed in match expression"},
    {R"({"a": [{"anything-but": [null]}]})", "Inside anything but list, start|null|boolean is not supported."},
    {R"({"a": [{"anything-but": ["a", true]}]})", "Inside anything but list, start|null|boolean is not supported."},
    {R"({"a": [{"anything-but": [["a"]]}]})", "Inside anything but list, start|null|boolean is not supported."},
    {R"({"a": [{"anything-but": ["a", 1]}]})",
     "Inside anything but list, either all values are number or string, mixed type is not supported"},
    {R"({"a": [{"anything-but": null}]})", "Value of anything-but must be an array or single string/number value."},
    {R"({"a": [{"anything-but": false}]})", "Value of anything-but must be an array or single string/number value."},
    {R"({"a": [{"anything-but": []}]})", "Empty arrays are not allowed"},
    // cidr
    {R"({"ip": [{"cidr": 10}]})", "prefix match pattern must be a string"},
    {R"({"ip": [{"cidr": "10.0.0.0"}]})", "Malformed CIDR, one '/' required"},
    {R"({"ip": [{"cidr": "10.0.0.0/8/8"}]})", "Malformed CIDR, one '/' required"},
    {R"({"ip": [{"cidr": "10.0.0.0/x"}]})", "Malformed CIDR, mask bits must be an integer"},
    {R"({"ip": [{"cidr": "10.0.0.0/"}]})", "Malformed CIDR, mask bits must be an integer"},
    {R"({"ip": [{"cidr": "10.0.0/8"}]})", "Nonstandard IP address: 10.0.0"},
    {R"({"ip": [{"cidr": "10.0.0.0/33"}]})", "IPv4 mask bits must be between 0 and 32"},
    {R"({"ip": [{"cidr": "10.0.0.0/-1"}]})", "IPv4 mask bits must be between 0 and 32"},
    {R"({"ip": [{"cidr": "::/129"}]})", "IPv6 mask bits must be between 0 and 128"},
    // limits: keys, combinations, $or branches
    {R"({"a": ["1"], "b": ["1"], "c": ["1"], "d": ["1"], "e": ["1"], "f": ["1"]})",
     "Filter policy can not have more than 5 keys"},
    {R"({"a": {"b": ["1"], "c": ["1"], "d": ["1"]}, "e": {"f": ["1"], "g": ["1"]}, "h": ["1"]})",
     "Filter policy can not have more than 5 keys", FilterScope::MessageBody},
    {R"({"a": ["1"], "b": ["1"], "c": ["1"], "$or": [{"d": ["1"]}, {"e": ["1"], "f": ["1"], "g": ["1"]}]})",
     "Filter policy can not have more than 5 keys"},
    {R"({"key_a": {"key_b": {"key_c": ["1", "2", "3", "4"]}}, "key_d": {"key_e": ["1", "2", "3"]},)"
     R"( "key_f": ["1", "2", "3"]})",
     "Filter policy is too complex", FilterScope::MessageBody},
    {R"({"a": ["1","2","3","4","5","6","7","8","9","10"], "b": ["1","2","3","4","5","6","7","8","9","10"],)"
     R"( "c": ["1", "2"]})",
     "Filter policy is too complex"},
};

TEST(FilterPolicyErrors, Table) {
  for (const auto& c : kErrorCases) {
    auto r = parse_filter_policy(c.policy, c.scope);
    ASSERT_TRUE(std::holds_alternative<awan::AwsError>(r)) << "accepted " << c.policy;
    const auto& e = std::get<awan::AwsError>(r);
    EXPECT_EQ(e.code, "InvalidParameter") << c.policy;
    EXPECT_EQ(e.http_status, 400) << c.policy;
    EXPECT_EQ(e.message, "Invalid parameter: FilterPolicy: " + c.message) << c.policy;
  }
}

std::string many_values(int n) {
  std::string s = "[";
  for (int i = 0; i < n; ++i) s += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
  return s + "]";
}

TEST(FilterPolicyErrors, CombinationLimitIsOneHundredFifty) {
  EXPECT_TRUE(std::holds_alternative<FilterPolicy>(
      parse_filter_policy(R"({"store": )" + many_values(150) + "}", FilterScope::MessageAttributes)));
  auto r = parse_filter_policy(R"({"store": )" + many_values(151) + "}", FilterScope::MessageAttributes);
  ASSERT_TRUE(std::holds_alternative<awan::AwsError>(r));
  EXPECT_EQ(std::get<awan::AwsError>(r).message, "Invalid parameter: FilterPolicy: Filter policy is too complex");
  // AWS's example: 3 x 4 x 2 x 3 = 72 (values times nesting depth, per key)
  EXPECT_TRUE(std::holds_alternative<FilterPolicy>(parse_filter_policy(
      R"({"key_a": {"key_b": {"key_c": ["1", "2", "3", "4"]}}, "key_d": {"key_e": ["1", "2", "3"]}})",
      FilterScope::MessageBody)));
  // $or sums its branches: 75 + 75 fits, 75 + 76 does not
  std::string fits = R"({"$or": [{"a": )" + many_values(75) + R"(}, {"b": )" + many_values(75) + "}]}";
  EXPECT_TRUE(std::holds_alternative<FilterPolicy>(parse_filter_policy(fits, FilterScope::MessageAttributes)));
  std::string over = R"({"$or": [{"a": )" + many_values(75) + R"(}, {"b": )" + many_values(76) + "}]}";
  EXPECT_TRUE(std::holds_alternative<awan::AwsError>(parse_filter_policy(over, FilterScope::MessageAttributes)));
  // nested $or multiplies branches: 2^8 branches are refused before they are built
  std::string nested;
  for (int i = 0; i < 8; ++i) nested += R"("k)" + std::to_string(i) + R"(": {"$or": [{"x": ["1"]}, {"y": ["1"]}]},)";
  nested = "{" + nested.substr(0, nested.size() - 1) + "}";
  auto deep = parse_filter_policy(nested, FilterScope::MessageBody);
  ASSERT_TRUE(std::holds_alternative<awan::AwsError>(deep));
  EXPECT_EQ(std::get<awan::AwsError>(deep).message, "Invalid parameter: FilterPolicy: Filter policy is too complex");
}

TEST(FilterPolicyErrors, NestedPolicyInAttributeScope) {
  auto r = parse_filter_policy(R"({"store": {"key": [{"exists": null}]}})", FilterScope::MessageAttributes);
  ASSERT_TRUE(std::holds_alternative<awan::AwsError>(r));
  EXPECT_EQ(std::get<awan::AwsError>(r).code, "InvalidParameter");
  EXPECT_EQ(std::get<awan::AwsError>(r).message,
            "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy");
  EXPECT_TRUE(std::holds_alternative<FilterPolicy>(
      parse_filter_policy(R"({"store": {"key": ["x"]}})", FilterScope::MessageBody)));
}

TEST(FilterPolicyErrors, NumbersBeyondOneBillionAreRefused) {
  // AWS answers such a policy with an InternalFailure (500); Awan with InvalidParameter.
  for (const char* policy : {R"({"a": [1000000001]})", R"({"a": [{"numeric": [">", -1e10]}]})",
                             R"({"a": [{"anything-but": [5e9]}]})", R"({"a": [{"anything-but": 1e300}]})"}) {
    auto r = parse_filter_policy(policy, FilterScope::MessageAttributes);
    ASSERT_TRUE(std::holds_alternative<awan::AwsError>(r)) << policy;
    EXPECT_EQ(std::get<awan::AwsError>(r).code, "InvalidParameter") << policy;
    EXPECT_EQ(std::get<awan::AwsError>(r).message,
              "Invalid parameter: FilterPolicy: Numbers must be between -1000000000 and 1000000000")
        << policy;
    EXPECT_EQ(std::get<awan::AwsError>(r).http_status, 400) << policy;
  }
}

TEST(FilterPolicyErrors, SizeAndNesting) {
  std::string big = R"({"a": [")" + std::string(256 * 1024, 'x') + R"("]})";
  auto r = parse_filter_policy(big, FilterScope::MessageAttributes);
  ASSERT_TRUE(std::holds_alternative<awan::AwsError>(r));
  EXPECT_EQ(std::get<awan::AwsError>(r).message, "Invalid parameter: FilterPolicy: Filter policy is too long");
  std::string deep = std::string(100000, '{');
  auto d = parse_filter_policy(deep, FilterScope::MessageBody);
  ASSERT_TRUE(std::holds_alternative<awan::AwsError>(d));
  EXPECT_EQ(std::get<awan::AwsError>(d).message, "Invalid parameter: FilterPolicy: Filter policy is too complex");
  // a key 60 objects deep counts 60 combinations and is fine; 70 deep passes the nesting bound
  auto nest = [](int levels) {
    std::string s = "{";
    for (int i = 0; i < levels; ++i) s += R"("k": {)";
    return s + R"("v": ["x"])" + std::string(levels + 1, '}');
  };
  auto ok = parse_filter_policy(nest(59), FilterScope::MessageBody);
  ASSERT_TRUE(std::holds_alternative<FilterPolicy>(ok));
  std::string body = "{";
  for (int i = 0; i < 59; ++i) body += R"("k": {)";
  body += R"("v": "x")" + std::string(60, '}');
  EXPECT_TRUE(std::get<FilterPolicy>(ok).matches(json::object(), body));
  auto n = parse_filter_policy(nest(70), FilterScope::MessageBody);
  ASSERT_TRUE(std::holds_alternative<awan::AwsError>(n));
  EXPECT_EQ(std::get<awan::AwsError>(n).message, "Invalid parameter: FilterPolicy: Filter policy is too complex");
}

TEST(FilterPolicy, OrWithReservedKeysIsAnOrdinaryKey) {
  // AWS's example: {"$or": [{"numeric": 123}, {"prefix": "abc"}]} is not an OR; its values are
  // then match expressions, and {"numeric": 123} is not one.
  auto r = parse_filter_policy(R"({"$or": [{"numeric": 123}, {"prefix": "abc"}]})", FilterScope::MessageBody);
  ASSERT_TRUE(std::holds_alternative<awan::AwsError>(r));
  EXPECT_EQ(std::get<awan::AwsError>(r).message, "Invalid parameter: FilterPolicy: Value of numeric must be an array.");
  // a single object is not an OR either
  auto one = parse_filter_policy(R"({"$or": [{"a": ["1"]}]})", FilterScope::MessageAttributes);
  ASSERT_TRUE(std::holds_alternative<awan::AwsError>(one));
  EXPECT_EQ(std::get<awan::AwsError>(one).message, "Invalid parameter: FilterPolicy: Unrecognized match type a");
}

TEST(FilterScope, Parse) {
  EXPECT_EQ(parse_filter_scope("MessageAttributes"), FilterScope::MessageAttributes);
  EXPECT_EQ(parse_filter_scope("MessageBody"), FilterScope::MessageBody);
  EXPECT_EQ(parse_filter_scope("messagebody"), std::nullopt);
  EXPECT_EQ(parse_filter_scope(""), std::nullopt);
}

}  // namespace
