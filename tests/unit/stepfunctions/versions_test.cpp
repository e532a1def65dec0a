// Step Functions versions and aliases: publishing (revisionId, idempotency, ConflictException),
// listing and deleting versions, aliases and their routing configuration (validation, weights),
// executions started from a version or an alias, DescribeStateMachineForExecution.
#include <filesystem>
#include <set>

#include "stepfunctions/fixture.hpp"

using nlohmann::json;
using namespace awan;
using awan::sfn_test::Fixture;

namespace {

json result_machine(const std::string& result) {
  return {{"StartAt", "P"}, {"States", {{"P", {{"Type", "Pass"}, {"Result", result}, {"End", true}}}}}};
}

std::string code_of(const Result& r) { return r.error ? r.error->code : ""; }

}  // namespace

TEST(StepFunctionsVersions, PublishIsIdempotentAndChecksTheRevision) {
  Fixture fx;
  std::string sm = fx.create("v", result_machine("one"));
  auto rev = fx.call("DescribeStateMachine", {{"stateMachineArn", sm}}).output["revisionId"];
  auto v1 = fx.call("PublishStateMachineVersion", {{"stateMachineArn", sm}, {"description", "first"}, {"revisionId", rev}});
  ASSERT_FALSE(v1.is_error()) << v1.error->message;
  EXPECT_EQ(v1.output["stateMachineVersionArn"], sm + ":1");
  // Unchanged: the same version again.
  auto again = fx.call("PublishStateMachineVersion", {{"stateMachineArn", sm}});
  EXPECT_EQ(again.output["stateMachineVersionArn"], sm + ":1");
  // An update that changes nothing keeps the revision.
  fx.call("UpdateStateMachine", {{"stateMachineArn", sm}, {"definition", result_machine("one").dump()}});
  EXPECT_EQ(fx.call("DescribeStateMachine", {{"stateMachineArn", sm}}).output["revisionId"], rev);
  auto up = fx.call("UpdateStateMachine", {{"stateMachineArn", sm}, {"definition", result_machine("two").dump()},
                                           {"publish", true}, {"versionDescription", "second"}});
  ASSERT_FALSE(up.is_error()) << up.error->message;
  EXPECT_EQ(up.output["stateMachineVersionArn"], sm + ":2");
  auto stale = fx.call("PublishStateMachineVersion", {{"stateMachineArn", sm}, {"revisionId", rev}});
  EXPECT_EQ(code_of(stale), "ConflictException");
  auto d1 = fx.call("DescribeStateMachine", {{"stateMachineArn", sm + ":1"}});
  EXPECT_EQ(d1.output["stateMachineArn"], sm + ":1");
  EXPECT_EQ(d1.output["description"], "first");
  EXPECT_EQ(json::parse(d1.output["definition"].get<std::string>()), result_machine("one"));
  auto l = fx.call("ListStateMachineVersions", {{"stateMachineArn", sm}});
  ASSERT_EQ(l.output["stateMachineVersions"].size(), 2u);
  EXPECT_EQ(l.output["stateMachineVersions"][0]["stateMachineVersionArn"], sm + ":2");  // newest first
  // Versions are not state machines of their own.
  EXPECT_EQ(fx.call("ListStateMachines", json::object()).output["stateMachines"].size(), 1u);
}

TEST(StepFunctionsVersions, CreateWithPublishAndInitialRevision) {
  Fixture fx;
  auto c = fx.call("CreateStateMachine", {{"name", "p"}, {"definition", result_machine("x").dump()},
                                          {"roleArn", "arn:aws:iam::000000000000:role/r"}, {"publish", true},
                                          {"versionDescription", "v1"}});
  ASSERT_FALSE(c.is_error());
  EXPECT_EQ(c.output["stateMachineVersionArn"], c.output["stateMachineArn"].get<std::string>() + ":1");
  std::string sm = fx.create("q", result_machine("y"));
  EXPECT_FALSE(fx.call("PublishStateMachineVersion", {{"stateMachineArn", sm}, {"revisionId", "INITIAL"}}).is_error());
  auto bad = fx.call("CreateStateMachine", {{"name", "r"}, {"definition", result_machine("z").dump()},
                                            {"roleArn", "arn:aws:iam::000000000000:role/r"}, {"versionDescription", "d"}});
  EXPECT_EQ(code_of(bad), "ValidationException");
}

TEST(StepFunctionsVersions, ExecutionsOfVersionsAndAliases) {
  Fixture fx;
  std::string sm = fx.create("a", result_machine("one"));
  fx.call("PublishStateMachineVersion", {{"stateMachineArn", sm}});
  fx.call("UpdateStateMachine", {{"stateMachineArn", sm}, {"definition", result_machine("two").dump()}, {"publish", true}});
  auto d = fx.start(sm + ":1");
  EXPECT_EQ(d["output"], "\"one\"");
  EXPECT_EQ(d["stateMachineArn"], sm);
  EXPECT_EQ(d["stateMachineVersionArn"], sm + ":1");
  EXPECT_FALSE(d.contains("stateMachineAliasArn"));
  EXPECT_EQ(fx.start(sm)["output"], "\"two\"");

  auto a = fx.call("CreateStateMachineAlias", {{"name", "prod"}, {"description", "live"},
                                               {"routingConfiguration", {{{"stateMachineVersionArn", sm + ":1"}, {"weight", 100}}}}});
  ASSERT_FALSE(a.is_error()) << a.error->message;
  std::string alias = a.output["stateMachineAliasArn"];
  EXPECT_EQ(alias, sm + ":prod");
  d = fx.start(alias);
  EXPECT_EQ(d["output"], "\"one\"");
  EXPECT_EQ(d["stateMachineAliasArn"], alias);
  EXPECT_EQ(d["stateMachineVersionArn"], sm + ":1");
  auto forex = fx.call("DescribeStateMachineForExecution", {{"executionArn", d["executionArn"]}});
  EXPECT_EQ(forex.output["stateMachineArn"], sm + ":1");
  EXPECT_EQ(json::parse(forex.output["definition"].get<std::string>()), result_machine("one"));

  // Shift all traffic to version 2.
  auto u = fx.call("UpdateStateMachineAlias", {{"stateMachineAliasArn", alias},
                                               {"routingConfiguration", {{{"stateMachineVersionArn", sm + ":2"}, {"weight", 100}}}}});
  ASSERT_FALSE(u.is_error());
  EXPECT_EQ(fx.start(alias)["output"], "\"two\"");
  // A 50/50 split reaches both versions.
  fx.call("UpdateStateMachineAlias", {{"stateMachineAliasArn", alias},
                                      {"routingConfiguration", {{{"stateMachineVersionArn", sm + ":1"}, {"weight", 50}},
                                                                {{"stateMachineVersionArn", sm + ":2"}, {"weight", 50}}}}});
  std::set<std::string> seen;
  for (int i = 0; i < 60; ++i) seen.insert(fx.start(alias)["output"].get<std::string>());
  EXPECT_EQ(seen.size(), 2u);
  auto byalias = fx.call("ListExecutions", {{"stateMachineArn", alias}, {"maxResults", 1000}});
  EXPECT_EQ(byalias.output["executions"].size(), 62u);
  auto byversion = fx.call("ListExecutions", {{"stateMachineArn", sm + ":1"}, {"maxResults", 1000}});
  EXPECT_GE(byversion.output["executions"].size(), 2u);

  auto desc = fx.call("DescribeStateMachineAlias", {{"stateMachineAliasArn", alias}});
  EXPECT_EQ(desc.output["name"], "prod");
  EXPECT_EQ(desc.output["description"], "live");
  EXPECT_EQ(desc.output["routingConfiguration"].size(), 2u);
  EXPECT_EQ(fx.call("ListStateMachineAliases", {{"stateMachineArn", sm}}).output["stateMachineAliases"].size(), 1u);
  EXPECT_EQ(fx.call("ListStateMachineAliases", {{"stateMachineArn", sm + ":2"}}).output["stateMachineAliases"].size(), 1u);
  // A version an alias routes to cannot be deleted.
  EXPECT_EQ(code_of(fx.call("DeleteStateMachineVersion", {{"stateMachineVersionArn", sm + ":1"}})), "ConflictException");
  EXPECT_FALSE(fx.call("DeleteStateMachineAlias", {{"stateMachineAliasArn", alias}}).is_error());
  EXPECT_EQ(code_of(fx.call("DescribeStateMachineAlias", {{"stateMachineAliasArn", alias}})), "ResourceNotFound");
  EXPECT_FALSE(fx.call("DeleteStateMachineVersion", {{"stateMachineVersionArn", sm + ":1"}}).is_error());
  EXPECT_EQ(code_of(fx.call("DescribeStateMachine", {{"stateMachineArn", sm + ":1"}})), "StateMachineDoesNotExist");
  // Deleting the machine takes its versions.
  fx.call("DeleteStateMachine", {{"stateMachineArn", sm}});
  EXPECT_EQ(code_of(fx.call("DescribeStateMachine", {{"stateMachineArn", sm + ":2"}})), "StateMachineDoesNotExist");
}

TEST(StepFunctionsVersions, AliasValidation) {
  Fixture fx;
  std::string sm = fx.create("b", result_machine("one"));
  std::string other = fx.create("c", result_machine("one"));
  fx.call("PublishStateMachineVersion", {{"stateMachineArn", sm}});
  fx.call("UpdateStateMachine", {{"stateMachineArn", sm}, {"definition", result_machine("two").dump()}, {"publish", true}});
  fx.call("PublishStateMachineVersion", {{"stateMachineArn", other}});
  auto route = [](const std::string& v, int w) { return json{{"stateMachineVersionArn", v}, {"weight", w}}; };
  struct T {
    std::string name;
    json routes;
    std::string code;
  };
  std::vector<T> table = {
      {"ok", {route(sm + ":1", 100)}, ""},
      {"sum", {route(sm + ":1", 60), route(sm + ":2", 30)}, "ValidationException"},
      {"three", {route(sm + ":1", 50), route(sm + ":2", 25), route(sm + ":2", 25)}, "ValidationException"},
      {"empty", json::array(), "ValidationException"},
      {"twice", {route(sm + ":1", 50), route(sm + ":1", 50)}, "ValidationException"},
      {"mixed", {route(sm + ":1", 50), route(other + ":1", 50)}, "ValidationException"},
      {"missing", {route(sm + ":9", 100)}, "ResourceNotFound"},
      {"notversion", {route(sm, 100)}, "InvalidArn"},
      {"weight", {route(sm + ":1", 101)}, "ValidationException"},
      {"12345", {route(sm + ":1", 100)}, "InvalidName"},
      {"bad name!", {route(sm + ":1", 100)}, "InvalidName"},
  };
  for (const auto& t : table)
    EXPECT_EQ(code_of(fx.call("CreateStateMachineAlias", {{"name", t.name}, {"routingConfiguration", t.routes}})), t.code) << t.name;
  // Same configuration: idempotent; another one under the same name: ConflictException.
  EXPECT_FALSE(fx.call("CreateStateMachineAlias", {{"name", "ok"}, {"routingConfiguration", {route(sm + ":1", 100)}}}).is_error());
  EXPECT_EQ(code_of(fx.call("CreateStateMachineAlias", {{"name", "ok"}, {"routingConfiguration", {route(sm + ":2", 100)}}})),
            "ConflictException");
  EXPECT_EQ(code_of(fx.call("StartExecution", {{"stateMachineArn", sm + ":nope"}})), "ResourceNotFound");
  EXPECT_EQ(code_of(fx.call("UpdateStateMachineAlias", {{"stateMachineAliasArn", sm + ":ok"}})), "ValidationException");
}

TEST(StepFunctionsVersions, VersionsAliasesAndRedriveSurviveARestart) {
  auto dir = std::filesystem::temp_directory_path() / ("sfn-versions-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string sm, failed;
  {
    Fixture fx(nullptr, dir.string());
    sm = fx.create("keep", result_machine("one"), {{"publish", true}});
    fx.call("CreateStateMachineAlias", {{"name", "live"},
                                        {"routingConfiguration", {{{"stateMachineVersionArn", sm + ":1"}, {"weight", 100}}}}});
    std::string f = fx.create("fails", {{"StartAt", "F"}, {"States", {{"F", {{"Type", "Fail"}, {"Error", "E"}}}}}});
    failed = fx.start(f)["executionArn"];
  }
  Fixture fx(nullptr, dir.string());
  EXPECT_EQ(fx.call("DescribeStateMachine", {{"stateMachineArn", sm + ":1"}}).output["stateMachineArn"], sm + ":1");
  EXPECT_EQ(fx.call("ListStateMachines", json::object()).output["stateMachines"].size(), 2u);
  EXPECT_EQ(fx.start(sm + ":live")["stateMachineVersionArn"], sm + ":1");
  // The next version number is not reused.
  fx.call("UpdateStateMachine", {{"stateMachineArn", sm}, {"definition", result_machine("two").dump()}, {"publish", true}});
  EXPECT_FALSE(fx.call("DescribeStateMachine", {{"stateMachineArn", sm + ":2"}}).is_error());
  EXPECT_EQ(fx.call("DescribeExecution", {{"executionArn", failed}}).output["redriveStatus"], "REDRIVABLE");
  EXPECT_FALSE(fx.call("RedriveExecution", {{"executionArn", failed}}).is_error());
  fx.scheduler.run();
  EXPECT_EQ(fx.call("DescribeExecution", {{"executionArn", failed}}).output["redriveCount"], 1);
  std::filesystem::remove_all(dir);
}
