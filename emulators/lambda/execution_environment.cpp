// Execution environments (execution_environment.hpp): the per-environment directories, the
// runtime process and its monitor thread (exit, output → log lines), and invoke(), which hands an
// event to the Runtime API listener (runtime_api.cpp) and waits for its outcome. The process is
// started by sandbox.cpp from what runtimes.cpp decides; unzip.cpp unpacks packages.
#include "lambda/execution_environment.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/ids.hpp"
#include "core/timefmt.hpp"
#include "lambda/runtime_api.hpp"
#include "lambda/runtimes.hpp"
#include "lambda/sandbox.hpp"

namespace awan::lambda {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxLogLine = 256 * 1024;  // a longer line is cut, as CloudWatch cuts events
constexpr auto kInitLimit = std::chrono::seconds(10);  // AWS's init phase limit

// Where environments keep their directories: $TMPDIR/awan-lambda-<pid>/.
fs::path environments_root() {
  const char* tmp = std::getenv("TMPDIR");
  return fs::path(tmp && *tmp ? tmp : "/tmp") / ("awan-lambda-" + std::to_string(::getpid()));
}

// Layers in order, later files over earlier ones (AWS's /opt): none → an empty directory, one →
// the layer itself, more → a merged copy.
std::optional<std::string> layers_dir(const std::vector<std::string>& layers, const fs::path& env_dir,
                                      std::string& error) {
  if (layers.size() == 1) return layers.front();
  fs::path opt = env_dir / "opt";
  std::error_code ec;
  fs::create_directories(opt, ec);
  for (const auto& layer : layers) {
    if (ec) break;
    fs::copy(layer, opt, fs::copy_options::recursive | fs::copy_options::overwrite_existing | fs::copy_options::copy_symlinks, ec);
  }
  if (ec) {
    error = "Cannot prepare the layers: " + ec.message();
    return std::nullopt;
  }
  return opt.string();
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// The peak resident size of a process, in MB (rounded up); 0 when it cannot be read.
int64_t peak_memory_mb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return (std::strtoll(line.c_str() + 6, nullptr, 10) + 1023) / 1024;
  }
  return 0;
}

std::string exit_error(const std::string& request_id, const std::string& exit_status) {
  return nlohmann::json{{"errorType", "Runtime.ExitError"},
                        {"errorMessage", "RequestId: " + request_id + " Error: Runtime exited with error: " + exit_status}}
      .dump();
}

std::string timeout_message(const std::string& request_id, int timeout_s) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f", static_cast<double>(timeout_s));
  return timefmt::iso8601(std::chrono::system_clock::now(), true) + " " + request_id + " Task timed out after " +
         seconds + " seconds";
}

// How long the function has for this invocation: until its deadline, or its timeout.
std::chrono::milliseconds budget_of(const InvocationRequest& request, int timeout_s) {
  using namespace std::chrono;
  if (request.deadline.time_since_epoch().count() == 0) return seconds(timeout_s);
  auto left = duration_cast<milliseconds>(request.deadline - system_clock::now());
  return left.count() > 0 ? left : milliseconds(0);
}

}  // namespace

bool isolation_available() {
  static const bool available = [] {
    const char* knob = std::getenv("AWAN_LAMBDA_ISOLATION");
    if (knob && std::string(knob) == "off") return false;
    return probe_isolation();
  }();
  return available;
}

struct ExecutionEnvironment::Impl {
  FunctionCode code;
  fs::path dir;  // this environment's own directory (merged layers, TMPDIR when not isolated)
  RuntimeApi api;
  SandboxProcess proc;
  Clock::time_point started_at = Clock::now();
  std::thread monitor;

  std::mutex proc_mu;  // guards reaped/exit_status against the monitor
  bool reaped = false;
  std::string exit_status;

  std::mutex log_mu;
  std::string partial;
  std::vector<std::string> lines;

  std::mutex invoke_mu;  // one invocation at a time
  bool init_reported = false;
  bool lost = false;

  ~Impl();
  void watch();
  bool drain();
  void feed(const char* data, size_t n);
  std::vector<std::string> take_lines();
  void kill_group();
  void reap();
  InvocationResult result_of(const InvocationRequest& request, RuntimeOutcome&& outcome, Clock::time_point start);
};

ExecutionEnvironment::Impl::~Impl() {
  kill_group();
  if (monitor.joinable()) monitor.join();
  api.stop();
  for (int fd : {proc.output_fd, proc.pid_fd})
    if (fd >= 0) ::close(fd);
  std::error_code ec;
  if (dir.empty()) return;
  fs::remove_all(dir, ec);
  fs::remove(dir.parent_path(), ec);  // the root too, once its last environment is gone
}

// The monitor thread: output into log lines until the process exits, then the exit reported.
void ExecutionEnvironment::Impl::watch() {
  pollfd fds[2] = {{proc.output_fd, POLLIN, 0}, {proc.pid_fd, POLLIN, 0}};
  for (;;) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents && !drain()) fds[0].fd = -1;
    if (fds[1].revents || (fds[0].fd < 0 && proc.pid_fd < 0)) break;
  }
  reap();
  drain();
  std::string status;
  {
    std::lock_guard lock(proc_mu);
    status = exit_status;
  }
  api.runtime_exited(status);
}

// Reads what the process wrote so far; false at end of file.
bool ExecutionEnvironment::Impl::drain() {
  std::lock_guard lock(log_mu);
  char buf[16 * 1024];
  for (;;) {
    ssize_t n = ::read(proc.output_fd, buf, sizeof buf);
    if (n > 0) {
      feed(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return n < 0 && errno == EAGAIN;
    }
  }
}

void ExecutionEnvironment::Impl::feed(const char* data, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (data[i] == '\n') {
      lines.push_back(std::move(partial));
      partial.clear();
      continue;
    }
    partial.push_back(data[i]);
    if (partial.size() >= kMaxLogLine) {
      lines.push_back(std::move(partial));
      partial.clear();
    }
  }
}

std::vector<std::string> ExecutionEnvironment::Impl::take_lines() {
  std::lock_guard lock(log_mu);
  if (!partial.empty()) {
    lines.push_back(std::move(partial));
    partial.clear();
  }
  return std::exchange(lines, {});
}

void ExecutionEnvironment::Impl::kill_group() {
  std::lock_guard lock(proc_mu);
  // The group leader is not reaped yet (at worst a zombie), so its group id is still ours.
  if (!reaped && proc.pid > 0) ::kill(-proc.pid, SIGKILL);
}

void ExecutionEnvironment::Impl::reap() {
  std::lock_guard lock(proc_mu);
  if (reaped) return;
  ::kill(-proc.pid, SIGKILL);  // what the runtime left behind goes with it
  int status = 0;
  while (::waitpid(proc.pid, &status, 0) < 0 && errno == EINTR) {
  }
  reaped = true;
  exit_status = describe_exit(status);
}

ExecutionEnvironment::ExecutionEnvironment() = default;

ExecutionEnvironment::~ExecutionEnvironment() = default;

std::unique_ptr<ExecutionEnvironment> ExecutionEnvironment::start(const FunctionCode& code, std::string& error) {
  std::unique_ptr<ExecutionEnvironment> env(new ExecutionEnvironment());
  try {
    env->impl_ = std::make_unique<Impl>();
  } catch (const std::exception& e) {
    error = std::string("Cannot start the Runtime API: ") + e.what();
    return nullptr;
  }
  Impl& im = *env->impl_;
  im.code = code;
  im.dir = environments_root() / ids::uuid4();
  std::error_code ec;
  // Twice: another environment may remove the (empty) root between the two mkdirs.
  for (int attempt = 0; attempt < 2 && !fs::is_directory(im.dir / "tmp"); ++attempt) fs::create_directories(im.dir / "tmp", ec);
  if (ec) {
    error = "Cannot create the environment's directory: " + ec.message();
    return nullptr;
  }
  EnvironmentPaths paths;
  paths.isolated = isolation_available();
  paths.tmp_dir = (im.dir / "tmp").string();
  auto opt = layers_dir(code.layer_dirs, im.dir, error);
  if (!opt) return nullptr;
  paths.opt_dir = *opt;
  auto spec = launch_spec(code, paths, im.api.address(), error);
  if (!spec) return nullptr;
  auto proc = spawn(*spec, error);
  if (!proc) return nullptr;
  im.proc = *proc;
  im.started_at = Clock::now();
  im.monitor = std::thread([&im] { im.watch(); });
  return env;
}

bool ExecutionEnvironment::alive() const {
  std::lock_guard lock(impl_->proc_mu);
  return !impl_->reaped && !impl_->lost;
}

InvocationResult ExecutionEnvironment::invoke(const InvocationRequest& request) {
  Impl& im = *impl_;
  std::lock_guard lock(im.invoke_mu);
  Clock::time_point start = Clock::now();
  auto budget = budget_of(request, im.code.timeout_s);
  // Before the runtime takes the event it may still be in its init phase.
  Clock::time_point init_limit = start + (im.api.initialized_at() ? budget : std::max<Clock::duration>(kInitLimit, budget));
  im.api.offer(request, im.code.function_arn, budget);
  RuntimeOutcome outcome = im.api.wait(init_limit);
  return im.result_of(request, std::move(outcome), start);
}

InvocationResult ExecutionEnvironment::Impl::result_of(const InvocationRequest& request, RuntimeOutcome&& outcome,
                                                      Clock::time_point start) {
  using Kind = RuntimeOutcome::Kind;
  InvocationResult r;
  {
    std::lock_guard lock(proc_mu);
    if (!reaped) r.max_memory_used_mb = peak_memory_mb(proc.pid);
  }
  drain();
  r.payload = std::move(outcome.body);
  r.function_error = outcome.kind != Kind::response;
  r.timed_out = outcome.kind == Kind::timed_out;
  r.environment_lost = outcome.kind == Kind::timed_out || outcome.kind == Kind::exited || outcome.kind == Kind::init_error;
  if (outcome.kind == Kind::exited) r.payload = exit_error(request.request_id, outcome.exit_status);
  std::optional<std::string> timeout_line;
  if (r.timed_out) {
    timeout_line = timeout_message(request.request_id, code.timeout_s);
    r.payload = nlohmann::json{{"errorMessage", *timeout_line}}.dump();
  }
  if (r.environment_lost) {
    lost = true;
    kill_group();
  }
  r.log_lines = take_lines();
  if (timeout_line) r.log_lines.push_back(*timeout_line);
  r.duration_ms = ms_between(outcome.handed_over ? outcome.handed_over_at : start, outcome.finished_at);
  if (!init_reported) {
    init_reported = true;
    auto initialized = api.initialized_at();
    r.init_duration_ms = ms_between(started_at, initialized ? *initialized : Clock::now());
  }
  return r;
}

}  // namespace awan::lambda
