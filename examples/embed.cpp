// Embedding Awan in a C++ program or test (docs/embedding.md): start the simulator in process,
// register a C++ handler, deploy a Lambda function bound to it, wire it to a DynamoDB stream,
// write an item and watch the handler run — all through the operation interface, no HTTP —
// while the same simulator serves the AWS wire protocols on a free port for SDK clients.
//   build/release/examples/embed
#include <chrono>
#include <cstdio>
#include <thread>

#include "awan/simulator.hpp"

using json = nlohmann::json;

int main() {
  awan::SimulatorOptions options;
  options.port = 0;  // a free port
  awan::Simulator sim(options);

  // A handler: it counts the items its stream batches carry, in a second table.
  sim.functions().add("count-writes", [](const json& event, awan::FunctionContext& ctx) {
    int64_t n = 0;
    for (const auto& r : event.value("Records", json::array())) n += r.value("eventName", "") == "INSERT";
    ctx.client->ok("dynamodb", "UpdateItem",
                   {{"TableName", "Counters"},
                    {"Key", {{"name", {{"S", "inserts"}}}}},
                    {"UpdateExpression", "ADD n :n"},
                    {"ExpressionAttributeValues", {{":n", {{"N", std::to_string(n)}}}}}});
    ctx.log("counted " + std::to_string(n) + " insert(s)");
    return json{{"counted", n}};
  });
  sim.start();
  std::printf("serving the AWS protocols on %s\n", sim.endpoint().c_str());

  // A blocking Client over the simulator, as the handlers get one.
  awan::Client aws([&sim](const awan::RequestContext& c, const std::string& service, const std::string& op, json in,
                          awan::Completion done) { sim.call(c, service, op, std::move(in), std::move(done)); },
                   sim.context());
  auto table = [&](const char* name, bool stream) {
    json in = {{"TableName", name},
               {"AttributeDefinitions", {{{"AttributeName", "name"}, {"AttributeType", "S"}}}},
               {"KeySchema", {{{"AttributeName", "name"}, {"KeyType", "HASH"}}}},
               {"BillingMode", "PAY_PER_REQUEST"}};
    if (stream) in["StreamSpecification"] = {{"StreamEnabled", true}, {"StreamViewType", "NEW_IMAGE"}};
    return aws.ok("dynamodb", "CreateTable", in)["TableDescription"];
  };
  std::string stream_arn = table("Events", true)["LatestStreamArn"];
  table("Counters", false);
  aws.ok("iam", "CreateRole",
         {{"RoleName", "fn"},
          {"AssumeRolePolicyDocument", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})"}});
  // Handler "awan:<name>" binds the function to the registered handler: no code to upload.
  aws.ok("lambda", "CreateFunction",
         {{"FunctionName", "counter"}, {"Runtime", "provided.al2023"}, {"Handler", "awan:count-writes"},
          {"Role", "arn:aws:iam::000000000000:role/fn"}, {"Code", {{"ZipFile", ""}}}});
  aws.ok("lambda", "CreateEventSourceMapping",
         {{"FunctionName", "counter"}, {"EventSourceArn", stream_arn}, {"StartingPosition", "TRIM_HORIZON"}});

  for (const char* name : {"a", "b", "c"})
    aws.ok("dynamodb", "PutItem", {{"TableName", "Events"}, {"Item", {{"name", {{"S", name}}}}}});

  // The stream reaches the handler within milliseconds; poll the counter it keeps.
  std::string n = "0";
  for (int i = 0; i < 200 && n != "3"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    json got = aws.ok("dynamodb", "GetItem", {{"TableName", "Counters"}, {"Key", {{"name", {{"S", "inserts"}}}}}});
    n = got.value("Item", json::object()).value("n", json::object()).value("N", "0");
  }
  std::printf("the handler counted %s insert(s)\n", n.c_str());

  // A synchronous Invoke, as any SDK would make it.
  json out = aws.ok("lambda", "Invoke", {{"FunctionName", "counter"}, {"Payload", R"({"Records":[]})"}});
  std::printf("invoke answered %s\n", out["Payload"].get<std::string>().c_str());
  sim.stop();
  return n == "3" ? 0 : 1;
}
