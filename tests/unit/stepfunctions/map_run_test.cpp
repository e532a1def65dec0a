// Step Functions distributed Map: ItemReader from S3 (CSV with headers, JSON), ItemSelector,
// ItemBatcher, ResultWriter (manifest.json and SUCCEEDED_0.json / FAILED_0.json as AWS writes
// them), tolerated failures, the map run (DescribeMapRun, ListMapRuns, UpdateMapRun) and the
// iterations' own variable scope. S3 is a stand-in behind call_service.
#include "stepfunctions/fixture.hpp"

using nlohmann::json;
using namespace awan;
using awan::sfn_test::Fixture;

namespace {

std::string code_of(const Result& r) { return r.error ? r.error->code : ""; }

struct S3Fixture : Fixture {
  std::map<std::string, std::string> objects;  // "bucket/key" → body
  S3Fixture() : Fixture([this](const RequestContext& c, const std::string& service, const std::string& op, json in,
                               Completion done) {
    std::string where = in.value("Bucket", "") + "/" + in.value("Key", "");
    if (service == "s3" && op == "GetObject") {
      auto it = objects.find(where);
      if (it == objects.end()) return done(Result::fail(AwsError("NoSuchKey", "The specified key does not exist.", 404)));
      return done(Result::ok().with_payload(Payload::of_bytes(it->second)));
    }
    if (service == "s3" && op == "PutObject") {
      objects[where] = c.payload ? c.payload->read_all().value_or("") : "";
      return done(Result::ok({{"ETag", "\"e\""}}));
    }
    if (service == "s3" && op == "ListObjectsV2") {
      json contents = json::array();
      for (const auto& [k, v] : objects)
        if (k.rfind(in.value("Bucket", "") + "/" + in.value("Prefix", ""), 0) == 0)
          contents.push_back({{"Key", k.substr(k.find('/') + 1)}, {"Size", v.size()}, {"ETag", "\"e\""}});
      return done(Result::ok({{"Contents", contents}}));
    }
    done(Result::fail(AwsError("UnknownOperation", op, 400)));
  }) {}
};

json distributed(json processor_states, json extra) {
  json st = {{"Type", "Map"},
             {"End", true},
             {"ItemProcessor", {{"ProcessorConfig", {{"Mode", "DISTRIBUTED"}, {"ExecutionType", "STANDARD"}}},
                                {"StartAt", processor_states.begin().key()},
                                {"States", processor_states}}}};
  for (auto it = extra.begin(); it != extra.end(); ++it) st[it.key()] = it.value();
  return {{"StartAt", "M"}, {"States", {{"M", st}}}};
}

json csv_reader() {
  return {{"Resource", "arn:aws:states:::s3:getObject"},
          {"ReaderConfig", {{"InputType", "CSV"}, {"CSVHeaderLocation", "FIRST_ROW"}}},
          {"Parameters", {{"Bucket", "in"}, {"Key", "items.csv"}}}};
}

size_t count(const std::vector<std::string>& v, const std::string& what) {
  return static_cast<size_t>(std::count(v.begin(), v.end(), what));
}

}  // namespace

TEST(StepFunctionsDistributedMap, CsvBatchesAndResultWriter) {
  S3Fixture fx;
  fx.objects["in/items.csv"] = "id,qty\n1,5\n2,0\n3,7\n";
  json machine = distributed(
      {{"Count", {{"Type", "Pass"}, {"Parameters", {{"n.$", "States.ArrayLength($.Items)"}, {"store.$", "$.BatchInput.store"},
                                                     {"first.$", "$.Items[0].row.id"}}}, {"End", true}}}},
      {{"ItemReader", csv_reader()},
       {"ItemSelector", {{"row.$", "$$.Map.Item.Value"}, {"index.$", "$$.Map.Item.Index"}}},
       {"ItemBatcher", {{"MaxItemsPerBatch", 2}, {"BatchInput", {{"store", "s1"}}}}},
       {"ResultWriter", {{"Resource", "arn:aws:states:::s3:putObject"}, {"Parameters", {{"Bucket", "out"}, {"Prefix", "results"}}}}}});
  std::string sm = fx.create("dm", machine);
  auto d = fx.start(sm);
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  json out = json::parse(d["output"].get<std::string>());
  std::string run_arn = out["MapRunArn"];
  EXPECT_NE(run_arn.find(":mapRun:dm/M:"), std::string::npos);
  std::string run_id = run_arn.substr(run_arn.rfind(':') + 1);
  EXPECT_EQ(out["ResultWriterDetails"], (json{{"Bucket", "out"}, {"Key", "results/" + run_id + "/manifest.json"}}));
  json manifest = json::parse(fx.objects.at("out/results/" + run_id + "/manifest.json"));
  EXPECT_EQ(manifest["DestinationBucket"], "out");
  EXPECT_EQ(manifest["MapRunArn"], run_arn);
  ASSERT_EQ(manifest["ResultFiles"]["SUCCEEDED"].size(), 1u);
  EXPECT_EQ(manifest["ResultFiles"]["FAILED"], json::array());
  std::string key = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"];
  EXPECT_EQ(key, "results/" + run_id + "/SUCCEEDED_0.json");
  json results = json::parse(fx.objects.at("out/" + key));
  EXPECT_EQ(manifest["ResultFiles"]["SUCCEEDED"][0]["Size"], fx.objects.at("out/" + key).size());
  ASSERT_EQ(results.size(), 2u);  // two batches: [1, 2] and [3]
  EXPECT_EQ(json::parse(results[0]["Output"].get<std::string>()), (json{{"n", 2}, {"store", "s1"}, {"first", "1"}}));
  EXPECT_EQ(json::parse(results[1]["Output"].get<std::string>()), (json{{"n", 1}, {"store", "s1"}, {"first", "3"}}));
  json batch = json::parse(results[0]["Input"].get<std::string>());
  EXPECT_EQ(batch["Items"][1], (json{{"row", {{"id", "2"}, {"qty", "0"}}}, {"index", 1}}));
  EXPECT_EQ(results[0]["Status"], "SUCCEEDED");
  EXPECT_NE(results[0]["ExecutionArn"].get<std::string>().find(":execution:dm/M:"), std::string::npos);

  auto runs = fx.call("ListMapRuns", {{"executionArn", d["executionArn"]}});
  ASSERT_EQ(runs.output["mapRuns"].size(), 1u);
  EXPECT_EQ(runs.output["mapRuns"][0]["mapRunArn"], run_arn);
  auto mr = fx.call("DescribeMapRun", {{"mapRunArn", run_arn}});
  ASSERT_FALSE(mr.is_error());
  EXPECT_EQ(mr.output["status"], "SUCCEEDED");
  EXPECT_EQ(mr.output["itemCounts"]["total"], 3);
  EXPECT_EQ(mr.output["itemCounts"]["succeeded"], 3);
  EXPECT_EQ(mr.output["itemCounts"]["resultsWritten"], 3);
  EXPECT_EQ(mr.output["executionCounts"]["total"], 2);
  EXPECT_EQ(mr.output["executionCounts"]["succeeded"], 2);
  EXPECT_EQ(mr.output["executionArn"], d["executionArn"]);
  auto h = fx.history(d["executionArn"]);
  EXPECT_EQ(count(h, "MapRunStarted"), 1u);
  EXPECT_EQ(count(h, "MapRunSucceeded"), 1u);
  EXPECT_EQ(count(h, "MapIterationStarted"), 0u);  // iterations are child executions on AWS
  EXPECT_EQ(count(h, "PassStateEntered"), 0u);
  EXPECT_EQ(h.back(), "ExecutionSucceeded");
}

TEST(StepFunctionsDistributedMap, ToleratedFailuresAndFailedResults) {
  S3Fixture fx;
  fx.objects["in/items.json"] = R"([{"qty":5},{"qty":0},{"qty":7},{"qty":0}])";
  json processor = {{"Check", {{"Type", "Choice"}, {"Choices", {{{"Variable", "$.qty"}, {"NumericEquals", 0}, {"Next", "Empty"}}}},
                               {"Default", "Ok"}}},
                    {"Empty", {{"Type", "Fail"}, {"Error", "OutOfStock"}, {"Cause", "zero"}}},
                    {"Ok", {{"Type", "Succeed"}}}};
  json reader = {{"Resource", "arn:aws:states:::s3:getObject"}, {"ReaderConfig", {{"InputType", "JSON"}}},
                 {"Parameters", {{"Bucket", "in"}, {"Key", "items.json"}}}};
  json writer = {{"Resource", "arn:aws:states:::s3:putObject"}, {"Parameters", {{"Bucket", "out"}}}};
  auto d = fx.run(distributed(processor, {{"ItemReader", reader}, {"ToleratedFailurePercentage", 50}, {"ResultWriter", writer}}),
                  json::object());
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  json out = json::parse(d["output"].get<std::string>());
  json manifest = json::parse(fx.objects.at("out/" + out["ResultWriterDetails"]["Key"].get<std::string>()));
  ASSERT_EQ(manifest["ResultFiles"]["FAILED"].size(), 1u);
  json failed = json::parse(fx.objects.at("out/" + manifest["ResultFiles"]["FAILED"][0]["Key"].get<std::string>()));
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0]["Error"], "OutOfStock");
  EXPECT_EQ(failed[0]["Status"], "FAILED");
  auto mr = fx.call("DescribeMapRun", {{"mapRunArn", out["MapRunArn"]}});
  EXPECT_EQ(mr.output["itemCounts"]["failed"], 2);
  EXPECT_EQ(mr.output["toleratedFailurePercentage"], 50.0);

  d = fx.run(distributed(processor, {{"ItemReader", reader}, {"ToleratedFailureCount", 1}}), json::object());
  EXPECT_EQ(d["status"], "FAILED");
  EXPECT_EQ(d["error"], "States.ExceedToleratedFailureThreshold");
  // Without a writer the output is the iterations' results.
  d = fx.run(distributed(processor, {{"ItemReader", reader}, {"ToleratedFailureCount", 2}}), json::object());
  ASSERT_EQ(d["status"], "SUCCEEDED");
  EXPECT_EQ(json::parse(d["output"].get<std::string>())[1], (json{{"Error", "OutOfStock"}, {"Cause", "zero"}}));
  // A missing object fails the reader.
  d = fx.run(distributed(processor, {{"ItemReader", {{"Resource", "arn:aws:states:::s3:getObject"},
                                                     {"Parameters", {{"Bucket", "in"}, {"Key", "none"}}}}}}),
             json::object());
  EXPECT_EQ(d["error"], "States.ItemReaderFailed");
}

TEST(StepFunctionsDistributedMap, ListObjectsReaderAndIsolatedVariables) {
  S3Fixture fx;
  fx.objects["in/a/1.txt"] = "x";
  fx.objects["in/a/2.txt"] = "yy";
  json reader = {{"Resource", "arn:aws:states:::s3:listObjectsV2"}, {"Parameters", {{"Bucket", "in"}, {"Prefix", "a/"}}}};
  json keys = {{"K", {{"Type", "Pass"}, {"Parameters", {{"key.$", "$.Key"}, {"size.$", "$.Size"}}}, {"End", true}}}};
  auto d = fx.run(distributed(keys, {{"ItemReader", reader}}), json::object());
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_EQ(json::parse(d["output"].get<std::string>()),
            (json{{{"key", "a/1.txt"}, {"size", 1}}, {{"key", "a/2.txt"}, {"size", 2}}}));
  // A distributed iteration does not see the parent's variables (an inline one does).
  json reads = {{"R", {{"Type", "Pass"}, {"Parameters", {{"v.$", "$outer"}}}, {"End", true}}}};
  json machine = distributed(reads, {{"Items", {1}}});
  machine["States"]["Set"] = {{"Type", "Pass"}, {"Assign", {{"outer", 1}}}, {"Next", "M"}};
  machine["StartAt"] = "Set";
  d = fx.run(machine, json::object());
  EXPECT_EQ(d["error"], "States.ParameterPathFailure");
  machine["States"]["M"]["ItemProcessor"].erase("ProcessorConfig");
  d = fx.run(machine, json::object());
  EXPECT_EQ(d["output"], "[{\"v\":1}]");
}

TEST(StepFunctionsDistributedMap, UpdateMapRun) {
  S3Fixture fx;
  json wait = {{"W", {{"Type", "Wait"}, {"Seconds", 10}, {"End", true}}}};
  std::string sm = fx.create("u", distributed(wait, {{"Items", {1, 2, 3, 4}}, {"MaxConcurrency", 1}}));
  auto s = fx.call("StartExecution", {{"stateMachineArn", sm}});
  fx.scheduler.run_due();
  auto runs = fx.call("ListMapRuns", {{"executionArn", s.output["executionArn"]}});
  ASSERT_EQ(runs.output["mapRuns"].size(), 1u);
  std::string arn = runs.output["mapRuns"][0]["mapRunArn"];
  auto mr = fx.call("DescribeMapRun", {{"mapRunArn", arn}});
  EXPECT_EQ(mr.output["status"], "RUNNING");
  EXPECT_EQ(mr.output["maxConcurrency"], 1);
  EXPECT_EQ(mr.output["itemCounts"]["running"], 1);
  EXPECT_EQ(mr.output["itemCounts"]["pending"], 3) << mr.output.dump();
  EXPECT_FALSE(fx.call("UpdateMapRun", {{"mapRunArn", arn}, {"maxConcurrency", 4}}).is_error());
  auto before = fx.clock.now();
  fx.scheduler.run();
  EXPECT_LE(fx.clock.now() - before, std::chrono::seconds(20));  // the other three ran together
  EXPECT_EQ(fx.call("DescribeMapRun", {{"mapRunArn", arn}}).output["status"], "SUCCEEDED");
  EXPECT_EQ(code_of(fx.call("UpdateMapRun", {{"mapRunArn", arn}})), "ValidationException");
  EXPECT_EQ(code_of(fx.call("UpdateMapRun", {{"mapRunArn", arn}, {"toleratedFailurePercentage", 101}})), "ValidationException");
  EXPECT_EQ(code_of(fx.call("UpdateMapRun", {{"mapRunArn", arn + "x"}, {"maxConcurrency", 1}})), "ResourceNotFound");
  EXPECT_EQ(code_of(fx.call("DescribeMapRun", {{"mapRunArn", "arn:aws:states:us-east-1:1:stateMachine:x"}})), "InvalidArn");
  EXPECT_EQ(code_of(fx.call("ListMapRuns", {{"executionArn", "arn:aws:states:us-east-1:000000000000:execution:u:none"}})),
            "ExecutionDoesNotExist");
}

TEST(StepFunctionsDistributedMap, NestedStatesStayOutOfTheParentHistory) {
  S3Fixture fx;
  json inner = {{"StartAt", "I"}, {"States", {{"I", {{"Type", "Pass"}, {"End", true}}}}}};
  json processor = {{"A", {{"Type", "Parallel"}, {"Branches", {inner}}, {"Next", "B"}}},
                    {"B", {{"Type", "Map"}, {"ItemProcessor", inner}, {"End", true}}}};  // StartAt: the first name
  auto d = fx.run(distributed(processor, {{"Items", {1, 2}}}), json::object(), nullptr);
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  auto h = fx.history(d["executionArn"]);
  std::vector<std::string> want = {"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
                                   "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"};
  EXPECT_EQ(h, want);
}

TEST(StepFunctionsDistributedMap, JsonataArguments) {
  S3Fixture fx;
  fx.objects["in/items.json"] = R"([{"q":1},{"q":2}])";
  json processor = {{"D", {{"Type", "Pass"}, {"Output", "{% $states.input.v * 10 %}"}, {"End", true}}}};
  json machine = distributed(processor, {
      {"ItemReader", {{"Resource", "arn:aws:states:::s3:getObject"}, {"ReaderConfig", {{"InputType", "JSON"}}},
                      {"Arguments", {{"Bucket", "{% $states.input.bucket %}"}, {"Key", "items.json"}}}}},
      {"ItemSelector", {{"v", "{% $states.context.Map.Item.Value.q %}"}}},
      {"ResultWriter", {{"Resource", "arn:aws:states:::s3:putObject"},
                        {"Arguments", {{"Bucket", "out"}, {"Prefix", "{% 'by-' & $states.input.bucket %}"}}}}}});
  machine["QueryLanguage"] = "JSONata";
  auto d = fx.run(machine, {{"bucket", "in"}});
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  json out = json::parse(d["output"].get<std::string>());
  std::string key = out["ResultWriterDetails"]["Key"];
  EXPECT_EQ(key.rfind("by-in/", 0), 0u) << key;
  json manifest = json::parse(fx.objects.at("out/" + key));
  json results = json::parse(fx.objects.at("out/" + manifest["ResultFiles"]["SUCCEEDED"][0]["Key"].get<std::string>()));
  EXPECT_EQ(results[0]["Output"], "10");
  EXPECT_EQ(results[1]["Output"], "20");
}

TEST(StepFunctionsDistributedMap, WriterConfigTransformsTheResults) {
  S3Fixture fx;
  // Each child outputs [n, n * 10]; n = 2 fails (tolerated).
  json processor = {{"Check", {{"Type", "Choice"}, {"Choices", {{{"Variable", "$"}, {"NumericEquals", 2}, {"Next", "Two"}}}},
                               {"Default", "Pair"}}},
                    {"Two", {{"Type", "Fail"}, {"Error", "Two"}, {"Cause", "no twos"}}},
                    {"Pair", {{"Type", "Pass"}, {"Parameters", {{"v.$", "States.Array($, States.MathAdd($, 10))"}}},
                              {"OutputPath", "$.v"}, {"End", true}}}};
  auto run = [&](json writer) {
    return fx.run(distributed(processor, {{"Items", {1, 2, 3}}, {"ToleratedFailureCount", 1}, {"ResultWriter", writer}}), json::object());
  };
  // WriterConfig alone: the state's output, nothing written.
  json d = run({{"WriterConfig", {{"Transformation", "FLATTEN"}, {"OutputType", "JSON"}}}});
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  json out = json::parse(d["output"].get<std::string>());
  ASSERT_EQ(out.size(), 5u) << out.dump();
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 11);
  EXPECT_EQ(out[2]["Status"], "FAILED");  // a failed child's record stays whole
  EXPECT_EQ(out[2]["Error"], "Two");
  EXPECT_EQ(out[3], 3);
  EXPECT_EQ(out[4], 13);
  EXPECT_TRUE(fx.objects.empty());
  d = run({{"WriterConfig", {{"Transformation", "COMPACT"}}}});
  out = json::parse(d["output"].get<std::string>());
  EXPECT_EQ(out[0], (json{1, 11}));
  EXPECT_EQ(out[2], (json{3, 13}));
  d = run({{"WriterConfig", {{"Transformation", "NONE"}}}});
  out = json::parse(d["output"].get<std::string>());
  EXPECT_EQ(out[0]["Output"], "[1,11]");
  EXPECT_EQ(out[0]["Status"], "SUCCEEDED");
  // With a Resource: written in the OutputType (JSON lines here), the state's output as before.
  d = run({{"Resource", "arn:aws:states:::s3:putObject"}, {"Parameters", {{"Bucket", "out"}}},
           {"WriterConfig", {{"Transformation", "COMPACT"}, {"OutputType", "JSONL"}}}});
  ASSERT_EQ(d["status"], "SUCCEEDED") << d.dump();
  out = json::parse(d["output"].get<std::string>());
  json manifest = json::parse(fx.objects.at("out/" + out["ResultWriterDetails"]["Key"].get<std::string>()));
  std::string succeeded = fx.objects.at("out/" + manifest["ResultFiles"]["SUCCEEDED"][0]["Key"].get<std::string>());
  EXPECT_EQ(succeeded, "[1,11]\n[3,13]\n");
  std::string failed = fx.objects.at("out/" + manifest["ResultFiles"]["FAILED"][0]["Key"].get<std::string>());
  ASSERT_EQ(std::count(failed.begin(), failed.end(), '\n'), 1);
  EXPECT_EQ(json::parse(failed)["Error"], "Two");
  // Validated with the definition.
  for (json bad : {json{{"WriterConfig", {{"Transformation", "SQUASH"}}}}, json{{"WriterConfig", {{"OutputType", "CSV"}}}},
                   json{{"WriterConfig", "JSON"}}, json::object()}) {
    auto c = fx.call("CreateStateMachine", {{"name", "bad"}, {"roleArn", "arn:aws:iam::000000000000:role/r"},
                                            {"definition", distributed(processor, {{"Items", {1}}, {"ResultWriter", bad}}).dump()}});
    EXPECT_EQ(code_of(c), "InvalidDefinition") << bad.dump();
  }
}
