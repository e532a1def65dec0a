#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "awan/error.hpp"
#include "dynamodb/expression.hpp"

using namespace awan::dynamodb;
using namespace awan::dynamodb::expr;
using nlohmann::json;

namespace {

std::string filter_error(const std::string& text, json names = nullptr, json values = nullptr) {
  Context ctx;
  if (!names.is_null()) ctx.names = &names;
  if (!values.is_null()) ctx.values = &values;
  try {
    parse_condition(text, "FilterExpression", ctx);
    return "OK";
  } catch (const awan::AwsError& e) {
    return e.message;
  }
}

std::string update_error(const std::string& text, json names = nullptr, json values = nullptr) {
  Context ctx;
  if (!names.is_null()) ctx.names = &names;
  if (!values.is_null()) ctx.values = &values;
  try {
    parse_update(text, ctx);
    return "OK";
  } catch (const awan::AwsError& e) {
    return e.message;
  }
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

bool cond(const std::string& text, const json& item, json values = json::object(), json names = nullptr) {
  Context ctx;
  if (!names.is_null()) ctx.names = &names;
  ctx.values = &values;
  Node n = parse_condition(text, "ConditionExpression", ctx);
  return evaluate(n, item);
}

json update(const std::string& text, json item, json values = json::object(), json names = nullptr) {
  Context ctx;
  if (!names.is_null()) ctx.names = &names;
  ctx.values = &values;
  try {
    Update u = parse_update(text, ctx);
    apply_update(u, item);
  } catch (const awan::AwsError& e) {
    ADD_FAILURE() << text << ": " << e.message;
    throw;
  }
  return item;
}

}  // namespace

TEST(ExpressionSyntax, MalformedConditionsAreSyntaxErrors) {
  const std::vector<std::string> cases = {
      "things are not gonna be ok", "a > 4", "attribute_exists(Pictures-RearView)",
      "attribute_exists(\"Pictures.RearView\")", "attribute_exists(Pictures..RearView)",
      "attribute_exists(Pi#ctures.RearView)", "attribute_exists(asdf[a])", "a in b, c", "a > between", "a in b",
      "a in (b,c,)", "(a)between(b.(c.d))and(c)", "(a)between(b.c.d)and((c)", "#$.b > a", "a > :things.stuff",
      "b[:a] > a", "b[#_] > a", "\xc3\xbc > a", "(a)between(b.c[4.5].#d)and(:a)", "size(a).b > a", "(size(a)).b > a",
      "size(a)[0] > a", "(size(a))[0] > a", "a", "a AND b", "NOT a", "a = b = c", "(", ")", "a = ", "a < > b",
      "a[", "a[1", "a.", "#", ":", "a = :v OR", "a BETWEEN :x", "a BETWEEN :x OR :y", "= a", "a == b",
      "attribute_exists(a) extra", "a IN ()", "a.1 = b", "(a = b) = c"};
  for (const auto& c : cases)
    EXPECT_TRUE(starts_with(filter_error(c), "Invalid FilterExpression: Syntax error; ")) << c << " -> " << filter_error(c);
}

TEST(ExpressionSyntax, SyntaxErrorTokenAndNear) {
  EXPECT_EQ(filter_error("a = :v1 b = :v2"), "Invalid FilterExpression: Syntax error; token: \"b\", near: \":v1 b =\"");
  EXPECT_EQ(filter_error("a ="), "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
  EXPECT_EQ(update_error("SET"), "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"SET\"");
  EXPECT_EQ(update_error("SET a = b +"), "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"+\"");
  EXPECT_EQ(filter_error(""), "Invalid FilterExpression: The expression can not be empty;");
  EXPECT_EQ(filter_error("   "), "Invalid FilterExpression: The expression can not be empty;");
  EXPECT_EQ(update_error(""), "Invalid UpdateExpression: The expression can not be empty;");
}

TEST(ExpressionSyntax, RedundantParentheses) {
  for (const std::string c : {"a=a and a > ((views))", "(a)between(((b.c)).d)and(c)", "a > whatever((:things), ((a)))",
                              "a=a AND ((a=a AND a=a)) AND a=a", "a=a OR ((a=a OR a=a)) OR a=a",
                              "a=a AND ((a=a AND (a=a AND a=a)))", "a=a OR ((a=a OR (a=a OR a=a)))"})
    EXPECT_EQ(filter_error(c), "Invalid FilterExpression: The expression has redundant parentheses;") << c;
}

TEST(ExpressionSemantics, FunctionNamesAndContexts) {
  EXPECT_EQ(filter_error("a=a and whatever((:things)) > a"), "Invalid FilterExpression: Invalid function name; function: whatever");
  EXPECT_EQ(filter_error("attRIbute_exIsts((views), #a)"), "Invalid FilterExpression: Invalid function name; function: attRIbute_exIsts");
  const std::vector<std::pair<std::string, std::string>> misuse = {
      {"a=a and attribute_exists((views), (#a)) > b", "attribute_exists"},
      {"attribute_not_exists(things) > b", "attribute_not_exists"},
      {"attribute_type(things, :a) > b", "attribute_type"},
      {"begins_with(things, a) > b", "begins_with"},
      {"contains(:things, c) > b", "contains"},
      {"size(contains(a, b)) > a", "contains"},
      {"size(things)", "size"},
      {"a between b and attribute_exists(things)", "attribute_exists"},
      {"a in (b, attribute_exists(things))", "attribute_exists"}};
  for (const auto& [e, f] : misuse)
    EXPECT_EQ(filter_error(e), "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: " + f) << e;
}

TEST(ExpressionSemantics, ReservedWords) {
  EXPECT_EQ(filter_error("attribute_exists(views, #a)"), "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: views");
  EXPECT_EQ(filter_error(":a < abOrT"), "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: abOrT");
  EXPECT_EQ(update_error(" remove Absolute "), "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Absolute");
  EXPECT_EQ(update_error(" set #c = :c set abOrt = true "), "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: abOrt");
  EXPECT_TRUE(is_reserved_word("status"));
  EXPECT_TRUE(is_reserved_word("Name"));
  EXPECT_TRUE(is_reserved_word("Store"));
  EXPECT_FALSE(is_reserved_word("Inventory"));
}

TEST(ExpressionSemantics, UndefinedNamesAndValues) {
  const std::string n = "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: ";
  EXPECT_EQ(filter_error("attribute_exists(#Pictures.RearView, :a) and a=a"), n + "#Pictures");
  EXPECT_EQ(filter_error("begins_with(Pictures.#RearView)"), n + "#RearView");
  EXPECT_EQ(filter_error("(#P between :lo and :hi) and (#PC in (:cat1, :cat2))"), n + "#P");
  EXPECT_EQ(filter_error("#4g > a"), n + "#4g");
  EXPECT_EQ(filter_error("(a)between(b.c[45].#d)and(:a)"), n + "#d");
  const std::string v = "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: ";
  EXPECT_EQ(filter_error("begins_with(:hello, #a, #b)"), v + ":hello");
  EXPECT_EQ(filter_error(":a < :b"), v + ":a");
  EXPECT_EQ(filter_error(":_ > a"), v + ":_");
}

TEST(ExpressionSemantics, OperandCountsAndTypes) {
  const std::string c = "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: ";
  EXPECT_EQ(filter_error("attribute_exists(things, a) and a=a"), c + "attribute_exists, number of operands: 2");
  EXPECT_EQ(filter_error("attribute_type(things)"), c + "attribute_type, number of operands: 1");
  EXPECT_EQ(filter_error("begins_with(things, size(a), b)"), c + "begins_with, number of operands: 3");
  EXPECT_EQ(filter_error("size(things, a) > b"), c + "size, number of operands: 2");
  const std::string t = "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: ";
  json n1 = {{":a", {{"N", "1"}}}};
  EXPECT_EQ(filter_error("attribute_type(a, :a)", nullptr, n1), t + "attribute_type, operand type: N");
  EXPECT_EQ(filter_error("attribute_type(a, size(a)) and a=a and a=:a", nullptr, n1), t + "attribute_type, operand type: N");
  EXPECT_EQ(filter_error("attribute_type(a, b)"), t + "attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
  EXPECT_EQ(filter_error("begins_with(a, :a)", nullptr, n1), t + "begins_with, operand type: N");
  EXPECT_EQ(filter_error("begins_with(:a, a)", nullptr, json{{":a", {{"BOOL", true}}}}), t + "begins_with, operand type: BOOL");
  EXPECT_EQ(filter_error("size(size(a)) > :a", nullptr, n1), t + "size, operand type: N");
  EXPECT_EQ(filter_error("attribute_not_exists(size(:a))", nullptr, n1), t + "size, operand type: N");
  EXPECT_EQ(filter_error("size(:a) > a", nullptr, json{{":a", {{"NULL", true}}}}), t + "size, operand type: NULL");
  json s1 = {{":a", {{"S", "1"}}}};
  EXPECT_EQ(filter_error("attribute_exists(:a) and a=a", nullptr, s1),
            "Invalid FilterExpression: Operator or function requires a document path; operator or function: attribute_exists");
  EXPECT_EQ(filter_error("attribute_not_exists(size(:a))", nullptr, s1),
            "Invalid FilterExpression: Operator or function requires a document path; operator or function: attribute_not_exists");
  EXPECT_TRUE(starts_with(filter_error("attribute_type(a, :a)", nullptr, s1),
                          "Invalid FilterExpression: Invalid attribute type name found; type: 1, valid types: {"));
}

TEST(ExpressionSemantics, DistinctOperands) {
  json names = {{"#a", "a"}};
  const std::string d = "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: ";
  EXPECT_EQ(filter_error("a = a AND #a = b AND :views > a", names), d + "=, first operand: [a]");
  EXPECT_EQ(filter_error("#a <> a", names), d + "<>, first operand: [a]");
  EXPECT_EQ(filter_error("contains(ab.bc[1].a, ab.bc[1].#a)", names), d + "contains, first operand: [ab, bc, [1], a]");
  EXPECT_EQ(filter_error("begins_with(ab.bc[1].a, ab.bc[1].#a)", names), d + "begins_with, first operand: [ab, bc, [1], a]");
}

TEST(ExpressionSemantics, BetweenBounds) {
  EXPECT_EQ(filter_error("a BETWEEN :x AND :y", nullptr, json{{":x", {{"N", "10"}}}, {":y", {{"N", "1"}}}}),
            "Invalid FilterExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
            "lower bound operand: AttributeValue: {N:10}, upper bound operand: AttributeValue: {N:1}");
  EXPECT_TRUE(starts_with(filter_error("a BETWEEN :x AND :y", nullptr, json{{":x", {{"N", "1"}}}, {":y", {{"S", "a"}}}}),
                          "Invalid FilterExpression: The BETWEEN operator requires same data type for lower and upper bounds"));
}

TEST(ExpressionSemantics, UnusedNamesAndValues) {
  json names = {{"#a", "a"}, {"#b", "b"}};
  json values = {{":a", {{"S", "a"}}}, {":b", {{"S", "a"}}}, {":c", {{"S", "a"}}}};
  Context ctx;
  ctx.values = &values;
  parse_update("remove a", ctx);
  parse_condition("a = :b", "ConditionExpression", ctx);
  try {
    check_unused(ctx);
    FAIL();
  } catch (const awan::AwsError& e) {
    EXPECT_EQ(e.message, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :c}");
  }
  Context ctx2;
  ctx2.names = &names;
  parse_condition("#a = b", "ConditionExpression", ctx2);
  try {
    check_unused(ctx2);
    FAIL();
  } catch (const awan::AwsError& e) {
    EXPECT_EQ(e.message, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}");
  }
}

TEST(UpdateSyntax, MalformedUpdatesAreSyntaxErrors) {
  for (const std::string c :
       {"whatever", "set a", "add a", "delete a", "set a=set", "remove a = b", "add a = b", "delete a = b", "delete a b",
        "delete a if_not_exist(b)", "add abort b", "add a if_not_exist(b)", "remove a b", "set a b", "set :a = b",
        "add :a b", "delete :a b", "remove :a", "set a = b / c", "set a = b * c", "set a[1] = \"eight\"", "set a[1] = 1",
        "SET a = if_not_exist(a, 100)", "SET if_not_exist(a, b) = a", "set (a = (b + c))", "set a = (b.c).d + e",
        "set a = (b.c)[0] + e", "set a = b + c + d", "set a = :v,", "remove a,", "SET a = :v REMOVE"})
    EXPECT_TRUE(starts_with(update_error(c), "Invalid UpdateExpression: Syntax error; ")) << c << " -> " << update_error(c);
}

TEST(UpdateSemantics, ValidationPhases) {
  json values = {{":a", {{"S", "a"}}}, {":b", {{"S", "a"}}}};
  json names = {{"#a", "a"}, {"#b", "b"}};
  EXPECT_TRUE(starts_with(update_error("set #c = if_not_exist(:c) set c = d", names, values),
                          "Invalid UpdateExpression: Invalid function name; function: "));
  EXPECT_EQ(update_error("set a = #c set c = :d", names, values),
            "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;");
  EXPECT_EQ(update_error("remove #d set a = b remove e", names, values),
            "Invalid UpdateExpression: The \"REMOVE\" section can only be used once in an update expression;");
  EXPECT_TRUE(starts_with(update_error("SET #c = if_not_exists(:c)", names, values),
                          "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #"));
  EXPECT_TRUE(starts_with(update_error("SET #a = if_not_exists(:c)", names, values),
                          "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :"));
  json pn = {{"#c", "c"}, {"#d", "[3]"}};
  EXPECT_EQ(update_error("set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)", pn),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; "
            "path one: [c, [1], a], path two: [c]");
  EXPECT_EQ(update_error("set #c[3].#d = a, #c[3] = a", pn),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; "
            "path one: [c, [3], [3]], path two: [c, [3]]");
  EXPECT_EQ(update_error("set #c[3].#d = a, #c.#d[3] = if_not_exists(a)", pn),
            "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; "
            "path one: [c, [3], [3]], path two: [c, [3], [3]]");
  EXPECT_EQ(update_error("remove a.#c set a[1] = #d", json{{"#b", "b"}, {"#c", "c"}, {"#d", "[3]"}}),
            "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; "
            "path one: [a, c], path two: [a, [1]]");
  EXPECT_EQ(update_error("set b = list_append(:a, a), c = if_not_exists(a) add a.b :a", nullptr, json{{":a", {{"S", "a"}}}, {":b", {{"S", "a"}}}}),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND");
  EXPECT_EQ(update_error("delete a.b :a", nullptr, json{{":a", {{"N", "1"}}}}),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND");
  EXPECT_TRUE(starts_with(update_error("set a = if_not_exists(c)"),
                          "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"));
  EXPECT_EQ(update_error("set a = if_not_exists(:a, c)", nullptr, values),
            "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists");
  json tv = {{":a", {{"S", "a"}}}, {":b", {{"N", "1"}}}, {":j", {{"L", json::array()}}}};
  const std::string t = "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: ";
  EXPECT_EQ(update_error("set a = list_append(:a, a)", nullptr, json{{":a", {{"S", "a"}}}}), t + "list_append, operand type: S");
  EXPECT_EQ(update_error("set a = a + :a", nullptr, json{{":a", {{"S", "a"}}}}), t + "+, operand type: S");
  EXPECT_EQ(update_error("set a = a - :j", nullptr, json{{":j", {{"L", json::array()}}}}), t + "-, operand type: L");
  EXPECT_EQ(update_error("set a = :b + :b", nullptr, json{{":b", {{"N", "1"}}}}), "OK");
  EXPECT_EQ(update_error("set a = (b + :b)", nullptr, json{{":b", {{"N", "1"}}}}), "OK");
  EXPECT_EQ(update_error("SET a = size(b)"), "Invalid UpdateExpression: The function is not allowed in an update expression; function: size");
}

TEST(ConditionEval, ComparisonsAndFunctions) {
  json item = {{"s", {{"S", "hello"}}},
               {"n", {{"N", "10"}}},
               {"ss", {{"SS", {"a", "b"}}}},
               {"ns", {{"NS", {"1", "2"}}}},
               {"l", {{"L", {{{"S", "x"}}, {{"N", "3"}}}}}},
               {"m", {{"M", {{"k", {{"S", "v"}}}, {"deep", {{"L", {{{"N", "7"}}}}}}}}}},
               {"b", {{"BOOL", true}}}};
  EXPECT_TRUE(cond("n = :v", item, {{":v", {{"N", "10.0"}}}}));
  EXPECT_TRUE(cond("n > :v", item, {{":v", {{"N", "9.5"}}}}));
  EXPECT_FALSE(cond("n > :v", item, {{":v", {{"S", "9"}}}}));
  EXPECT_TRUE(cond("s < :v", item, {{":v", {{"S", "help"}}}}));
  EXPECT_TRUE(cond("nothere <> :v", item, {{":v", {{"S", "x"}}}}));
  EXPECT_FALSE(cond("nothere = :v", item, {{":v", {{"S", "x"}}}}));
  EXPECT_TRUE(cond("n BETWEEN :a AND :b", item, {{":a", {{"N", "1"}}}, {":b", {{"N", "10"}}}}));
  EXPECT_FALSE(cond("n BETWEEN :a AND :b", item, {{":a", {{"N", "11"}}}, {":b", {{"N", "20"}}}}));
  EXPECT_TRUE(cond("n IN (:a, :b)", item, {{":a", {{"N", "1"}}}, {":b", {{"N", "10"}}}}));
  EXPECT_TRUE(cond("attribute_exists(m.deep[0]) AND attribute_not_exists(m.deep[1])", item));
  EXPECT_TRUE(cond("m.k = :v", item, {{":v", {{"S", "v"}}}}));
  EXPECT_TRUE(cond("begins_with(s, :p)", item, {{":p", {{"S", "hel"}}}}));
  EXPECT_FALSE(cond("begins_with(s, :p)", item, {{":p", {{"S", "help"}}}}));
  EXPECT_TRUE(cond("contains(s, :p)", item, {{":p", {{"S", "ll"}}}}));
  EXPECT_TRUE(cond("contains(ss, :p)", item, {{":p", {{"S", "b"}}}}));
  EXPECT_TRUE(cond("contains(ns, :p)", item, {{":p", {{"N", "2.0"}}}}));
  EXPECT_TRUE(cond("contains(l, :p)", item, {{":p", {{"N", "3"}}}}));
  EXPECT_TRUE(cond("size(s) = :five", item, {{":five", {{"N", "5"}}}}));
  EXPECT_TRUE(cond("size(l) < size(s)", item));
  EXPECT_FALSE(cond("size(n) > :z", item, {{":z", {{"N", "0"}}}}));
  EXPECT_TRUE(cond("attribute_type(ss, :t)", item, {{":t", {{"S", "SS"}}}}));
  EXPECT_TRUE(cond("NOT (n = :v) OR b = :t", item, {{":v", {{"N", "10"}}}, {":t", {{"BOOL", true}}}}));
  EXPECT_FALSE(cond("n = :v AND NOT b = :t", item, {{":v", {{"N", "10"}}}, {":t", {{"BOOL", true}}}}));
  EXPECT_TRUE(cond("#s = :v", item, {{":v", {{"S", "hello"}}}}, {{"#s", "s"}}));
  EXPECT_TRUE(cond("attribute_not_exists(id)", json::object()));
  // AND binds tighter than OR
  EXPECT_TRUE(cond("n = :x OR n = :v AND b = :t", item, {{":x", {{"N", "1"}}}, {":v", {{"N", "10"}}}, {":t", {{"BOOL", true}}}}));
}

TEST(UpdateEval, SetRemoveAddDelete) {
  json item = {{"id", {{"S", "k"}}}, {"n", {{"N", "5"}}}, {"l", {{"L", {{{"N", "1"}}, {{"N", "2"}}, {{"N", "3"}}}}}},
               {"m", {{"M", {{"a", {{"S", "x"}}}}}}}, {"ss", {{"SS", {"a", "b"}}}}};
  auto r = update("SET n = n + :one, m.b = :s, l[1] = :s, l[10] = :s, newl = list_append(:l, l) REMOVE ss", item,
                  {{":one", {{"N", "1"}}}, {":s", {{"S", "z"}}}, {":l", {{"L", {{{"N", "0"}}}}}}});
  EXPECT_EQ(r["n"], json({{"N", "6"}}));
  EXPECT_EQ(r["m"]["M"]["b"], json({{"S", "z"}}));
  EXPECT_EQ(r["l"]["L"].size(), 4u);
  EXPECT_EQ(r["l"]["L"][1], json({{"S", "z"}}));
  EXPECT_EQ(r["l"]["L"][3], json({{"S", "z"}}));
  EXPECT_EQ(r["newl"]["L"].size(), 4u);  // computed from the original list
  EXPECT_FALSE(r.contains("ss"));
  r = update("REMOVE l[0], l[2]", item);
  EXPECT_EQ(r["l"]["L"], json::array({{{"N", "2"}}}));
  r = update("ADD n :d, ss :x, fresh :d", item, {{":d", {{"N", "-2.5"}}}, {":x", {{"SS", {"c"}}}}});
  r = update("DELETE ss :y", r, {{":y", {{"SS", {"a"}}}}});
  EXPECT_EQ(r["n"], json({{"N", "2.5"}}));
  EXPECT_EQ(r["fresh"], json({{"N", "-2.5"}}));
  EXPECT_EQ(r["ss"]["SS"], json::array({"b", "c"}));
  r = update("DELETE ss :y", item, {{":y", {{"SS", {"a", "b"}}}}});
  EXPECT_FALSE(r.contains("ss"));
  r = update("SET c = if_not_exists(c, :v), n = if_not_exists(n, :v)", item, {{":v", {{"N", "0"}}}});
  EXPECT_EQ(r["c"], json({{"N", "0"}}));
  EXPECT_EQ(r["n"], json({{"N", "5"}}));
}

TEST(UpdateEval, RuntimeErrors) {
  json item = {{"s", {{"S", "x"}}}, {"n", {{"N", "1"}}}};
  auto err = [&](const std::string& e, json values) {
    try {
      Context ctx;
      ctx.values = &values;
      json copy = item;
      apply_update(parse_update(e, ctx), copy);
      return std::string("OK");
    } catch (const awan::AwsError& ex) {
      return ex.message;
    }
  };
  EXPECT_EQ(err("SET a = nothere + :v", {{":v", {{"N", "1"}}}}),
            "The provided expression refers to an attribute that does not exist in the item");
  EXPECT_EQ(err("SET a = s + :v", {{":v", {{"N", "1"}}}}), "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(err("ADD s :v", {{":v", {{"N", "1"}}}}), "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(err("SET nope.deep = :v", {{":v", {{"N", "1"}}}}),
            "The document path provided in the update expression is invalid for update");
  // A sum needing more than 38 digits: DynamoDB words it as an overflow.
  EXPECT_EQ(err("SET n = n + :v", {{":v", {{"N", "1e125"}}}}),
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
  EXPECT_EQ(err("SET n = n + :v", {{":v", {{"N", "1e37"}}}}), "OK");
}

TEST(Projection, PathsAndOverlap) {
  json item = {{"a", {{"S", "1"}}}, {"b", {{"M", {{"c", {{"N", "2"}}}, {"d", {{"N", "3"}}}}}}},
               {"l", {{"L", {{{"S", "x"}}, {{"S", "y"}}, {{"S", "z"}}}}}}};
  Context ctx;
  json names = {{"#b", "b"}};
  ctx.names = &names;
  auto paths = parse_projection("a, #b.c, l[2], l[0], nothere", ctx);
  json r = project(item, paths);
  EXPECT_EQ(r, json({{"a", {{"S", "1"}}}, {"b", {{"M", {{"c", {{"N", "2"}}}}}}}, {"l", {{"L", {{{"S", "x"}}, {{"S", "z"}}}}}}}));
  Context c2;
  try {
    parse_projection("a, a.b", c2);
    FAIL();
  } catch (const awan::AwsError& e) {
    EXPECT_EQ(e.message, "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]");
  }
  try {
    parse_projection("a b", c2);
    FAIL();
  } catch (const awan::AwsError& e) {
    EXPECT_EQ(e.message, "Invalid ProjectionExpression: Syntax error; token: \"b\", near: \"a b\"");
  }
  try {
    parse_projection("a,", c2);
    FAIL();
  } catch (const awan::AwsError& e) {
    EXPECT_EQ(e.message, "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", near: \",\"");
  }
}

TEST(ExpressionFuzz, NeverCrashes) {
  // Every prefix of a set of valid expressions is either valid or a ValidationException.
  const std::vector<std::string> seeds = {
      "attribute_exists(#a.b[1]) AND (c BETWEEN :x AND :y OR NOT d IN (:x, :y)) AND size(e) > :x",
      "SET a.b[2] = list_append(if_not_exists(l, :e), :x), n = n + :x REMOVE z[0] ADD s :y DELETE t :y"};
  json names = {{"#a", "a"}};
  json values = {{":x", {{"N", "1"}}}, {":y", {{"NS", {"1"}}}}, {":e", {{"L", json::array()}}}};
  for (const auto& s : seeds)
    for (size_t len = 0; len <= s.size(); ++len)
      for (int mode = 0; mode < 2; ++mode) {
        Context ctx;
        ctx.names = &names;
        ctx.values = &values;
        std::string t = s.substr(0, len);
        if (mode == 1 && len < s.size()) t += ")(";
        try {
          if (s[0] == 'S')
            parse_update(t, ctx);
          else
            parse_condition(t, "ConditionExpression", ctx);
        } catch (const awan::AwsError& e) {
          EXPECT_EQ(e.code, "ValidationException") << t;
        }
      }
}
