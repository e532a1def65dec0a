// Activities and task tokens: Create/Delete/Describe/ListActivities, GetActivityTask (a long poll
// answered by the completion, never blocking a thread), SendTaskSuccess/Failure/Heartbeat.
#include "core/ids.hpp"
#include "stepfunctions/service_impl.hpp"

namespace awan::stepfunctions {

namespace {
constexpr int kPollSeconds = 60;
}  // namespace

Result StepFunctionsService::create_activity(const RequestContext& ctx, json& in) {
  const std::string& name = required(in, "name");
  if (name.empty() || name.size() > 80) throw errors::invalid_name(name);
  json encryption = encryption_configuration(in);
  std::string arn = arn_prefix(ctx, "activity") + name;
  if (auto it = activities_.find(arn); it != activities_.end())
    return Result::ok({{"activityArn", arn}, {"creationDate", it->second["creationDate"]}});
  json d = {{"activityArn", arn}, {"name", name}, {"creationDate", now_s()}, {"tags", in.value("tags", json::array())},
            {"encryptionConfiguration", encryption}};
  activities_[arn] = d;
  store_.put("activity", arn, d);
  return Result::ok({{"activityArn", arn}, {"creationDate", d["creationDate"]}});
}

Result StepFunctionsService::delete_activity(const RequestContext& ctx, json& in) {
  const std::string& arn = required(in, "activityArn");
  if (arn.rfind("arn:aws:states:", 0) != 0 || arn.find(":activity:") == std::string::npos) throw errors::invalid_arn(arn);
  activities_.erase(arn);
  store_.remove("activity", arn);
  return Result::ok();
}

Result StepFunctionsService::describe_activity(const RequestContext& ctx, json& in) {
  const std::string& arn = required(in, "activityArn");
  if (arn.rfind("arn:aws:states:", 0) != 0 || arn.find(":activity:") == std::string::npos) throw errors::invalid_arn(arn);
  auto it = activities_.find(arn);
  if (it == activities_.end()) throw errors::activity_does_not_exist(arn);
  json out = it->second;
  out.erase("tags");
  if (!out.contains("encryptionConfiguration")) out["encryptionConfiguration"] = {{"type", "AWS_OWNED_KEY"}};
  return Result::ok(out);
}

Result StepFunctionsService::list_activities(const RequestContext& ctx, json& in) {
  std::vector<json> all;
  std::string prefix = arn_prefix(ctx, "activity");
  for (const auto& [arn, d] : activities_)
    if (arn.rfind(prefix, 0) == 0) all.push_back({{"activityArn", arn}, {"name", d["name"]}, {"creationDate", d["creationDate"]}});
  return Result::ok(list_page(all, in, "activities"));
}

void StepFunctionsService::match_pollers(const std::string& activity_arn, std::vector<std::function<void()>>& after) {
  auto& queue = activity_queue_[activity_arn];
  for (auto p = pollers_.begin(); p != pollers_.end() && !queue.empty();) {
    if (p->activity_arn != activity_arn) {
      ++p;
      continue;
    }
    std::string token = queue.front();
    queue.pop_front();
    auto t = tokens_.find(token);
    if (t == tokens_.end()) continue;
    t->second.started = true;
    Completion done = std::move(p->done);
    json out = {{"taskToken", token}, {"input", t->second.input.dump()}};
    after.push_back([done, out] { done(Result::ok(out)); });
    p = pollers_.erase(p);
  }
}

void StepFunctionsService::get_activity_task(const RequestContext& ctx, json in, Completion done) {
  std::vector<std::function<void()>> after;
  {
    std::lock_guard lock(mu_);
    auto it = in.find("activityArn");
    if (it == in.end() || !it->is_string()) {
      done(Result::fail(AwsError::validation("1 validation error detected: Value null at 'activityArn' failed to satisfy constraint: Member must not be null")));
      return;
    }
    std::string arn = *it;
    if (!activities_.count(arn)) {
      done(Result::fail(errors::activity_does_not_exist(arn)));
      return;
    }
    uint64_t id = ++next_poller_;
    pollers_.push_back({arn, in.value("workerName", ""), std::move(done), id});
    match_pollers(arn, after);
    post(std::chrono::seconds(kPollSeconds), [this, id] {
      Completion d;
      {
        std::lock_guard l(mu_);
        for (auto p = pollers_.begin(); p != pollers_.end(); ++p)
          if (p->id == id) {
            d = std::move(p->done);
            pollers_.erase(p);
            break;
          }
      }
      if (d) d(Result::ok(json::object()));
    });
  }
  for (auto& fn : after) fn();
}

Result StepFunctionsService::send_task_success(const RequestContext& ctx, json& in) {
  const std::string& token = required(in, "taskToken");
  const std::string& output = required(in, "output");
  auto it = tokens_.find(token);
  if (it == tokens_.end()) throw errors::invalid_token();
  json out = json::parse(output, nullptr, false);
  if (out.is_discarded()) throw errors::invalid_output("Invalid Output: 'Unrecognized token'");
  auto resume = std::move(it->second.resume);
  tokens_.erase(it);
  Outcome o;
  o.output = std::move(out);
  post(std::chrono::milliseconds(0), [resume, o] { resume(o); });
  return Result::ok();
}

Result StepFunctionsService::send_task_failure(const RequestContext& ctx, json& in) {
  const std::string& token = required(in, "taskToken");
  auto it = tokens_.find(token);
  if (it == tokens_.end()) throw errors::invalid_token();
  auto resume = std::move(it->second.resume);
  tokens_.erase(it);
  Outcome o = Outcome::failure(in.value("error", ""), in.value("cause", ""));
  post(std::chrono::milliseconds(0), [resume, o] { resume(o); });
  return Result::ok();
}

Result StepFunctionsService::send_task_heartbeat(const RequestContext& ctx, json& in) {
  const std::string& token = required(in, "taskToken");
  auto it = tokens_.find(token);
  if (it == tokens_.end()) throw errors::invalid_token();
  if (it->second.heartbeat_seconds > 0)
    it->second.heartbeat_deadline_ms = now_ms() + it->second.heartbeat_seconds * 1000;
  return Result::ok();
}

void StepFunctionsService::arm_heartbeat(const std::string& token) {
  auto it = tokens_.find(token);
  if (it == tokens_.end() || it->second.heartbeat_seconds <= 0) return;
  if (it->second.heartbeat_deadline_ms == 0) it->second.heartbeat_deadline_ms = now_ms() + it->second.heartbeat_seconds * 1000;
  int64_t wait = std::max<int64_t>(it->second.heartbeat_deadline_ms - now_ms(), 0);
  post(std::chrono::milliseconds(wait), [this, token] {
    std::lock_guard lock(mu_);
    auto t = tokens_.find(token);
    if (t == tokens_.end()) return;
    if (now_ms() < t->second.heartbeat_deadline_ms) return arm_heartbeat(token);
    auto resume = std::move(t->second.resume);
    tokens_.erase(t);
    resume(Outcome::failure("States.HeartbeatTimeout", ""));
  });
}

}  // namespace awan::stepfunctions
