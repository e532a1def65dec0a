// Mapping templates (emulators/apigateway/vtl.hpp): references, $input, $util, directives and
// the bounds that keep a template from running away.
#include <gtest/gtest.h>

#include "apigateway/vtl.hpp"

namespace awan::apigateway {
namespace {

using json = nlohmann::json;

std::string render(const std::string& t, const std::string& body = "{}") {
  VtlInput in;
  in.body = body;
  in.path = {{"id", "42"}};
  in.querystring = {{"q", "x y"}};
  in.header = {{"X-H", "hv"}};
  in.context = {{"stage", "prod"}, {"identity", {{"sourceIp", "1.2.3.4"}}}};
  in.stage_variables = {{"v", "sv"}};
  auto r = render_vtl(t, in);
  return r.ok ? r.output : "ERROR: " + r.error;
}

TEST(RestVtl, InputJsonAndPath) {
  EXPECT_EQ(render("$input.json('$')", R"({"a": {"b": [1, 2]}})"), R"({"a":{"b":[1,2]}})");
  EXPECT_EQ(render("$input.json('$.a.b[1]')", R"({"a": {"b": [1, 2]}})"), "2");
  EXPECT_EQ(render("$input.path('$.a.b').size()", R"({"a": {"b": [1, 2]}})"), "2");
  EXPECT_EQ(render("$input.path('$.name')", R"({"name": "n"})"), "n");
  EXPECT_EQ(render("$input.body", "raw"), "raw");
  EXPECT_EQ(render("$input.json('$')", ""), "{}");
}

TEST(RestVtl, Params) {
  EXPECT_EQ(render("$input.params('id') $input.params('q') $input.params('X-H')"), "42 x y hv");
  EXPECT_EQ(render("$input.params().path.id"), "42");
  EXPECT_EQ(render("$input.params('missing')|"), "|");
  EXPECT_EQ(render("{\"id\": \"$input.params('id')\"}"), "{\"id\": \"42\"}");
}

TEST(RestVtl, ContextAndStageVariables) {
  EXPECT_EQ(render("$context.stage/$context.identity.sourceIp/$stageVariables.v"), "prod/1.2.3.4/sv");
  EXPECT_EQ(render("${stageVariables.v}x"), "svx");
}

TEST(RestVtl, UndefinedReferencesRenderThemselvesUnlessQuiet) {
  EXPECT_EQ(render("$nope.x"), "$nope.x");
  EXPECT_EQ(render("[$!nope]"), "[]");
}

TEST(RestVtl, Util) {
  EXPECT_EQ(render("$util.escapeJavaScript('a\"b')"), "a\\\"b");
  EXPECT_EQ(render("$util.base64Encode('hi')"), "aGk=");
  EXPECT_EQ(render("$util.base64Decode('aGk=')"), "hi");
  EXPECT_EQ(render("$util.urlEncode('a b&c')"), "a%20b%26c");
  EXPECT_EQ(render("$util.urlDecode('a%20b')"), "a b");
  EXPECT_EQ(render("$util.parseJson('{\"k\": 5}').k"), "5");
}

TEST(RestVtl, SetIfElse) {
  EXPECT_EQ(render("#set($x = 3)#if($x > 2)big#elseif($x > 1)mid#{else}small#end"), "big");
  EXPECT_EQ(render("#set($x = 2)#if($x > 2)big#elseif($x > 1)mid#{else}small#end"), "mid");
  EXPECT_EQ(render("#set($s = \"a$x\")#set($x = 1)$s"), "a$x");
  EXPECT_EQ(render("#set($x = 1)#set($s = \"a$x\")$s"), "a1");
  EXPECT_EQ(render("#if(!$nope)none#end"), "none");
  EXPECT_EQ(render("#if($input.params('id') == '42' && true)yes#end"), "yes");
}

TEST(RestVtl, Foreach) {
  EXPECT_EQ(render("#foreach($i in $input.path('$.xs'))$i#if($foreach.hasNext),#end#end", R"({"xs": [1, 2, 3]})"),
            "1,2,3");
  EXPECT_EQ(render("#foreach($i in [1..4])#if($i == 3)#break#end$i#end"), "12");
  EXPECT_EQ(render("#foreach($k in $input.path('$').keySet())$k;#end", R"({"a": 1, "b": 2})"), "a;b;");
}

TEST(RestVtl, DirectiveLinesEmitNothing) {
  EXPECT_EQ(render("{\n  #set($a = 1)\n  \"a\": $a\n}"), "{\n  \"a\": 1\n}");
}

TEST(RestVtl, Comments) { EXPECT_EQ(render("a## line\nb#* block *#c"), "abc"); }

TEST(RestVtl, Bounds) {
  EXPECT_NE(render("#foreach($i in [1..1000])#foreach($j in [1..1000])x#end#end").find("ERROR"), std::string::npos);
  EXPECT_NE(render("#foreach($i in [1..5000])x#end").find("ERROR"), std::string::npos);
  std::string deep(500, '(');
  EXPECT_NE(render("#if(" + deep + ")#end").find("ERROR"), std::string::npos);
  EXPECT_NE(render("#if(true)x").find("ERROR"), std::string::npos);
  EXPECT_NE(render("#end").find("ERROR"), std::string::npos);
}

TEST(RestVtl, StringMethods) {
  EXPECT_EQ(render("#set($s = 'Hello')$s.toUpperCase() $s.length() $s.substring(1, 3) $s.replace('l', 'L')"),
            "HELLO 5 el HeLLo");
}

TEST(RestVtl, JsonPath) {
  json doc = {{"a", {{"b c", json::array({1, 2})}}}};
  EXPECT_EQ(json_path(doc, "$.a['b c'][1]"), 2);
  EXPECT_TRUE(json_path(doc, "$.x.y").is_null());
  EXPECT_TRUE(json_path(doc, "nope").is_null());
}

}  // namespace
}  // namespace awan::apigateway
