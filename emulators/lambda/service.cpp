// The Lambda service: construction, reset, shared helpers, the invocation threads and the
// operation dispatch. The operations live in functions.cpp, invoke.cpp, event_sources.cpp,
// function_urls.cpp and layers.cpp.
#include "lambda/service_impl.hpp"

#include <filesystem>

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "core/arn.hpp"
#include "core/operation.hpp"
#include "lambda/errors.hpp"
#include "lambda/lambda.hpp"

namespace awan::lambda {

namespace {
constexpr int kWorkers = 16;
std::string key_of(const std::string& account, const std::string& region, const std::string& name) {
  return account + "/" + region + "/" + name;
}
}  // namespace

LambdaService::LambdaService(const ServiceEnv& env)
    : env_(env), store_(env.db_path("lambda"), storage::durability(env.sync_full)) {
  code_root_ = env_.data_dir.empty() ? "/tmp/awan-lambda-" + std::to_string(::getpid()) : env_.data_dir + "/lambda";
  std::error_code ec;
  std::filesystem::create_directories(code_root_, ec);
  for (auto& r : store_.functions()) {
    auto f = std::make_unique<Function>();
    f->account = r.account;
    f->region = r.region;
    f->name = r.name;
    f->doc = std::move(r.doc);
    if (auto urls = f->doc.find("urls"); urls != f->doc.end() && urls->is_object())
      for (auto& [q, c] : urls->items()) function_urls_[c.value("UrlId", "")] = {key_of(f->account, f->region, f->name), q};
    functions_[key_of(f->account, f->region, f->name)] = std::move(f);
  }
  for (auto& [uuid, doc] : store_.mappings()) mappings_[uuid] = std::move(doc);
  for (auto& [key, doc] : store_.layers()) layers_[key] = std::move(doc);
  for (int i = 0; i < kWorkers; ++i) workers_.emplace_back([this] { worker_loop(); });
  if (!isolation_available())
    spdlog::warn("lambda: no private mount namespaces here; each function runs one environment at a time");
  for (auto& [uuid, m] : mappings_) schedule_poll(uuid, std::chrono::milliseconds(100));
}

LambdaService::~LambdaService() { shutdown(); }

void LambdaService::shutdown() {
  {
    std::lock_guard lock(mu_);
    *alive_ = false;
  }
  if (stopping_.exchange(true)) return;
  work_cv_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  std::lock_guard lock(pools_mu_);
  pools_.clear();
  if (env_.data_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(code_root_, ec);
  }
}

void LambdaService::reset() {
  std::lock_guard lock(mu_);
  store_.reset();
  functions_.clear();
  function_urls_.clear();
  mappings_.clear();
  layers_.clear();
  std::lock_guard p(pools_mu_);
  pools_.clear();
}

void LambdaService::run_on_worker(std::function<void()> job) {
  {
    std::lock_guard lock(work_mu_);
    work_.push_back(std::move(job));
  }
  work_cv_.notify_one();
}

void LambdaService::worker_loop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(work_mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !work_.empty(); });
      if (stopping_) return;
      job = std::move(work_.front());
      work_.pop_front();
    }
    try {
      job();
    } catch (const std::exception& e) {
      spdlog::error("lambda worker: {}", e.what());
    }
  }
}

int64_t LambdaService::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(env_.clock->now().time_since_epoch()).count();
}
std::string LambdaService::region() const { return ctx_ ? ctx_->region : env_.default_region; }
std::string LambdaService::account() const { return ctx_ ? ctx_->account_id : env_.default_account_id; }

// "name", "name:qualifier", "123456789012:function:name[:q]", "arn:aws:lambda:r:a:function:name[:q]".
FunctionRef LambdaService::parse_function_name(const json& in, const char* member) const {
  auto it = in.find(member);
  std::string text = it != in.end() && it->is_string() ? it->get<std::string>() : "";
  if (text.empty()) throw errors::validation("1 validation error detected: Value null at '" + std::string(1, std::tolower(member[0])) + std::string(member + 1) + "' failed to satisfy constraint: Member must not be null");
  FunctionRef r{account(), region(), "", ""};
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t c = text.find(':', start);
    parts.push_back(text.substr(start, c == std::string::npos ? std::string::npos : c - start));
    if (c == std::string::npos) break;
    start = c + 1;
  }
  auto bad = [&] {
    return errors::constraint(text, "functionName",
                              "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?"
                              "([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
  };
  if (parts[0] == "arn") {
    if (parts.size() < 7 || parts.size() > 8 || parts[2] != "lambda" || parts[5] != "function") throw bad();
    r.region = parts[3];
    r.account = parts[4];
    r.name = parts[6];
    if (parts.size() == 8) r.qualifier = parts[7];
  } else if (parts.size() >= 3 && parts[1] == "function") {
    if (parts.size() > 4) throw bad();
    r.account = parts[0];
    r.name = parts[2];
    if (parts.size() == 4) r.qualifier = parts[3];
  } else {
    if (parts.size() > 2) throw bad();
    r.name = parts[0];
    if (parts.size() == 2) r.qualifier = parts[1];
  }
  if (r.name.empty() || r.name.size() > 64) throw bad();
  for (char c : r.name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) throw bad();
  if (auto q = in.find("Qualifier"); q != in.end() && q->is_string() && !q->get<std::string>().empty()) {
    if (!r.qualifier.empty() && r.qualifier != q->get<std::string>())
      throw errors::invalid("The derived qualifier from the function name does not match the specified qualifier.");
    r.qualifier = q->get<std::string>();
  }
  return r;
}

Function* LambdaService::find_function(const std::string& account, const std::string& region, const std::string& name) {
  auto it = functions_.find(key_of(account, region, name));
  return it == functions_.end() ? nullptr : it->second.get();
}

Function& LambdaService::require_function(const FunctionRef& ref) {
  Function* f = find_function(ref.account, ref.region, ref.name);
  if (!f) {
    std::string arn = "arn:aws:lambda:" + ref.region + ":" + ref.account + ":function:" + ref.name;
    throw errors::function_not_found(ref.qualifier.empty() ? arn : arn + ":" + ref.qualifier);
  }
  return *f;
}

void LambdaService::save(Function& f) { store_.put_function({f.account, f.region, f.name, f.doc}); }

Result LambdaService::call(const RequestContext& ctx, const std::string& op, json input) {
  static const std::unordered_map<std::string, Handler> kOps = {
      {"CreateFunction", &LambdaService::create_function},
      {"GetFunction", &LambdaService::get_function},
      {"GetFunctionConfiguration", &LambdaService::get_function_configuration},
      {"ListFunctions", &LambdaService::list_functions},
      {"UpdateFunctionCode", &LambdaService::update_function_code},
      {"UpdateFunctionConfiguration", &LambdaService::update_function_configuration},
      {"DeleteFunction", &LambdaService::delete_function},
      {"PublishVersion", &LambdaService::publish_version},
      {"ListVersionsByFunction", &LambdaService::list_versions_by_function},
      {"CreateAlias", &LambdaService::create_alias},
      {"GetAlias", &LambdaService::get_alias},
      {"UpdateAlias", &LambdaService::update_alias},
      {"DeleteAlias", &LambdaService::delete_alias},
      {"ListAliases", &LambdaService::list_aliases},
      {"AddPermission", &LambdaService::add_permission},
      {"RemovePermission", &LambdaService::remove_permission},
      {"GetPolicy", &LambdaService::get_policy},
      {"PutFunctionConcurrency", &LambdaService::put_function_concurrency},
      {"GetFunctionConcurrency", &LambdaService::get_function_concurrency},
      {"DeleteFunctionConcurrency", &LambdaService::delete_function_concurrency},
      {"PutFunctionEventInvokeConfig", &LambdaService::put_function_event_invoke_config},
      {"UpdateFunctionEventInvokeConfig", &LambdaService::update_function_event_invoke_config},
      {"ListFunctionEventInvokeConfigs", &LambdaService::list_function_event_invoke_configs},
      {"GetFunctionEventInvokeConfig", &LambdaService::get_function_event_invoke_config},
      {"DeleteFunctionEventInvokeConfig", &LambdaService::delete_function_event_invoke_config},
      {"TagResource", &LambdaService::tag_resource},
      {"UntagResource", &LambdaService::untag_resource},
      {"ListTags", &LambdaService::list_tags},
      {"GetAccountSettings", &LambdaService::get_account_settings},
      {"CreateEventSourceMapping", &LambdaService::create_event_source_mapping},
      {"GetEventSourceMapping", &LambdaService::get_event_source_mapping},
      {"UpdateEventSourceMapping", &LambdaService::update_event_source_mapping},
      {"DeleteEventSourceMapping", &LambdaService::delete_event_source_mapping},
      {"ListEventSourceMappings", &LambdaService::list_event_source_mappings},
      {"CreateFunctionUrlConfig", &LambdaService::create_function_url_config},
      {"GetFunctionUrlConfig", &LambdaService::get_function_url_config},
      {"UpdateFunctionUrlConfig", &LambdaService::update_function_url_config},
      {"DeleteFunctionUrlConfig", &LambdaService::delete_function_url_config},
      {"ListFunctionUrlConfigs", &LambdaService::list_function_url_configs},
      {"PublishLayerVersion", &LambdaService::publish_layer_version},
      {"GetLayerVersion", &LambdaService::get_layer_version},
      {"GetLayerVersionByArn", &LambdaService::get_layer_version_by_arn},
      {"ListLayers", &LambdaService::list_layers},
      {"ListLayerVersions", &LambdaService::list_layer_versions},
      {"DeleteLayerVersion", &LambdaService::delete_layer_version},
      {"AddLayerVersionPermission", &LambdaService::add_layer_version_permission},
      {"RemoveLayerVersionPermission", &LambdaService::remove_layer_version_permission},
      {"GetLayerVersionPolicy", &LambdaService::get_layer_version_policy},
  };
  auto it = kOps.find(op);
  if (it == kOps.end()) return Result::fail(AwsError::not_implemented("The Lambda operation " + op));
  if (!input.is_object()) input = json::object();
  std::lock_guard lock(mu_);
  ctx_ = &ctx;
  Result result = run_operation("lambda", op, [&] { return (this->*(it->second))(input); },
                                AwsError("ServiceException", "An internal error occurred.", 500, false),
                                errors::invalid("One or more parameters are invalid."));
  ctx_ = nullptr;
  return result;
}

void LambdaService::invoke(const RequestContext& ctx, const std::string& op, json input, Completion done) {
  if (op == "CreateFunction" || op == "UpdateFunctionCode" || op == "PublishLayerVersion")
    if (auto err = input.is_object() ? fetch_s3_code(ctx, input) : std::nullopt) return done(Result::fail(*err));
  if (op != "Invoke" && op != "InvokeAsync") return done(call(ctx, op, std::move(input)));
  bool completed = false;
  Result r;
  {
    std::lock_guard lock(mu_);
    ctx_ = &ctx;
    try {
      r = invoke_sync(ctx, input, done, completed);
    } catch (const AwsError& e) {
      r = Result::fail(e);
    }
    ctx_ = nullptr;
  }
  if (!completed) done(std::move(r));
}

std::unique_ptr<Service> make_service(const ServiceEnv& env) { return std::make_unique<LambdaService>(env); }

}  // namespace awan::lambda
