// Runtimes on this machine (runtimes.hpp): interpreter lookup, the runtime clients, and the
// environment AWS gives a function's process.
#include "lambda/runtimes.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "core/ids.hpp"
#include "core/timefmt.hpp"

namespace awan::lambda {
namespace {

namespace fs = std::filesystem;

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool executable(const std::string& path) { return !path.empty() && ::access(path.c_str(), X_OK) == 0; }

// `name` on the daemon's PATH, or empty.
std::string find_on_path(const std::string& name) {
  std::string path = env_or_empty("PATH");
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = path.find(':', start);
    if (colon == std::string::npos) colon = path.size();
    std::string dir = path.substr(start, colon - start);
    if (!dir.empty() && executable(dir + "/" + name)) return dir + "/" + name;
    start = colon + 1;
  }
  return "";
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.compare(0, prefix.size(), prefix) == 0; }
bool is_python(const std::string& runtime) { return starts_with(runtime, "python3"); }
bool is_node(const std::string& runtime) { return starts_with(runtime, "nodejs"); }
bool is_provided(const std::string& runtime) { return starts_with(runtime, "provided"); }

// "nodejs20.x" → "20"
std::string node_major(const std::string& runtime) {
  std::string v = runtime.substr(6);
  return v.substr(0, v.find('.'));
}

std::string default_log_stream(const std::string& version) {
  std::string day = timefmt::iso8601(std::chrono::system_clock::now()).substr(0, 10);
  for (auto& c : day)
    if (c == '-') c = '/';
  return day + "/[" + version + "]" + ids::random_string(32, "0123456789abcdef");
}

// The paths a function's process is told about: /var/task and /opt when isolated, the host's
// directories otherwise.
struct Seen {
  std::string task, opt, runtime, sdk;  // sdk: the Node.js SDK v3 directory ("" = none)
};

using Env = std::map<std::string, std::string>;

// Variables a function's own Environment.Variables may replace (AWS reserves only the others).
Env defaults(const FunctionCode& code, const Seen& seen, const std::string& runtime) {
  Env env;
  env["PATH"] = "/usr/local/bin:/usr/bin:/bin:" + seen.opt + "/bin";
  env["LD_LIBRARY_PATH"] = seen.task + ":" + seen.task + "/lib:" + seen.opt + "/lib";
  env["LANG"] = "en_US.UTF-8";
  env["TZ"] = ":UTC";
  if (!code.endpoint_url.empty()) env["AWS_ENDPOINT_URL"] = code.endpoint_url;
  if (is_python(runtime)) env["PYTHONPATH"] = seen.runtime;
  if (is_node(runtime)) {
    const std::string& sdk = seen.sdk;
    env["NODE_PATH"] = seen.opt + "/nodejs/node" + node_major(runtime) + "/node_modules:" + seen.opt +
                       "/nodejs/node_modules:" + (sdk.empty() ? "" : sdk + ":") + seen.runtime + ":" + seen.task;
  }
  return env;
}

void add_reserved(Env& env, const FunctionCode& code, const Seen& seen, const std::string& runtime_api) {
  env["AWS_LAMBDA_RUNTIME_API"] = runtime_api;
  env["_HANDLER"] = code.handler;
  env["LAMBDA_TASK_ROOT"] = seen.task;
  env["LAMBDA_RUNTIME_DIR"] = seen.runtime;
  env["AWS_LAMBDA_FUNCTION_NAME"] = code.function_name;
  env["AWS_LAMBDA_FUNCTION_VERSION"] = code.version;
  env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(code.memory_mb);
  env["AWS_LAMBDA_LOG_GROUP_NAME"] = code.log_group.empty() ? "/aws/lambda/" + code.function_name : code.log_group;
  env["AWS_LAMBDA_LOG_STREAM_NAME"] = code.log_stream.empty() ? default_log_stream(code.version) : code.log_stream;
  env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
  env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = code.region;
  // A 12-digit access key names the account (docs/architecture.md, identity).
  env["AWS_ACCESS_KEY_ID"] = code.access_key_id.empty() ? code.account : code.access_key_id;
  env["AWS_SECRET_ACCESS_KEY"] = code.secret_access_key.empty() ? "awan" : code.secret_access_key;
  if (!code.session_token.empty()) env["AWS_SESSION_TOKEN"] = code.session_token;
  if (!is_provided(code.runtime)) env["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + code.runtime;
  if (is_node(code.runtime) && !seen.sdk.empty()) env["AWAN_NODE_SDK_PATH"] = seen.sdk;
}

// provided.*: /var/task/bootstrap, else /opt/bootstrap (host paths checked, sandbox path run).
std::optional<std::string> bootstrap_path(const FunctionCode& code, const EnvironmentPaths& paths, const Seen& seen) {
  if (executable(code.code_dir + "/bootstrap")) return seen.task + "/bootstrap";
  if (executable(paths.opt_dir + "/bootstrap")) return seen.opt + "/bootstrap";
  return std::nullopt;
}

}  // namespace

std::string runtimes_dir() {
  std::string dir = env_or_empty("AWAN_RUNTIMES_DIR");
  if (!dir.empty()) return dir;
  std::error_code ec;
  if (fs::is_directory(AWAN_RUNTIMES_SOURCE_DIR, ec)) return AWAN_RUNTIMES_SOURCE_DIR;
  return AWAN_RUNTIMES_INSTALL_DIR;
}

std::string python_interpreter() {
  std::string chosen = env_or_empty("AWAN_PYTHON");
  if (!chosen.empty()) return executable(chosen) ? chosen : "";
  if (executable("/usr/bin/python3")) return "/usr/bin/python3";
  return find_on_path("python3");
}

std::string node_interpreter() {
  std::string chosen = env_or_empty("AWAN_NODE");
  if (!chosen.empty()) return executable(chosen) ? chosen : "";
  std::string found = find_on_path("node");
  if (!found.empty()) return found;
  return executable("/usr/bin/node") ? "/usr/bin/node" : "";
}

std::string node_sdk_dir() {
  std::string chosen = env_or_empty("AWAN_NODE_SDK_PATH");
  if (!chosen.empty()) return chosen;
  std::error_code ec;
  fs::path runtimes = runtimes_dir();
  for (const fs::path& dir : {runtimes / "node" / "node_modules",
                              runtimes.parent_path() / "tests" / "integration" / "js" / "node_modules"})
    if (fs::is_directory(dir / "@aws-sdk", ec)) return dir.string();
  return "";
}

std::optional<std::string> runtime_unavailable(const std::string& runtime) {
  auto missing = [&](const std::string& what) {
    return "The runtime " + runtime + " is not available on this machine: " + what + " was not found";
  };
  std::error_code ec;
  if (is_provided(runtime)) return std::nullopt;
  if (is_python(runtime)) {
    if (python_interpreter().empty()) return missing("python3");
    if (!fs::exists(runtimes_dir() + "/python/awan_lambda_runtime.py", ec)) return missing("the Awan Python runtime client");
    return std::nullopt;
  }
  if (is_node(runtime)) {
    if (node_interpreter().empty()) return missing("node");
    if (!fs::exists(runtimes_dir() + "/node/awan_lambda_runtime.mjs", ec)) return missing("the Awan Node.js runtime client");
    return std::nullopt;
  }
  return "The runtime " + runtime + " is not supported by Awan";
}

std::optional<SandboxSpec> launch_spec(const FunctionCode& code, const EnvironmentPaths& paths,
                                       const std::string& runtime_api, std::string& error) {
  std::string lang = is_python(code.runtime) ? "python" : is_node(code.runtime) ? "node" : "";
  std::string host_runtime = lang.empty() ? "" : runtimes_dir() + "/" + lang;
  // The SDK is mounted at /var/awan-sdk when isolated: its host directory may be under /tmp,
  // which the environment's own /tmp hides.
  std::string sdk = is_node(code.runtime) ? node_sdk_dir() : "";
  Seen seen = paths.isolated ? Seen{"/var/task", "/opt", "/var/runtime", sdk.empty() ? "" : kSdkMount}
                             : Seen{code.code_dir, paths.opt_dir, host_runtime, sdk};
  SandboxSpec spec;
  if (is_python(code.runtime)) {
    spec.argv = {python_interpreter(), seen.runtime + "/awan_lambda_runtime.py"};
  } else if (is_node(code.runtime)) {
    spec.argv = {node_interpreter(), seen.runtime + "/awan_lambda_runtime.mjs"};
  } else if (auto bootstrap = bootstrap_path(code, paths, seen)) {
    spec.argv = {*bootstrap};
  } else {
    error = "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]";
    return std::nullopt;
  }
  Env env = defaults(code, seen, code.runtime);
  for (const auto& [name, value] : code.environment) env[name] = value;
  add_reserved(env, code, seen, runtime_api);
  if (!paths.isolated) {
    env["TMPDIR"] = paths.tmp_dir;
    env["AWAN_OPT_DIR"] = paths.opt_dir;  // what /opt would be: the runtime clients read it
  }
  for (const auto& [name, value] : env) spec.env.push_back(name + "=" + value);
  spec.cwd = seen.task;
  spec.isolate = paths.isolated;
  if (paths.isolated) {
    spec.task_dir = code.code_dir;
    spec.runtime_dir = host_runtime;
    spec.opt_dir = paths.opt_dir;
    spec.sdk_dir = sdk;
    spec.tmp_mb = code.ephemeral_mb;
  }
  return spec;
}

}  // namespace awan::lambda
