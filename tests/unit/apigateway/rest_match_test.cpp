// Resource matching (emulators/apigateway/rest_match.hpp): literal beats {param} beats {proxy+}.
#include <gtest/gtest.h>

#include "apigateway/rest_match.hpp"

namespace awan::apigateway {
namespace {

using json = nlohmann::json;

json tree() {
  json r = json::object();
  auto add = [&](const std::string& id, const std::string& parent, const std::string& part) {
    r[id] = {{"id", id}, {"parentId", parent}, {"pathPart", part}};
  };
  r["root"] = {{"id", "root"}, {"path", "/"}};
  add("items", "root", "items");
  add("item", "items", "{id}");
  add("special", "items", "special");
  add("detail", "item", "detail");
  add("proxy", "root", "{proxy+}");
  add("files", "root", "files");
  add("fileproxy", "files", "{path+}");
  return r;
}

std::string id_of(const std::string& path) {
  auto m = match_resource(tree(), path);
  return m ? m->resource_id : "-";
}

TEST(RestMatch, RootAndLiterals) {
  EXPECT_EQ(id_of("/"), "root");
  EXPECT_EQ(id_of("/items"), "items");
  EXPECT_EQ(id_of("/items/"), "items");
}

TEST(RestMatch, LiteralBeatsParameter) {
  EXPECT_EQ(id_of("/items/special"), "special");
  auto m = match_resource(tree(), "/items/7");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->resource_id, "item");
  EXPECT_EQ(m->path_parameters.at("id"), "7");
}

TEST(RestMatch, ParameterBeatsGreedy) {
  auto m = match_resource(tree(), "/items/7/detail");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->resource_id, "detail");
}

TEST(RestMatch, GreedyTakesTheRest) {
  auto m = match_resource(tree(), "/items/7/other/x");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->resource_id, "proxy");
  EXPECT_EQ(m->path_parameters.at("proxy"), "items/7/other/x");
  EXPECT_EQ(m->path_parameters.count("id"), 0u);
  m = match_resource(tree(), "/files/a/b.txt");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->path_parameters.at("path"), "a/b.txt");
}

TEST(RestMatch, GreedyNeedsASegment) {
  json r = {{"root", {{"id", "root"}}}, {"p", {{"id", "p"}, {"parentId", "root"}, {"pathPart", "{proxy+}"}}}};
  EXPECT_EQ(match_resource(r, "/")->resource_id, "root");
  EXPECT_EQ(match_resource(r, "/a")->resource_id, "p");
}

TEST(RestMatch, NoMatch) {
  json r = {{"root", {{"id", "root"}}}, {"a", {{"id", "a"}, {"parentId", "root"}, {"pathPart", "a"}}}};
  EXPECT_FALSE(match_resource(r, "/b"));
  EXPECT_FALSE(match_resource(json::array(), "/"));
}

}  // namespace
}  // namespace awan::apigateway
