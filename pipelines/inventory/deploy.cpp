// The inventory pipeline's resources, declared once and created idempotently through the
// operation interface (in process), in the order the lab builds them: roles, table, topic and
// subscription, functions, the S3 permission, bucket and notification, the stream mapping.
#include <set>

#include <spdlog/spdlog.h>

#include "pipelines/inventory/inventory.hpp"

namespace awan::pipelines::inventory {

using json = nlohmann::json;

namespace {
const char* kTrust =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})";

// The call's output; errors whose code is in `fine` (the resource exists) give {}.
json ensure(const Client& c, const std::string& service, const std::string& op, json in,
            std::set<std::string> fine = {}) {
  Result r = c.call(service, op, std::move(in));
  if (r.error) {
    if (fine.count(r.error->code)) return json::object();
    throw *r.error;
  }
  return r.output;
}

struct Function {
  const char* name;
  const char* role;
  const char* policy;  // the role's inline policy, as the lab grants it
};
const Function kFunctions[] = {
    {"Load-Inventory", "Lambda-Load-Inventory-Role",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","dynamodb:PutItem","dynamodb:BatchWriteItem","logs:*"],"Resource":"*"}]})"},
    {"Check-Stock", "Lambda-Check-Stock-Role",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetRecords","dynamodb:GetShardIterator","dynamodb:DescribeStream","dynamodb:ListStreams","sns:ListTopics","sns:Publish","logs:*"],"Resource":"*"}]})"},
};
}  // namespace

void deploy(Simulator& sim, const Options& o) {
  RequestContext ctx = sim.context();
  Client c([&sim](const RequestContext& x, const std::string& s, const std::string& op, json in, Completion done) {
    sim.call(x, s, op, std::move(in), std::move(done));
  }, ctx);
  const std::string account = ctx.account_id, region = ctx.region;

  for (const auto& f : kFunctions) {
    ensure(c, "iam", "CreateRole", {{"RoleName", f.role}, {"AssumeRolePolicyDocument", kTrust}}, {"EntityAlreadyExists"});
    ensure(c, "iam", "PutRolePolicy", {{"RoleName", f.role}, {"PolicyName", std::string(f.name) + "-Policy"}, {"PolicyDocument", f.policy}});
  }

  ensure(c, "dynamodb", "CreateTable",
         {{"TableName", "Inventory"},
          {"AttributeDefinitions", json::array({{{"AttributeName", "Store"}, {"AttributeType", "S"}},
                                                {{"AttributeName", "Item"}, {"AttributeType", "S"}}})},
          {"KeySchema", json::array({{{"AttributeName", "Store"}, {"KeyType", "HASH"}},
                                     {{"AttributeName", "Item"}, {"KeyType", "RANGE"}}})},
          {"BillingMode", "PAY_PER_REQUEST"},
          {"StreamSpecification", {{"StreamEnabled", true}, {"StreamViewType", "NEW_AND_OLD_IMAGES"}}}},
         {"ResourceInUseException"});
  std::string stream = c.ok("dynamodb", "DescribeTable", {{"TableName", "Inventory"}})["Table"].value("LatestStreamArn", "");

  std::string topic = c.ok("sns", "CreateTopic", {{"Name", "NoStock"}})["TopicArn"];
  std::string sub = c.ok("sns", "Subscribe", {{"TopicArn", topic}, {"Protocol", "email"}, {"Endpoint", o.email},
                                              {"ReturnSubscriptionArn", true}})["SubscriptionArn"];
  // The store manager's subscription is confirmed here, as if the link in the email were followed.
  if (Service* sns = sim.service("sns")) {
    int status = 0;
    json out;
    sns->internal_endpoint("POST", "confirm", json{{"SubscriptionArn", sub}}.dump(), status, out);
  }

  for (const auto& f : kFunctions)
    ensure(c, "lambda", "CreateFunction",
           {{"FunctionName", f.name}, {"Runtime", "provided.al2023"}, {"Handler", std::string("awan:") + f.name},
            {"Role", "arn:aws:iam::" + account + ":role/" + f.role}, {"Timeout", 60}, {"MemorySize", 256},
            {"Description", std::string("Inventory pipeline: ") + f.name + " (C++ handler)"}},
           {"ResourceConflictException"});
  std::string load_arn = "arn:aws:lambda:" + region + ":" + account + ":function:Load-Inventory";
  ensure(c, "lambda", "AddPermission",
         {{"FunctionName", "Load-Inventory"}, {"StatementId", "s3-inventory"}, {"Action", "lambda:InvokeFunction"},
          {"Principal", "s3.amazonaws.com"}, {"SourceArn", "arn:aws:s3:::" + o.bucket}},
         {"ResourceConflictException"});

  ensure(c, "s3", "CreateBucket", {{"Bucket", o.bucket}}, {"BucketAlreadyOwnedByYou"});
  ensure(c, "s3", "PutBucketNotificationConfiguration",
         {{"Bucket", o.bucket},
          {"NotificationConfiguration",
           {{"LambdaFunctionConfigurations",
             json::array({{{"Id", "Load-Inventory"}, {"LambdaFunctionArn", load_arn},
                           {"Events", json::array({"s3:ObjectCreated:*"})}}})}}}});

  json mappings = c.ok("lambda", "ListEventSourceMappings", {{"EventSourceArn", stream}, {"FunctionName", "Check-Stock"}});
  if (mappings.value("EventSourceMappings", json::array()).empty())
    c.ok("lambda", "CreateEventSourceMapping",
         {{"EventSourceArn", stream}, {"FunctionName", "Check-Stock"}, {"StartingPosition", "TRIM_HORIZON"},
          {"BatchSize", 100}});
  spdlog::info("pipeline inventory: ready — upload a CSV to s3://{} (alerts to {} via topic NoStock)", o.bucket, o.email);
}

}  // namespace awan::pipelines::inventory
