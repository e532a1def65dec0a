#pragma once
// Starting a runtime process for an execution environment: fork, its own process group, stdout
// and stderr into one pipe (their order kept), a clean environment and, when isolated, a private
// mount namespace (code at /var/task, the runtime client at /var/runtime, layers at /opt, a
// tmpfs on /tmp). Used by execution_environment.cpp.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace awan::lambda {

// Named node_modules: ES module resolution from a file beside it searches it.
inline constexpr const char* kSdkParent = "/var/awan-sdk";
inline constexpr const char* kSdkMount = "/var/awan-sdk/node_modules";

struct SandboxSpec {
  std::vector<std::string> argv;  // argv[0]: an absolute path, as seen inside the sandbox
  std::vector<std::string> env;   // "NAME=value", the whole environment
  std::string cwd;                // inside the sandbox
  bool isolate = false;
  // Host directories mounted when isolated (read only); empty: not mounted.
  std::string task_dir, runtime_dir, opt_dir;
  std::string sdk_dir;  // the Node.js SDK v3, mounted at kSdkMount
  int tmp_mb = 512;  // the size of the private /tmp
};

struct SandboxProcess {
  pid_t pid = -1;      // also the process group id
  int output_fd = -1;  // read end of stdout+stderr, non-blocking
  int pid_fd = -1;     // pidfd: readable when the process exits
};

// Starts the process. On failure (fork, a mount, exec) nullopt with `error` saying which step.
std::optional<SandboxProcess> spawn(const SandboxSpec& spec, std::string& error);

// Creates the mount points the sandbox needs (/var/task, /var/runtime, /opt) when running as
// root, then starts /bin/true isolated: whether private mount namespaces work here.
bool probe_isolation();

// "exit status 1" / "signal: killed", as AWS words a runtime's end (a waitpid status).
std::string describe_exit(int wait_status);

}  // namespace awan::lambda
