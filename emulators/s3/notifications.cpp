// S3 event notifications: destinations checked (and sent s3:TestEvent) when a configuration is
// stored, and event records delivered to the matching targets after each object change, through
// the operation interface of SQS (SendMessage), SNS (Publish) and Lambda (Invoke, Event).
#include <spdlog/spdlog.h>

#include "core/arn.hpp"
#include "core/crypto.hpp"
#include "s3/errors.hpp"
#include "s3/event_shapes.hpp"
#include "s3/object_support.hpp"
#include "s3/service_impl.hpp"

namespace awan::s3 {

namespace {

std::string host_id_of(const std::string& request_id) {
  return crypto::base64_encode(crypto::sha256(request_id));
}

}  // namespace

RequestContext S3Service::destination_context(const std::string& arn) const {
  RequestContext c;
  if (ctx_) c = *ctx_;
  c.payload.reset();
  c.payload_sha256.clear();
  c.trailers.clear();
  if (auto a = parse_arn(arn)) {
    c.region = a->region;
    c.account_id = a->account;
  }
  c.host.clear();
  return c;
}

void S3Service::deliver(const NotificationTarget& t, const std::string& message, const char* subject) {
  if (!env_.call_service) return;
  auto a = parse_arn(t.arn);
  if (!a) return;
  RequestContext c = destination_context(t.arn);
  std::string service, operation;
  json input;
  switch (t.kind) {
    case DestinationKind::Queue:
      service = "sqs";
      operation = "SendMessage";
      input = {{"QueueUrl", "http://localhost:4566/" + a->account + "/" + a->resource}, {"MessageBody", message}};
      break;
    case DestinationKind::Topic:
      service = "sns";
      operation = "Publish";
      input = {{"TopicArn", t.arn}, {"Message", message}, {"Subject", subject}};
      break;
    case DestinationKind::LambdaFunction:
      service = "lambda";
      operation = "Invoke";
      input = {{"FunctionName", t.arn}, {"InvocationType", "Event"}, {"Payload", message}};
      break;
  }
  std::string arn = t.arn;
  env_.call_service(c, service, operation, std::move(input), [arn](Result r) {
    if (r.error) spdlog::warn("s3 notification to {} failed: {} {}", arn, r.error->code, r.error->message);
  });
}

// Destinations must exist when the configuration is stored, and a function's resource policy
// must let s3.amazonaws.com invoke it (AWS also checks queue and topic policies; those are not
// evaluated here).
static std::string destination_problem(const ServiceEnv& env, const RequestContext& ctx, const NotificationTarget& t) {
  auto a = parse_arn(t.arn);
  if (!a) return "The destination ARN is not valid";
  bool ok = false;
  switch (t.kind) {
    case DestinationKind::Queue:
      env.call_service(ctx, "sqs", "GetQueueUrl", {{"QueueName", a->resource}, {"QueueOwnerAWSAccountId", a->account}},
                       [&](Result r) { ok = !r.error; });
      return ok ? "" : "The destination queue does not exist";
    case DestinationKind::Topic:
      env.call_service(ctx, "sns", "GetTopicAttributes", {{"TopicArn", t.arn}}, [&](Result r) { ok = !r.error; });
      return ok ? "" : "The destination topic does not exist";
    case DestinationKind::LambdaFunction: {
      json policy;
      bool exists = false;
      env.call_service(ctx, "lambda", "GetFunctionConfiguration", {{"FunctionName", t.arn}},
                       [&](Result r) { exists = !r.error; });
      if (!exists) return "The destination Lambda function does not exist";
      env.call_service(ctx, "lambda", "GetPolicy", {{"FunctionName", t.arn}}, [&](Result r) {
        if (!r.error) policy = json::parse(r.output.value("Policy", ""), nullptr, false);
      });
      if (policy.is_object())
        for (const auto& st : policy.value("Statement", json::array()))
          if (st.is_object() && st.value("Effect", "") == "Allow" && st.contains("Principal") &&
              st["Principal"].is_object() && st["Principal"].value("Service", "") == "s3.amazonaws.com")
            return "";
      return "Not authorized to invoke function [" + t.arn + "]";
    }
  }
  return "";
}

void S3Service::check_destinations(const NotificationConfig& config) {
  if (!env_.call_service) return;
  json missing = json::object();
  int n = 0;
  for (const auto& t : config.targets) {
    std::string problem = destination_problem(env_, destination_context(t.arn), t);
    if (problem.empty()) continue;
    ++n;
    missing["ArgumentName" + std::to_string(n)] = t.arn;
    missing["ArgumentValue" + std::to_string(n)] = problem;
  }
  if (n > 0)
    throw errors::with({"InvalidArgument", "Unable to validate the following destination configurations", 400},
                       std::move(missing));
}

void S3Service::send_test_events(const NotificationConfig& config, const std::string& bucket) {
  std::string request_id = ctx_ ? ctx_->request_id : "";
  std::string message = test_event(env_.clock->now(), bucket, request_id, host_id_of(request_id)).dump();
  for (const auto& t : config.targets) deliver(t, message, "Amazon S3 Notification");
}

void S3Service::notify(const BucketRow& b, const std::string& event, const ObjectRow& row) {
  auto cfg = b.config.find("Notification");
  if (cfg == b.config.end() || !cfg->is_object() || cfg->empty()) return;
  NotificationConfig config;
  if (parse_notification_configuration(*cfg, config)) return;
  auto targets = matching_targets(config, event, row.key);
  if (targets.empty()) return;
  EventRecordInput in;
  in.event_name = event;
  in.event_time = env_.clock->now();
  in.region = b.region;
  in.bucket = b.name;
  in.bucket_owner_id = owner()["ID"];
  if (ctx_)  // a request's caller; S3 itself (lifecycle) otherwise
    in.principal_id = "AWS:" + (ctx_->caller_user_id.empty() ? ctx_->account_id : ctx_->caller_user_id);
  else
    in.principal_id = "s3.amazonaws.com";
  if (ctx_ && !ctx_->source_ip.empty()) in.source_ip = ctx_->source_ip;
  in.request_id = ctx_ ? ctx_->request_id : "";
  in.host_id = host_id_of(in.request_id);
  in.object.key = row.key;
  if (!row.delete_marker) in.object.size = row.size;
  in.object.etag = unquoted(row.etag);
  if (row.version != "null") in.object.version_id = row.version;
  in.object.sequencer = sequencer_.next(in.event_time);
  for (const NotificationTarget* t : targets) {
    in.configuration_id = t->id;
    spdlog::info("s3 {} s3://{}/{} → {}", event, b.name, row.key, t->arn);
    deliver(*t, event_message({event_record(in)}).dump(), "Amazon S3 Notification");
  }
}

}  // namespace awan::s3
