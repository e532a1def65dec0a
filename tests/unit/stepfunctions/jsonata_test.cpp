// Step Functions' JSONata subset: expressions over $states (paths, filters, operators,
// constructors, blocks, functions) table-driven, malformed expressions refused, runtime errors
// as States.QueryEvaluationError, and JSONata state machines (Arguments, Output, Assign,
// Condition, Items, Catch) run end to end.
#include "stepfunctions/asl_parser.hpp"
#include "stepfunctions/errors.hpp"
#include "stepfunctions/fixture.hpp"
#include "stepfunctions/jsonata_check.hpp"
#include "stepfunctions/jsonata.hpp"

using nlohmann::json;
using namespace awan;
using awan::sfn_test::Fixture;
namespace jsonata = awan::stepfunctions::jsonata;

namespace {

json states() {
  return {{"input", {{"name", "ann"}, {"n", 4}, {"tags", {"a", "b"}},
                     {"orders", {{{"id", 1}, {"total", 10}, {"items", {{{"sku", "x"}}, {{"sku", "y"}}}}},
                                 {{"id", 2}, {"total", 25}, {"items", {{{"sku", "z"}}}}}}}}},
          {"result", {{"ok", true}}},
          {"context", {{"Execution", {{"Name", "exec-1"}}}}}};
}

std::optional<json> eval(const std::string& expr, const json& vars = json::object()) {
  json s = states();
  auto n = jsonata::parse(expr);
  EXPECT_TRUE(n) << expr;
  if (!n) return std::nullopt;
  return jsonata::evaluate(*n, jsonata::Bindings{s, vars});
}

// Each row's expression evaluates to its `want`.
template <class Table>
void expect_values(const Table& table) {
  sfn_test::expect_jsonata_values(table, [](const std::string& e) { return eval(e); });
}

// The expression fails with States.QueryEvaluationError.
void expect_query_error(const std::string& expr) {
  try {
    eval(expr);
    ADD_FAILURE() << expr;
  } catch (const stepfunctions::StatesError& e) {
    EXPECT_EQ(e.error, "States.QueryEvaluationError") << expr;
  }
}

// Each row's expression fails with States.QueryEvaluationError and its `cause`.
template <class Table>
void expect_query_errors(const Table& bad) {
  for (const auto& t : bad) {
    try {
      eval(t.expr);
      ADD_FAILURE() << t.expr;
    } catch (const stepfunctions::StatesError& e) {
      EXPECT_EQ(e.error, "States.QueryEvaluationError") << t.expr;
      EXPECT_EQ(e.cause, t.cause) << t.expr;
    }
  }
}

}  // namespace

TEST(StepFunctionsJsonata, Expressions) {
  struct T {
    std::string expr;
    json want;
  };
  std::vector<T> table = {
      {"$states.input.name", "ann"},
      {"name", "ann"},
      {"$states.input.orders.id", {1, 2}},
      {"$states.input.orders.items.sku", {"x", "y", "z"}},
      {"$states.input.orders[0].total", 10},
      {"$states.input.orders[-1].id", 2},
      {"$states.input.orders[total > 20].id", 2},
      {"$states.input.orders[total > 5].id", {1, 2}},
      {"$states.result.ok", true},
      {"$states.context.Execution.Name", "exec-1"},
      {"$states.input.n * 2 + 1", 9},
      {"$states.input.n / 8", 0.5},
      {"7 % 3", 1},
      {"-$states.input.n", -4},
      {"1 + 2 * 3", 7},
      {"(1 + 2) * 3", 9},
      {"'a' & 1 & true", "a1true"},
      {"\"x\" = 'x'", true},
      {"1 != 1", false},
      {"2 < 3 and 'b' > 'a'", true},
      {"false or 0", false},
      {"'b' in $states.input.tags", true},
      {"$states.input.n > 3 ? 'big' : 'small'", "big"},
      {"$states.input.missing ? 1 : 2", 2},
      {"[1, 2, [3]]", {1, 2, {3}}},
      {"[1..4]", {1, 2, 3, 4}},
      {"{'k': $states.input.n, 'm': $states.input.missing}", {{"k", 4}}},
      {"($x := 5; $y := $x * 2; $y + 1)", 11},
      {"$v + 1", 3},
      {"$string(12.5)", "12.5"},
      {"$length('héllo')", 5},
      {"$substring('abcdef', 1, 3)", "bcd"},
      {"$substring('abcdef', -2)", "ef"},
      {"$substringBefore('a-b-c', '-')", "a"},
      {"$substringAfter('a-b-c', '-')", "b-c"},
      {"$uppercase('ab') & $lowercase('CD')", "ABcd"},
      {"$trim('  a   b ')", "a b"},
      {"$contains('hello', 'ell')", true},
      {"$split('a,b,c', ',')", {"a", "b", "c"}},
      {"$split('a,b,c', ',', 2)", {"a", "b"}},
      {"$join($states.input.tags, '+')", "a+b"},
      {"$replace('a.b.c', '.', '/')", "a/b/c"},
      {"$number('42')", 42},
      {"$abs(-3) + $floor(2.7) + $ceil(2.1)", 8},
      {"$round(2.5)", 2},
      {"$round(3.5)", 4},
      {"$round(1.2345, 2)", 1.23},
      {"$power(2, 10)", 1024},
      {"$sqrt(16)", 4},
      {"$sum($states.input.orders.total)", 35},
      {"$max([3, 9, 2])", 9},
      {"$min([3, 9, 2])", 2},
      {"$average([1, 2, 3, 4])", 2.5},
      {"$count($states.input.orders)", 2},
      {"$count($states.input.missing)", 0},
      {"$append([1], [2, 3])", {1, 2, 3}},
      {"$reverse([1, 2, 3])", {3, 2, 1}},
      {"$sort(['b', 'a', 'c'])", {"a", "b", "c"}},
      {"$distinct([1, 1, 2, 1])", {1, 2}},
      {"$exists($states.input.name)", true},
      {"$exists($states.input.none)", false},
      {"$keys({'a': 1, 'b': 2})", {"a", "b"}},
      {"$lookup({'a': 1}, 'a')", 1},
      {"$merge([{'a': 1}, {'b': 2}])", {{"a", 1}, {"b", 2}}},
      {"$type([])", "array"},
      {"$boolean('')", false},
      {"$not(false)", true},
      {"$partition([1, 2, 3, 4, 5], 2)", {{1, 2}, {3, 4}, {5}}},
      {"$range(0, 10, 5)", {0, 5, 10}},
      {"$hash('abc', 'SHA-256')", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"$parse('{\"a\": [1]}')", {{"a", {1}}}},
      {"$states.input.`name`", "ann"},
      {"$count($states.input.*)", 6},
      {"/* a comment */ 1", 1},
      {"$map([1, 2, 3], function($v) { $v * 2 })", {2, 4, 6}},
      {"$map($states.input.orders, function($o, $i) { $o.id + $i })", {1, 3}},
      {"$filter([1, 2, 3, 4], function($v) { $v % 2 = 0 })", {2, 4}},
      {"$filter($states.input.orders, function($o) { $o.total > 20 }).id", 2},
      {"$reduce([1, 2, 3, 4], function($acc, $v) { $acc + $v })", 10},
      {"$reduce([1, 2], function($acc, $v) { $acc + $v }, 10)", 13},
      {"$each({'a': 1, 'b': 2}, function($v, $k) { $k & $v })", {"a1", "b2"}},
      {"$sift({'a': 1, 'b': 2}, function($v) { $v > 1 })", {{"b", 2}}},
      {"$map([1, 2], function($v) { $v + $outer })", {11, 12}},
  };
  for (const auto& t : table) {
    auto v = eval(t.expr, {{"v", 2}, {"outer", 10}});
    ASSERT_TRUE(v.has_value()) << t.expr;
    EXPECT_EQ(*v, t.want) << t.expr;
  }
  EXPECT_FALSE(eval("$states.input.nothing").has_value());
  EXPECT_FALSE(eval("$states.input.orders[total > 100]").has_value());
  EXPECT_EQ(eval("$uuid()")->get<std::string>().size(), 36u);
  // The fuzzer's finds: huge indexes and range bounds are values, not undefined conversions.
  EXPECT_FALSE(eval("$states.input.orders[1300000000000000000664115080311]").has_value());
  EXPECT_EQ(eval("$count([8999999999999990..8999999999999997])"), json(8));
  EXPECT_EQ(eval("$substring('abc', 1e300, -1e300)"), json(""));
  EXPECT_THROW(eval("$round(2.5, 1e300)"), stepfunctions::StatesError);
  double r = eval("$random()")->get<double>();
  EXPECT_TRUE(r >= 0 && r < 1);
}

TEST(StepFunctionsJsonata, MalformedAndRuntimeErrors) {
  for (const char* bad : {"", "1 +", "(1", "[1, 2", "{'a' 1}", "'unterminated", "$f(", "a[", "1 ** 2", "$x ~> ", "/re",
                          "1 := 2", "@", "{% %}", "a..b", "`name", "/* open", "\"\\u12\"", "1e999",
                          "function($x) { $x", "function(x) { 1 }", "$map([1], function($v) { })",
                          "'\xac' & 1", "\xc0\x80", "'\xed\xa0\x80'"}) {
    std::string why;
    EXPECT_EQ(jsonata::parse(bad, &why), nullptr) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  // Deep nesting is refused, not a stack overflow.
  EXPECT_EQ(jsonata::parse(std::string(5000, '(') + "1" + std::string(5000, ')')), nullptr);
  EXPECT_EQ(jsonata::parse(std::string(5000, '-') + "1"), nullptr);
  EXPECT_EQ(jsonata::parse(std::string(5000, '[') + std::string(5000, ']')), nullptr);
  for (const char* bad : {"'a' + 1", "1 / 0", "$nope()", "$number('x')", "$sqrt(-1)", "[1..100000]", "'a' < 1",
                          "$substring(1, 2)", "$range(1, 100000, 1)", "$parse('{')", "$sort([1, 'a'])", "$hash('a', 'MD4')",
                          "$count([1], function($v) { 1 })", "$map([1])"}) {
    expect_query_error(bad);
  }
}

TEST(StepFunctionsJsonata, Templates) {
  json s = states(), vars = {{"v", 1}};
  json tpl = {{"who", "{% $states.input.name %}"}, {"lit", "plain {% text"}, {"gone", "{% $states.input.none %}"},
              {"nested", {{"list", {"{% $v %}", 2}}}}};
  EXPECT_EQ(jsonata::evaluate_template(tpl, jsonata::Bindings{s, vars}),
            (json{{"who", "ann"}, {"lit", "plain {% text"}, {"nested", {{"list", {1, 2}}}}}));
  auto bad = jsonata::check_template(json{{"a", {{"b", json::array({1, "{% 1 + %}"})}}}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->first, "/a/b[1]");
  EXPECT_FALSE(jsonata::check_template(tpl));
}

TEST(StepFunctionsJsonata, StateMachines) {
  Fixture fx;
  json machine = {{"QueryLanguage", "JSONata"},
                  {"StartAt", "Prepare"},
                  {"States",
                   {{"Prepare", {{"Type", "Pass"},
                                 {"Output", {{"total", "{% $sum($states.input.prices) %}"}, {"who", "{% $states.input.who %}"}}},
                                 {"Assign", {{"count", "{% $count($states.input.prices) %}"}}},
                                 {"Next", "Route"}}},
                    {"Route", {{"Type", "Choice"},
                               {"Choices", {{{"Condition", "{% $states.input.total > 10 %}"}, {"Next", "Each"}}}},
                               {"Default", "Small"}}},
                    {"Small", {{"Type", "Pass"}, {"Output", "small"}, {"End", true}}},
                    {"Each", {{"Type", "Map"},
                              {"Items", "{% [1..$count] %}"},
                              {"ItemSelector", {{"i", "{% $states.context.Map.Item.Value %}"}, {"who", "{% $states.input.who %}"}}},
                              {"ItemProcessor", {{"StartAt", "Double"},
                                                 {"States", {{"Double", {{"Type", "Pass"},
                                                                         {"Output", "{% $states.input.who & ($states.input.i * 2) %}"},
                                                                         {"End", true}}}}}}},
                              {"Output", {{"labels", "{% $states.result %}"}, {"count", "{% $count %}"}}},
                              {"Next", "Fail?"}}},
                    {"Fail?", {{"Type", "Fail"}, {"Error", "{% 'Too' & 'Many' %}"}, {"Cause", "{% $string($states.input.count) %}"}}}}}};
  auto d = fx.run(machine, {{"prices", {5, 9}}, {"who", "z"}});
  EXPECT_EQ(d["status"], "FAILED") << d.dump();
  EXPECT_EQ(d["error"], "TooMany");
  EXPECT_EQ(d["cause"], "2");
  machine["States"]["Fail?"] = {{"Type", "Succeed"}};
  d = fx.run(machine, {{"prices", {5, 9}}, {"who", "z"}});
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_EQ(json::parse(d["output"].get<std::string>()), (json{{"labels", {"z2", "z4"}}, {"count", 2}}));
  d = fx.run(machine, {{"prices", {1}}, {"who", "z"}});
  EXPECT_EQ(d["output"], "\"small\"");
  // A rule's Output and Assign.
  machine["States"]["Route"]["Choices"][0]["Output"] = {{"total", "{% $states.input.total %}"}, {"who", "rule"}};
  machine["States"]["Route"]["Choices"][0]["Assign"] = {{"count", 1}};
  d = fx.run(machine, {{"prices", {5, 9}}, {"who", "z"}});
  EXPECT_EQ(json::parse(d["output"].get<std::string>()), (json{{"labels", {"rule2"}}, {"count", 1}}));

  // Catch with $states.errorOutput, a Wait with an expression.
  json caught = {{"QueryLanguage", "JSONata"},
                 {"StartAt", "W"},
                 {"States", {{"W", {{"Type", "Wait"}, {"Seconds", "{% $states.input.s %}"}, {"Next", "P"}}},
                             {"P", {{"Type", "Parallel"},
                                    {"Arguments", {{"x", "{% $states.input.s %}"}}},
                                    {"Branches", {{{"StartAt", "F"}, {"States", {{"F", {{"Type", "Fail"}, {"Error", "Boom"}}}}}}}},
                                    {"Catch", {{{"ErrorEquals", {"States.ALL"}},
                                                {"Output", {{"err", "{% $states.errorOutput.Error %}"}, {"in", "{% $states.input.s %}"}}},
                                                {"Next", "Done"}}}},
                                    {"End", true}}},
                             {"Done", {{"Type", "Succeed"}}}}}};
  auto before = fx.clock.now();
  d = fx.run(caught, {{"s", 30}});
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_EQ(json::parse(d["output"].get<std::string>()), (json{{"err", "Boom"}, {"in", 30}}));
  EXPECT_GE(fx.clock.now() - before, std::chrono::seconds(30));
  // A runtime error of an expression.
  d = fx.run({{"QueryLanguage", "JSONata"}, {"StartAt", "P"},
              {"States", {{"P", {{"Type", "Pass"}, {"Output", "{% $states.input.s + 'x' %}"}, {"End", true}}}}}},
             {{"s", 1}});
  EXPECT_EQ(d["error"], "States.QueryEvaluationError");
}

TEST(StepFunctionsJsonata, Validation) {
  struct T {
    std::string definition, message;
  };
  std::vector<T> table = {
      {R"({"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{},"End":true}}})",
       "The field 'Parameters' is not supported by the JSONata query language at /States/A"},
      {R"({"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":{"x":"{% 1 + %}"},"End":true}}})",
       "at /States/A/Output/x"},
      {R"({"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","Next":"A"}]}}})",
       "These fields are required: [Condition, Next]"},
      {R"({"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}}})",
       "cannot be JSONPath"},
      {R"({"StartAt":"A","States":{"A":{"Type":"Pass","QueryLanguage":"JSONata","ResultPath":"$.x","End":true}}})",
       "The field 'ResultPath' is not supported by the JSONata query language"},
  };
  for (const auto& t : table) {
    auto p = stepfunctions::asl::parse(t.definition);
    EXPECT_FALSE(p.ok()) << t.definition;
    EXPECT_NE(p.message().find(t.message), std::string::npos) << p.message();
  }
  EXPECT_TRUE(stepfunctions::asl::parse(
                  R"({"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Wait","Seconds":"{% 1 %}","End":true}}})")
                  .ok());
}

TEST(StepFunctionsJsonata, FunctionsAsValuesAndChains) {
  struct T {
    std::string expr;
    json want;
  };
  std::vector<T> table = {
      {"($double := function($x) { $x * 2 }; $double(21))", 42},
      {"($add := function($a, $b) { $a + $b }; $reduce([1, 2, 3], $add))", 6},
      {"($f := function($v) { $v > 1 }; $filter([1, 2, 3], $f))", {2, 3}},
      {"$map([1, 2], $string)", {"1", "2"}},
      {"($make := function($n) { function($x) { $x + $n } }; $add2 := $make(2); $add2(3))", 5},
      {"($fact := function($n) { $n <= 1 ? 1 : $n * $fact($n - 1) }; $fact(10))", 3628800},
      {"$type(function() { 1 })", "function"},
      {"$exists($uppercase)", true},
      {"'abc' ~> $uppercase()", "ABC"},
      {"'a,b' ~> $split(',') ~> $join('-')", "a-b"},
      {"[3, 1, 2] ~> $sort() ~> $reverse()", {3, 2, 1}},
      {"'x' ~> function($s) { $s & '!' }", "x!"},
      {"($shout := $uppercase ~> function($s) { $s & '!' }; $shout('hi'))", "HI!"},
      {"$states.input.orders ~> $map(function($o) { $o.total })", {10, 25}},
      {"$sort([3, 1, 2], function($l, $r) { $l < $r })", {3, 2, 1}},
      {"$sort($states.input.orders, function($l, $r) { $l.total < $r.total }).id", {2, 1}},
      {"$each({'a': 1}, function($v, $k) { $k })", "a"},
  };
  expect_values(table);
  // A function is no JSON value: the template member is left out.
  json s = states(), vars = json::object();
  EXPECT_EQ(jsonata::evaluate_template(json{{"f", "{% function($x) { $x } %}"}, {"k", 1}}, jsonata::Bindings{s, vars}),
            (json{{"k", 1}}));
  for (const char* bad : {"($x := 1; $x(2))", "1 ~> 2", "$string(function() { 1 })", "$map([1], 2)",
                          "($f := function($n) { $f($n + 1) }; $f(0))", "$sort([1, 2], 3)",
                          "$map([1..9999], function($i) { $map([1..9999], function($j) { $i * $j }) })"}) {
    expect_query_error(bad);
  }
}

TEST(StepFunctionsJsonata, RegularExpressions) {
  struct T {
    std::string expr;
    json want;
  };
  std::vector<T> table = {
      {"$contains('Hello World', /wo/i)", true},
      {"$contains('Hello World', /wo/)", false},
      {"$contains($states.input.name, /^a.n$/)", true},
      {"$match('ababbabbcc', /a(b+)/)",
       {{{"match", "ab"}, {"index", 0}, {"groups", {"b"}}},
        {{"match", "abb"}, {"index", 2}, {"groups", {"bb"}}},
        {{"match", "abb"}, {"index", 5}, {"groups", {"bb"}}}}},
      {"$match('ababbabbcc', /a(b+)/, 1)", {{"match", "ab"}, {"index", 0}, {"groups", {"b"}}}},
      {"$match('héllo', /l+/).index", 2},
      {"$replace('John Smith', /(\\w+)\\s(\\w+)/, '$2, $1')", "Smith, John"},
      {"$replace('265USD', /([0-9]+)USD/, '$$$1')", "$265"},
      {"$replace('abcabc', /b/, 'X', 1)", "aXcabc"},
      {"$replace('a1b22', /[0-9]+/, function($m) { $string($number($m.match) * 2) })", "a2b44"},
      {"$split('a1b22c', /[0-9]+/)", {"a", "b", "c"}},
      {"$split('a1b22c', /[0-9]+/, 2)", {"a", "b"}},
      {"$split('abc', /x/)", {"abc"}},
      {"$filter(['ab', 'cd', 'ax'], function($s) { $contains($s, /^a/) })", {"ab", "ax"}},
      {"$count($match('a\\nb', /^b/m))", 1},
      {"10 / 2 / 5", 1},
      {"$states.input.n / 2", 2},
  };
  expect_values(table);
  EXPECT_FALSE(eval("$match('abc', /x/)").has_value());
  // Malformed patterns are refused when the expression is parsed.
  for (const char* bad : {"//", "/a", "/(a/", "/a/g", "/(a)\\1/", "/a{1000}{1000}/", "/[/"}) {
    std::string why;
    EXPECT_EQ(jsonata::parse(bad, &why), nullptr) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  EXPECT_EQ(jsonata::parse("/" + std::string(300, 'a') + "/"), nullptr);
  // Zero-length matches, subjects too long, a regex where a string is needed: runtime errors.
  for (const std::string& bad : {std::string("$match('abc', /x*/)"), std::string("$replace('abc', /x*/, 'y')"),
                                std::string("$contains('") + std::string(20000, 'a') + "', /(a|aa)*b/)",
                                std::string("$match('abc', 'b')"), std::string("$uppercase(/a/)")}) {
    try {
      eval(bad);
      ADD_FAILURE() << bad;
    } catch (const stepfunctions::StatesError& e) {
      EXPECT_EQ(e.error, "States.QueryEvaluationError") << bad.substr(0, 40);
    }
  }
  // A pattern that backtracks exponentially elsewhere runs in linear time here.
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(eval("$contains('" + std::string(5000, 'a') + "', /^(a|aa)*$/)"), json(true));
  EXPECT_EQ(eval("$contains('" + std::string(5000, 'a') + "c', /^(a+)+b/)"), json(false));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST(StepFunctionsJsonata, DateTime) {
  ManualClock clock;
  clock.set(std::chrono::system_clock::time_point(std::chrono::milliseconds(1714564800123)));  // 2024-05-01T12:00:00.123Z
  json s = states(), vars = json::object();
  auto at = [&](const std::string& expr) {
    auto n = jsonata::parse(expr);
    EXPECT_TRUE(n) << expr;
    return n ? jsonata::evaluate(*n, jsonata::Bindings{s, vars, &clock}) : std::nullopt;
  };
  struct T {
    std::string expr;
    json want;
  };
  std::vector<T> table = {
      {"$now()", "2024-05-01T12:00:00.123Z"},
      {"$millis()", 1714564800123},
      {"$now() = $now() and $millis() = $millis()", true},
      {"$now('[Y0001]-[M01]-[D01]')", "2024-05-01"},
      {"$now('[H01]:[m01] [z]', '+0530')", "17:30 GMT+05:30"},
      {"$fromMillis(0)", "1970-01-01T00:00:00.000Z"},
      {"$fromMillis(1714564800123, '[D1o] [MNn] [Y]')", "1st May 2024"},
      {"$fromMillis(1714564800123, '[FNn,3-3], [D01] [MN,3-3] [Y0001] [h]:[m01] [P]')", "Wed, 01 MAY 2024 12:00 pm"},
      {"$fromMillis(1714564800123, '[d]')", "122"},
      {"$fromMillis(1714564800123, undefined, '-0500')", "2024-05-01T07:00:00.123-05:00"},
      {"$fromMillis(-86400000)", "1969-12-31T00:00:00.000Z"},
      {"$fromMillis(1714564800123, '[Y01][M01][D01]')", "240501"},
      {"$toMillis('2024-05-01T12:00:00.123Z')", 1714564800123},
      {"$toMillis('2024-05-01T14:00:00+02:00')", 1714564800000},
      {"$toMillis('2024-05-01')", 1714521600000},
      {"$toMillis('1969-12-31T23:59:59Z')", -1000},
      {"$toMillis('2024-05-01 12:30', '[Y]-[M]-[D] [H]:[m]')", 1714566600000},
      {"$toMillis('01/05/2024', '[D01]/[M01]/[Y0001]')", 1714521600000},
      {"$toMillis('20240501', '[Y0001][M01][D01]')", 1714521600000},
      {"$toMillis('1 May 2024 3pm', '[D] [MNn] [Y] [h][P]')", 1714575600000},
      {"$fromMillis($toMillis('2024-02-29T23:59:59.999Z') + 1)", "2024-03-01T00:00:00.000Z"},
  };
  for (const auto& t : table) {
    auto v = at(t.expr);
    ASSERT_TRUE(v.has_value()) << t.expr;
    EXPECT_EQ(*v, t.want) << t.expr;
  }
  EXPECT_FALSE(at("$toMillis('May 2024', '[Y]-[M]')").has_value());
  for (const char* bad : {"$toMillis('yesterday')", "$toMillis('2024-13-01')", "$toMillis('2024-02-30')",
                          "$fromMillis('x')", "$fromMillis(1e300)", "$now('[E]')", "$now('[Y', '+0100')",
                          "$now('[Y]', 'CET')", "$millis(1)"}) {
    try {
      at(bad);
      ADD_FAILURE() << bad;
    } catch (const stepfunctions::StatesError& e) {
      EXPECT_EQ(e.error, "States.QueryEvaluationError") << bad;
    }
  }
}

TEST(StepFunctionsJsonata, PartialApplication) {
  struct T {
    std::string expr;
    json want;
  };
  std::vector<T> table = {
      {"($first := $substring(?, 0, 2); $first('hello'))", "he"},
      {"($from := $substring('hello', ?); $from(3))", "lo"},
      {"($mid := $substring(?, 1, ?); $mid('hello', 3))", "ell"},
      {"($add := function($a, $b) { $a + $b }; $inc := $add(?, 1); $inc(41))", 42},
      {"($add := function($a, $b) { $a - $b }; $from10 := $add(10, ?); $map([1, 2], $from10))", {9, 8}},
      {"'hello' ~> $substring(?, 1)", "ello"},
      {"$map(['ab', 'c'], $split(?, ''))", {json{"a", "b"}, json{"c"}}},
      {"$type($uppercase(?))", "function"},
      {"($up := $uppercase(?); $up('abc'))", "ABC"},
      {"($f := $substring(?, ?, 1); $f('abc', 2))", "c"},
      {"($f := $substring(?, 1); $g := $f ~> $uppercase; $g('abc'))", "BC"},
      {"$filter([1, 5, 10], ($gt := function($v, $n) { $v > $n }; $gt(?, 4)))", {5, 10}},
  };
  expect_values(table);
  // Malformed: a placeholder outside a call's argument list, or inside an argument expression.
  for (const char* bad : {"?", "$f(? + 1)", "$f(?,", "[?]", "$f((?))", "1 ? ? : 2", "$f(?", "$f(a ?)"}) {
    std::string why;
    EXPECT_EQ(jsonata::parse(bad, &why), nullptr) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  // Partially applying what is no function fails the evaluation.
  for (const char* bad : {"$nope(?, 1)", "($x := 1; $x(?))", "$states(?)", "($p := $substring(?, 1); $p(1))"}) {
    expect_query_error(bad);
  }
}

TEST(StepFunctionsJsonata, EncodingZipSpreadErrorAssert) {
  struct T {
    std::string expr;
    json want;
  };
  std::vector<T> table = {
      {"$base64encode('hello wörld')", "aGVsbG8gd8O2cmxk"},
      {"$base64decode('aGVsbG8gd8O2cmxk')", "hello wörld"},
      {"$encodeUrlComponent('a b/c?d=é&x')", "a%20b%2Fc%3Fd%3D%C3%A9%26x"},
      {"$encodeUrl('https://x.org/a b?q=é&r=1#f')", "https://x.org/a%20b?q=%C3%A9&r=1#f"},
      {"$decodeUrlComponent('a%20b%2Fc%3Fd%3D%C3%A9%26x')", "a b/c?d=é&x"},
      {"$decodeUrl('https://x.org/a%20b?q=%C3%A9%26')", "https://x.org/a b?q=é%26"},
      {"$zip([1, 2, 3], ['a', 'b'])", {json{1, "a"}, json{2, "b"}}},
      {"$zip(1, 2)", {json{1, 2}}},
      {"$zip()", json::array()},
      {"$spread({'a': 1, 'b': 2})", {json{{"a", 1}}, json{{"b", 2}}}},
      {"$spread([{'a': 1}, {'b': 2, 'c': 3}])", {json{{"a", 1}}, json{{"b", 2}}, json{{"c", 3}}}},
      {"$spread('x')", "x"},
      {"$count($shuffle([1, 2, 3, 4]))", 4},
      {"$sort($shuffle([3, 1, 2]))", {1, 2, 3}},
      {"$exists($assert(1 = 1, 'fine'))", false},
      {"$formatBase(100, 2)", "1100100"},
      {"$formatBase(255, 16)", "ff"},
      {"$formatBase(-255, 16)", "-ff"},
      {"$formatBase(2.5)", "2"},
      {"$formatBase(35, 36)", "z"},
      {"$formatBase(0, 2)", "0"},
      {"$single([7])", 7},
      {"$single([1, 2, 3], function($v) { $v > 2 })", 3},
      {"$single($states.input.orders, function($o, $i) { $i = 1 }).id", 2},
  };
  expect_values(table);
  struct Bad {
    std::string expr, cause;
  };
  std::vector<Bad> bad = {
      {"$error('out of stock')", "out of stock"},
      {"$error()", "$error() function evaluated"},
      {"$assert(1 = 2, 'one is not two')", "one is not two"},
      {"$assert(false)", "$assert() statement failed"},
      {"$assert('yes', 'x')", "$assert: the first argument must be a boolean"},
      {"$decodeUrlComponent('%E0%A4%A')", "$decodeUrlComponent: malformed URL"},
      {"$decodeUrlComponent('%zz')", "$decodeUrlComponent: malformed URL"},
      {"$decodeUrl('%C3')", "$decodeUrl: malformed URL"},
      {"$base64decode('!!')", "$base64decode: the argument is not base64 of UTF-8 text"},
      {"$base64decode('/w==')", "$base64decode: the argument is not base64 of UTF-8 text"},
      {"$single([1, 2])", "The $single() function expected exactly 1 matching result.  Instead it matched more."},
      {"$single([1, 2], function($v) { $v > 5 })", "The $single() function expected exactly 1 matching result.  Instead it matched 0."},
      {"$single([1], 2)", "$single: argument 2 must be a function"},
      {"$formatBase(10, 1)", "$formatBase: the radix must be between 2 and 36"},
      {"$formatBase(10, 37)", "$formatBase: the radix must be between 2 and 36"},
      {"$formatBase(1e300, 2)", "$formatBase: the number is too large"},
  };
  expect_query_errors(bad);
}

// $formatInteger, $parseInteger and $formatNumber: the JSONata documentation's examples first.
TEST(StepFunctionsJsonata, NumberFormatting) {
  struct T {
    std::string expr;
    json want;
  };
  std::vector<T> table = {
      {"$formatInteger(2789, 'w')", "two thousand, seven hundred and eighty-nine"},
      {"$formatInteger(1999, 'I')", "MCMXCIX"},
      {"$parseInteger('twelve thousand, four hundred and seventy-six', 'w')", 12476},
      {"$parseInteger('12,345,678', '#,##0')", 12345678},
      {"$formatNumber(12345.6, '#,###.00')", "12,345.60"},
      {"$formatNumber(1234.5678, '00.000e0')", "12.346e2"},
      {"$formatNumber(34.555, '#0.00;(#0.00)')", "34.56"},
      {"$formatNumber(-34.555, '#0.00;(#0.00)')", "(34.56)"},
      {"$formatNumber(0.14, '01%')", "14%"},
      {"$formatNumber(0.14, '###pm', {'per-mille': 'pm'})", "140pm"},
      {"$formatNumber(1234.5678, '①①.①①①e①', {'zero-digit': '\u245f'})", "①②.③④⑥e②"},
      {"$formatNumber(0.4857, '###.###‰')", "485.7‰"},
      {"$formatNumber(34.555, '#.00e0')", "0.35e2"},
      {"$formatNumber(123.9, '9999')", "0124"},
      {"$formatNumber(-6, '000')", "-006"},
      {"$formatNumber(2, '000.000')", "002.000"},
      {"$formatNumber(1E20, '#,######')", "100,000000,000000,000000"},
      {"$formatNumber(1234567.891, '#,##0.00')", "1,234,567.89"},
      {"$formatNumber(0, '#')", "0"},
      {"$formatNumber(1e20, '0.00')", "100000000000000000000.00"},
      {"$formatNumber(100, '#')", "100"},
      {"$formatNumber(3.1, '0.0#')", "3.1"},
      {"$formatNumber(3.14159, '0.0#')", "3.14"},
      {"$formatNumber(0.5, '#.##')", ".5"},
      {"$formatNumber(2.5, '0')", "2"},
      {"$formatNumber(3.5, '0')", "4"},
      {"$formatNumber(0.00123, '0.00e00')", "1.23e-03"},
      {"$formatNumber(1234.5, '#.##0,00', {'decimal-separator': ',', 'grouping-separator': '.'})", "1.234,50"},
      {"$formatNumber(-1.5, '0.0', {'minus-sign': '~'})", "~1.5"},
      {"$formatInteger(2789, 'W')", "TWO THOUSAND, SEVEN HUNDRED AND EIGHTY-NINE"},
      {"$formatInteger(2789, 'Ww')", "Two Thousand, Seven Hundred and Eighty-Nine"},
      {"$formatInteger(1005, 'w')", "one thousand and five"},
      {"$formatInteger(1000000, 'w')", "one million"},
      {"$formatInteger(0, 'w')", "zero"},
      {"$formatInteger(-12, 'w')", "-twelve"},
      {"$formatInteger(20, 'w;o')", "twentieth"},
      {"$formatInteger(123, 'w;o')", "one hundred and twenty-third"},
      {"$formatInteger(1999, 'i')", "mcmxcix"},
      {"$formatInteger(2024, 'I')", "MMXXIV"},
      {"$formatInteger(7, '000')", "007"},
      {"$formatInteger(1234567, '#,##0')", "1,234,567"},
      {"$formatInteger(123, '#,##0')", "123"},
      {"$formatInteger(1234567, '#,##,##0')", "12,34,567"},
      {"$formatInteger(12345678, '0-000 000')", "12-345 678"},
      {"$formatInteger(-1234, '#,##0')", "-1,234"},
      {"$formatInteger(12.9, '0')", "12"},
      {"$formatInteger(1, '1;o')", "1st"},
      {"$formatInteger(12, '1;o')", "12th"},
      {"$formatInteger(22, '1;o')", "22nd"},
      {"$formatInteger(113, '1;o')", "113th"},
      {"$formatInteger(28, 'a')", "ab"},
      {"$formatInteger(26, 'A')", "Z"},
      {"$parseInteger('MCMXCIX', 'I')", 1999},
      {"$parseInteger('mmxxiv', 'i')", 2024},
      {"$parseInteger('one hundred and twenty-third', 'w;o')", 123},
      {"$parseInteger('Two Million, Five', 'Ww')", 2000005},
      {"$parseInteger('007', '000')", 7},
      {"$parseInteger('22nd', '1;o')", 22},
      {"$parseInteger('-1,234', '#,##0')", -1234},
      {"$parseInteger('ab', 'a')", 28},
      {"$parseInteger($formatInteger(987654321, 'w'), 'w')", 987654321},
      {"$exists($formatNumber($states.input.missing, '0'))", false},
      {"$exists($parseInteger($states.input.missing, '0'))", false},
  };
  expect_values(table);
  struct Bad {
    std::string expr, cause;
  };
  std::vector<Bad> bad = {
      {"$formatNumber(20, '#;#;#')",
       "$formatNumber: the picture string must not contain more than one instance of the 'pattern-separator' character"},
      {"$formatNumber(1, '0.0.0')",
       "$formatNumber: the picture string must not contain more than one instance of the 'decimal-separator' character"},
      {"$formatNumber(1, '%0%')", "$formatNumber: the picture string must not contain more than one instance of the 'percent' character"},
      {"$formatNumber(1, '0%‰')", "$formatNumber: the picture string must not contain both a 'percent' and a 'per-mille' character"},
      {"$formatNumber(1, 'abc')",
       "$formatNumber: the mantissa part of a sub-picture must contain at least one digit or optional digit character"},
      {"$formatNumber(1, '0x0')", "$formatNumber: a sub-picture must not contain a passive character between active characters"},
      {"$formatNumber(1, '0,.0')", "$formatNumber: a grouping separator must not be adjacent to a decimal separator"},
      {"$formatNumber(1, '0#')",
       "$formatNumber: the integer part of a sub-picture must not contain a digit followed by an optional digit character"},
      {"$formatNumber(1, '.#0')",
       "$formatNumber: the fractional part of a sub-picture must not contain an optional digit character followed by a digit"},
      {"$formatNumber(1, '0e0%')", "$formatNumber: a sub-picture with a 'percent' or 'per-mille' character must not have an exponent"},
      {"$formatNumber(1, '0', {'digit': 'ab'})", "$formatNumber: the option 'digit' must be a single character"},
      {"$formatNumber(1, '0', 5)", "$formatNumber: argument 3 must be an object"},
      {"$formatNumber('1', '0')", "$formatNumber: argument 1 must be a number"},
      {"$formatNumber(1, '0.' & $join([1..101].'0'))", "$formatNumber: too many digits in the picture"},
      {"$formatInteger(1, 'Nn')", "$formatInteger: unsupported picture 'Nn'"},
      {"$formatInteger(1, '#')", "$formatInteger: the picture '#' must contain at least one digit"},
      {"$formatInteger(1, '0#')", "$formatInteger: a '#' must not follow a digit in the picture '0#'"},
      {"$formatInteger(1, ',0')", "$formatInteger: a grouping separator must be between digits in the picture ',0'"},
      {"$formatInteger(1, '0;x')", "$formatInteger: unsupported picture modifier 'x'"},
      {"$formatInteger(1e16, '0')", "$formatInteger: the number is too large"},
      {"$formatInteger(200000, 'I')", "$formatInteger: the number is too large for roman numerals"},
      {"$parseInteger('twelve bananas', 'w')", "$parseInteger: 'twelve bananas' does not match the picture 'w'"},
      {"$parseInteger('MCMZ', 'I')", "$parseInteger: 'MCMZ' does not match the picture 'I'"},
      {"$parseInteger('12a', '0')", "$parseInteger: '12a' does not match the picture '0'"},
      {"$parseInteger('', '0')", "$parseInteger: '' does not match the picture '0'"},
      {"$parseInteger('1', '0', 3)", "$parseInteger: wrong number of arguments"},
  };
  expect_query_errors(bad);
}

TEST(StepFunctionsJsonata, CallingAnyFunctionValue) {
  struct T {
    std::string expr;
    json want;
  };
  std::vector<T> table = {
      {"function($x) { $x * 2 }(21)", 42},
      {"(function($a, $b) { $a & $b })('x', 'y')", "xy"},
      {"/b+/('abbbc').match", "bbb"},
      {"($f := $lowercase; ($f)('MiX'))", "mix"},
      {"($make := function($n) { function($x) { $x + $n } }; $make(1)(2))", 3},
  };
  expect_values(table);
  for (const char* bad : {"function($x) { $x }(?)", "(1)(?, 2)"}) {
    std::string why;
    EXPECT_EQ(jsonata::parse(bad, &why), nullptr) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  for (const char* bad : {"foo(1)", "(1 + 2)(3)", "'abc'(1)"}) {
    try {
      eval(bad);
      ADD_FAILURE() << bad;
    } catch (const stepfunctions::StatesError& e) {
      EXPECT_EQ(e.error, "States.QueryEvaluationError") << bad;
      EXPECT_EQ(e.cause, "Attempted to invoke a non-function") << bad;
    }
  }
}

TEST(StepFunctionsJsonata, OrderBy) {
  struct T {
    std::string expr;
    json want;
  };
  std::vector<T> table = {
      {"$states.input.orders^(>total).id", {2, 1}},
      {"$states.input.orders^(total).id", {1, 2}},
      {"[3, 1, 2]^($)", {1, 2, 3}},
      {"[{'a': 1, 'b': 'y'}, {'a': 1, 'b': 'x'}, {'a': 0, 'b': 'z'}]^(a, >b).b", {"z", "y", "x"}},
      {"[{'a': 2}, {'b': 1}, {'a': 1}]^(a)", {json{{"a", 1}}, json{{"a", 2}}, json{{"b", 1}}}},  // undefined last
      {"[{'k': 'b', 'i': 1}, {'k': 'a', 'i': 2}, {'k': 'b', 'i': 3}]^(<k).i", {2, 1, 3}},  // stable
  };
  expect_values(table);
  for (const char* bad : {"a^", "a^()", "a^(b", "a^(>)", "a^b"}) {
    std::string why;
    EXPECT_EQ(jsonata::parse(bad, &why), nullptr) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  for (const char* bad : {"[1, 'a']^($)", "[[1], [2]]^($)"}) {
    expect_query_error(bad);
  }
}
