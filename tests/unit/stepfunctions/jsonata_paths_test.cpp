// JSONata's path extras: % (the parent), #$i (a step's positions), @$v (joins that keep the
// context), ** (descendants) and $eval, over data shaped like the JSONata documentation's
// examples; malformed forms refused by the parser.
#include "stepfunctions/errors.hpp"
#include "stepfunctions/jsonata.hpp"
#include "stepfunctions/jsonata_check.hpp"

#include <gtest/gtest.h>

using nlohmann::json;
using namespace awan;
namespace jsonata = awan::stepfunctions::jsonata;

namespace {

json input() {
  return json::parse(R"({
    "Account": {"Account Name": "Firefly", "Order": [
      {"OrderID": "order103", "Product": [{"Product Name": "Bowler Hat", "Price": 34.45}, {"Product Name": "Trilby hat", "Price": 21.67}]},
      {"OrderID": "order104", "Product": [{"Product Name": "Bowler Hat", "Price": 34.45}, {"Product Name": "Cloak", "Price": 107.99}]}]},
    "library": {
      "books": [{"title": "A", "isbn": "1", "authors": ["K", "R"]}, {"title": "B", "isbn": "2", "authors": ["S"]},
                {"title": "C", "isbn": "3", "authors": ["K"]}],
      "loans": [{"customer": "c1", "isbn": "3"}, {"customer": "c2", "isbn": "1"}]}})");
}

std::optional<json> eval(const std::string& expr) {
  json s = {{"input", input()}};
  json vars = json::object();
  std::string why;
  auto n = jsonata::parse(expr, &why);
  if (!n) throw std::runtime_error("does not parse: " + why);
  return jsonata::evaluate(*n, jsonata::Bindings{s, vars});
}

void expect_values(const std::vector<sfn_test::JsonataCase>& table) { sfn_test::expect_jsonata_values(table, eval); }

// The expression fails with States.QueryEvaluationError whose cause starts with `cause`.
void expect_error(const std::string& expr, const std::string& cause) {
  try {
    eval(expr);
    ADD_FAILURE() << expr;
  } catch (const stepfunctions::StatesError& e) {
    EXPECT_EQ(e.error, "States.QueryEvaluationError") << expr;
    EXPECT_EQ(e.cause.substr(0, cause.size()), cause) << expr << ": " << e.cause;
  }
}

}  // namespace

TEST(StepFunctionsJsonataPaths, Parent) {
  expect_values({
      {"Account.Order.Product.{'p': `Product Name`, 'o': %.OrderID, 'a': %.%.`Account Name`}",
       json::parse(R"([{"p": "Bowler Hat", "o": "order103", "a": "Firefly"}, {"p": "Trilby hat", "o": "order103", "a": "Firefly"},
                       {"p": "Bowler Hat", "o": "order104", "a": "Firefly"}, {"p": "Cloak", "o": "order104", "a": "Firefly"}])")},
      {"Account.Order.Product[%.OrderID = 'order104'].`Product Name`", {"Bowler Hat", "Cloak"}},
      {"Account.Order[0].%.`Account Name`", "Firefly"},
      {"Account.Order.Product.%.OrderID", {"order103", "order103", "order104", "order104"}},
      {"$count(Account.Order.Product[%.OrderID = 'order103'])", 2},
  });
  expect_error("%", "The object representing the 'parent' cannot be derived from this expression");
  expect_error("Account.%.%", "The object representing the 'parent' cannot be derived from this expression");
}

TEST(StepFunctionsJsonataPaths, PositionAndContextBinding) {
  expect_values({
      {"library.books#$i['K' in authors].{'title': title, 'index': $i}",
       json::parse(R"([{"title": "A", "index": 0}, {"title": "C", "index": 2}])")},
      {"library.books#$i.$i", {0, 1, 2}},
      {"Account.Order#$o.Product.{'o': $o, 'p': `Product Name`}",
       json::parse(R"([{"o": 0, "p": "Bowler Hat"}, {"o": 0, "p": "Trilby hat"}, {"o": 1, "p": "Bowler Hat"}, {"o": 1, "p": "Cloak"}])")},
      {"Account.Order.Product#$i.$i", {0, 1, 0, 1}},
      {"library.books[title != 'A']#$i.{'t': title, 'i': $i}", json::parse(R"([{"t": "B", "i": 0}, {"t": "C", "i": 1}])")},
      {"library.loans@$l.books@$b[$l.isbn = $b.isbn].{'title': $b.title, 'customer': $l.customer}",
       json::parse(R"([{"title": "C", "customer": "c1"}, {"title": "A", "customer": "c2"}])")},
      {"library.books@$b.$b.title", {"A", "B", "C"}},
      {"$count(library.loans@$l.books@$b)", 6},
  });
}

TEST(StepFunctionsJsonataPaths, DescendantsAndEval) {
  expect_values({
      {"Account.**.OrderID", {"order103", "order104"}},
      {"$count(Account.**.Price)", 4},
      {"**.isbn", {"1", "2", "3", "3", "1"}},
      {"library.books[0].**", json::parse(R"([{"title": "A", "isbn": "1", "authors": ["K", "R"]}, "K", "R", "1", "A"])")},
      {"$eval('1 + 2')", 3},
      {"$eval('title', library.books[1])", "B"},
      {"($x := 4; $eval('$x * 2'))", 8},
      {"$eval('[1, 2, 3]').($ * 10)", {10, 20, 30}},
      {"$eval('function($n) { $n + 1 }')(41)", 42},
  });
  expect_error("$eval('1 +')", "Syntax error in expression passed to function eval");
  expect_error("$eval('1 + \"a\"')", "Dynamic error evaluating the expression passed to function eval");
  expect_error("$eval(1)", "$eval: argument 1 must be a string");
  EXPECT_FALSE(eval("$eval(missing)").has_value());
}

TEST(StepFunctionsJsonataPaths, Malformed) {
  for (const char* bad : {"a@", "a#", "a@b", "a#1", "a@$", "a#$$", "a@($x)", "%%", "**2", "a**b", "a.#$i", "@$x", "#$i",
                          "a[0]@$x", "a^(b)@$x"}) {
    std::string why;
    EXPECT_EQ(jsonata::parse(bad, &why), nullptr) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  // Long chains of bindings and parents stay bounded (no crash).
  std::string chain = "a";
  for (int i = 0; i < 5000; ++i) chain += "#$i";
  auto n = jsonata::parse(chain);
  ASSERT_NE(n, nullptr);
  json s = {{"input", {{"a", {1, 2}}}}};
  json vars = json::object();
  EXPECT_EQ(jsonata::evaluate(*n, jsonata::Bindings{s, vars}), json({1, 2}));
  std::string parents = "a";
  for (int i = 0; i < 3000; ++i) parents += ".%";
  n = jsonata::parse(parents);
  ASSERT_NE(n, nullptr);
  EXPECT_THROW(jsonata::evaluate(*n, jsonata::Bindings{s, vars}), stepfunctions::StatesError);
  // ** over a value nested deeper than the evaluator goes.
  json deep = 1;
  for (int i = 0; i < 300; ++i) deep = json::array({deep});
  json d = {{"input", deep}};
  n = jsonata::parse("**");
  EXPECT_THROW(jsonata::evaluate(*n, jsonata::Bindings{d, vars}), stepfunctions::StatesError);
}

TEST(StepFunctionsJsonataPaths, FunctionsInArraysAndObjects) {
  expect_values({
      {"{'double': function($x) { $x * 2 }}.double(21)", 42},
      {"($o := {'f': function($x) { $x + 1 }, 'n': 1}; $o.f($o.n))", 2},
      {"[function($x) { $x }, $uppercase][1]('ab')", "AB"},
      {"($fs := [$lowercase, function($s) { $s & '!' }]; $map($fs, function($f) { $f('Hi') }))", {"hi", "Hi!"}},
      {"($t := {'inc': function($n) { $n + 1 }}; $t.inc($t.inc(1)))", 3},
      {"$type({'f': $string}.f)", "function"},
      // Where JSON is needed, a function inside is left out.
      {"{'f': function() { 1 }, 'n': 2}", {{"n", 2}}},
      {"[1, $string, 2]", {1, 2}},
      {"$string({'f': $string, 'n': 1})", "{\"n\":1}"},
      {"[1, $string] & ''", "[1]"},
  });
  expect_error("{'n': 1}.n(2)", "Attempted to invoke a non-function");
}

TEST(StepFunctionsJsonataPaths, FunctionSignatures) {
  const std::string add = "($add := function($x, $y)<nn:n> { $x + $y }; ";
  const std::string count = "($f := function($a)<a<n>> { $count($a) }; ";
  expect_values({
      {add + "$add(1, 2))", 3},
      {count + "$f(5))", 1},
      {count + "$f([1, 2, 3]))", 3},
      {"[1, 2, 3].(function($x)<n->{ $x * 10 })()", {10, 20, 30}},
      {"function($s, $n)<sn?:s>{ $s & $string($n) }('a')", "a"},
      {"function($s, $n)<sn?:s>{ $s & $string($n) }('a', 1)", "a1"},
      {"function($v)<(sn)>{ $v }(1)", 1},
      {"function($a, $b)<s+n>{ $b }('a', 'b', 3)", "b"},
      {"function($f, $x)<f<n:n>n:n>{ $f($x) }(function($y) { $y + 1 }, 1)", 2},
      {"library.books[0].(function($o)<o-:s>{ $o.title })()", "A"},
      {"$map([1, 2], function($v)<n:n>{ $v * 2 })", {2, 4}},
  });
  EXPECT_FALSE(eval(add + "$add(1, $states.input.missing))").has_value());  // undefined fits any parameter
  expect_error(add + "$add(1, 'a'))", "Argument 2 of function add does not match function signature");
  expect_error(add + "$add(1))", "Argument 2 of function add does not match function signature");
  expect_error(add + "$add(1, 2, 3))", "Argument 3 of function add does not match function signature");
  expect_error(count + "$f(['x']))", "Argument 1 of function f must be an array of numbers");
  expect_error("library.books[0].(function($x)<n->{ $x })()", "Context value is not a compatible type with argument 1 of function");
  expect_error("function($v)<(sn)>{ $v }(true)", "Argument 1 of function does not match function signature");
  expect_error("function($a, $b)<s+n>{ $b }(3)", "Argument 1 of function does not match function signature");
  expect_error("function($x)<j>{ $x }($string)", "Argument 1 of function does not match function signature");
  for (const char* bad : {"function($x)<q>{1}", "function($x)<n", "function($x)<(sn>{1}", "function($x)<n<n>>{1}",
                          "function($x)<a<nn>>{1}", "function($x)<n:>{1}", "function($x)<()>{1}", "function($x)<f<q>>{1}",
                          "function($x)<a<n>{1}"}) {
    std::string why;
    EXPECT_EQ(jsonata::parse(bad, &why), nullptr) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  // Many arguments for a `+` parameter: fitted in linear time.
  std::string many = "function($a, $b)<n+s?>{ $a }(";
  for (int i = 0; i < 3000; ++i) many += std::to_string(i) + ", ";
  expect_values({{many + "'s')", 0}});
  expect_error(many + "'s', 1)", "Argument 3002 of function does not match function signature");
  std::string deep = "function($x)<";
  for (int i = 0; i < 2000; ++i) deep += "f<";
  EXPECT_EQ(jsonata::parse(deep + "n" + std::string(2000, '>') + ">{1}"), nullptr);  // bounded, refused
}
