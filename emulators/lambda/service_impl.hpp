#pragma once
// The Lambda service class. Operations by file: functions.cpp (functions, code, configuration,
// versions, aliases, policies, concurrency, event-invoke configurations, tags, account
// settings), invoke.cpp (Invoke: in-process handlers and execution environments, logs, the
// asynchronous queue with retries and destinations), event_sources.cpp (event source mappings
// and their pollers for DynamoDB streams and SQS), function_urls.cpp (function URL
// configurations and their data plane); service.cpp holds construction, reset, the invocation
// threads and the dispatch table.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "awan/function.hpp"
#include "awan/service.hpp"
#include "lambda/event_filters.hpp"
#include "lambda/execution_environment.hpp"
#include "lambda/store.hpp"

namespace awan::lambda {

using json = nlohmann::json;

// A function as stored: its document holds "config" ($LATEST's FunctionConfiguration), "code"
// ({dir, sha256, size}), "versions" (number → {config, code}), "next_version", "aliases",
// "policy", "concurrency", "event_invoke" (qualifier → config), "tags", "active_ms".
struct Function {
  std::string account, region, name;
  json doc;
  std::string arn() const { return "arn:aws:lambda:" + region + ":" + account + ":function:" + name; }
};

// FunctionName as a name, a full or partial ARN, with an optional ":qualifier".
struct FunctionRef {
  std::string account, region, name, qualifier;
};

// What one invocation runs: a resolved version of a function.
struct Target {
  std::string account, region, name, arn, version;  // version: "$LATEST" or a number
  std::string qualified_arn;  // the ARN the caller named (with its qualifier, if any)
  json config;                // that version's FunctionConfiguration
  json code;                  // {dir, sha256, size}
  std::optional<int64_t> reserved;  // reserved concurrency
};

struct InvokeOutcome {
  std::string payload;
  bool function_error = false;
  bool throttled = false;              // reserved concurrency exhausted (payload: the error)
  std::vector<std::string> log_lines;  // with START / END / REPORT
};

// An event waiting for (another) asynchronous attempt.
struct AsyncEvent {
  Target target;
  std::string request_id, payload;
  int attempts = 0;
  int64_t enqueued_ms = 0;
};

class LambdaService final : public Service {
 public:
  explicit LambdaService(const ServiceEnv& env);
  ~LambdaService() override;
  std::string_view name() const override { return "lambda"; }
  void invoke(const RequestContext& ctx, const std::string& operation, json input, Completion done) override;
  Result call(const RequestContext& ctx, const std::string& operation, json input) override;
  bool invoke_http(const RequestContext& ctx, const HttpCall& call, HttpCompletion done) override;
  void reset() override;
  void shutdown() override;

  using Handler = Result (LambdaService::*)(json& in);

 private:
  // ---- shared helpers (service.cpp) ----
  int64_t now_ms() const;
  std::string region() const;
  std::string account() const;
  FunctionRef parse_function_name(const json& in, const char* member = "FunctionName") const;
  Function& require_function(const FunctionRef& ref);
  Function* find_function(const std::string& account, const std::string& region, const std::string& name);
  void save(Function& f);
  void run_on_worker(std::function<void()> job);  // an invocation thread
  void worker_loop();

  // ---- functions.cpp ----
  Result create_function(json& in);
  Result get_function(json& in);
  Result get_function_configuration(json& in);
  Result list_functions(json& in);
  Result update_function_code(json& in);
  Result update_function_configuration(json& in);
  Result delete_function(json& in);
  Result publish_version(json& in);
  Result list_versions_by_function(json& in);
  Result create_alias(json& in);
  Result get_alias(json& in);
  Result update_alias(json& in);
  Result delete_alias(json& in);
  Result list_aliases(json& in);
  Result add_permission(json& in);
  Result remove_permission(json& in);
  Result get_policy(json& in);
  Result put_function_concurrency(json& in);
  Result get_function_concurrency(json& in);
  Result delete_function_concurrency(json& in);
  Result put_function_event_invoke_config(json& in);
  Result update_function_event_invoke_config(json& in);
  Result list_function_event_invoke_configs(json& in);
  Result write_event_invoke_config(json& in, bool merge);
  Result get_function_event_invoke_config(json& in);
  Result delete_function_event_invoke_config(json& in);
  Result tag_resource(json& in);
  Result untag_resource(json& in);
  Result list_tags(json& in);
  Result get_account_settings(json& in);
  // The deployment package of CreateFunction / UpdateFunctionCode unpacked into a new code
  // directory: {dir, sha256, size}.
  json store_code(const Function& f, const json& code_in, const std::string& handler);
  std::optional<AwsError> fetch_s3_code(const RequestContext& ctx, json& in);
  json unpack(const std::string& base, const std::string& zip);  // a package or layer: {dir, sha256, size}
  json configuration(const Function& f, const json& config) const;  // with State, LastUpdateStatus
  void check_configuration(const json& in, bool creating);
  // Resolves the version and configuration an invocation of `ref` runs; `weighted`: an alias's
  // RoutingConfig picks the version (invocations), else its primary version (reads).
  Target resolve(const FunctionRef& ref, bool weighted = false);

  // ---- layers.cpp ----
  Result add_layer_version_permission(json& in);
  Result remove_layer_version_permission(json& in);
  Result get_layer_version_policy(json& in);
  Result publish_layer_version(json& in);
  Result get_layer_version(json& in);
  Result get_layer_version_by_arn(json& in);
  Result list_layers(json& in);
  Result list_layer_versions(json& in);
  Result delete_layer_version(json& in);
  json& require_layer_version(const std::string& account, const std::string& region, const std::string& name,
                              const std::string& version);
  // Function Layers (version ARNs) checked and described: [{Arn, CodeSize}].
  json resolve_layers(const json& arns);

  // ---- invoke.cpp ----
  Result invoke_sync(const RequestContext& ctx, json& in, Completion& done, bool& completed);
  // Runs one invocation on the calling (invocation) thread.
  InvokeOutcome execute(const Target& t, const std::string& request_id, const std::string& payload,
                        const std::string& client_context);
  InvokeOutcome execute_in_process(const Target& t, const std::string& request_id, const std::string& payload);
  InvokeOutcome execute_in_environment(const Target& t, const std::string& request_id, const std::string& payload,
                                       const std::string& client_context);
  void write_logs(const Target& t, const std::string& stream, const std::vector<std::string>& lines);
  void enqueue_async(AsyncEvent e);
  void run_async(AsyncEvent e);
  void send_to_destination(const std::string& arn, const json& record, const std::string& region);
  json event_invoke_config(const Target& t);

  // ---- function_urls.cpp ----
  Result create_function_url_config(json& in);
  Result get_function_url_config(json& in);
  Result update_function_url_config(json& in);
  Result delete_function_url_config(json& in);
  Result list_function_url_configs(json& in);
  std::pair<Function*, std::string> url_target(json& in);
  std::string function_url_of(const std::string& url_id, const std::string& region) const;
  json url_output(const Function& f, const json& config) const;
  // Drops the URL ids of a function (qualifier ""), or of one of its aliases, from the index.
  void forget_function_urls(const Function& f, const std::string& qualifier);

  // ---- event_sources.cpp ----
  Result create_event_source_mapping(json& in);
  Result get_event_source_mapping(json& in);
  Result update_event_source_mapping(json& in);
  Result delete_event_source_mapping(json& in);
  Result list_event_source_mappings(json& in);
  json mapping_output(const json& m) const;
  void schedule_poll(const std::string& uuid, std::chrono::milliseconds after);
  void poll(const std::string& uuid);
  // One batch from a DynamoDB stream / an SQS queue, invoked and checkpointed; true when
  // records came (poll again at once).
  bool poll_stream(json& mapping);
  bool poll_queue(json& mapping);
  void process_stream_batch(json& mapping, const Target& t, const EventFilters& filters, const std::string& shard,
                            json batch, const std::string& next_iterator);
  void send_stream_failure(const json& mapping, const Target& t, const std::string& shard, const json& records,
                           const std::string& condition, int attempts);
  void delete_messages(const RequestContext& c, const std::string& queue_arn, const std::vector<std::string>& receipt_handles);

  ServiceEnv env_;
  std::mutex mu_;
  Store store_;
  std::string code_root_;
  std::map<std::string, std::unique_ptr<Function>> functions_;  // "account/region/name"
  std::map<std::string, json> mappings_;                         // UUID → document
  std::map<std::string, int> queue_lanes_;                       // SQS mapping UUID → pollers running
  static constexpr int kMaxQueueLanes = 8;  // half the invocation threads: streams and invokes keep the rest
  int queue_lane_limit(const json& mapping);  // under mu_
  std::map<std::string, json> layers_;                           // "account/region/name" → versions
  std::set<std::string> polling_;                                // mappings with a poll in flight
  // Function URLs: URL id → ("account/region/name", qualifier); the configurations live in
  // their function's document ("urls": qualifier → config).
  std::map<std::string, std::pair<std::string, std::string>> function_urls_;
  const RequestContext* ctx_ = nullptr;

  // Invocation threads.
  std::mutex work_mu_;
  std::condition_variable work_cv_;
  std::deque<std::function<void()>> work_;
  std::vector<std::thread> workers_;
  std::atomic<bool> stopping_{false};

  // Warm execution environments by function version and code.
  struct Pool {
    std::vector<std::unique_ptr<ExecutionEnvironment>> idle;
    int busy = 0;
  };
  std::mutex pools_mu_;
  std::map<std::string, Pool> pools_;
  std::atomic<int64_t> in_process_busy_{0};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace awan::lambda
