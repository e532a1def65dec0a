// The runtime process of an execution environment (sandbox.hpp). Everything the child needs is
// prepared before fork(): between fork and exec the child only makes system calls.
#include "lambda/sandbox.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace awan::lambda {
namespace {

// A step of the child's set-up, reported back through the status pipe when it fails.
enum Step : int { kUserNamespace, kMountNamespace, kPrivate, kTask, kRuntime, kOpt, kTmp, kChdir, kExec };
const char* const kStepNames[] = {"user namespace", "mount namespace", "private propagation", "mount /var/task",
                                  "mount /var/runtime", "mount /opt", "mount /tmp", "chdir", "exec"};

struct ChildFailure {
  int step;
  int err;
};

// What the child needs, as C strings built before fork.
struct Prepared {
  std::vector<char*> argv, envp;
  std::string uid_map, gid_map, tmp_options;
  bool user_namespace = false;
};

[[noreturn]] void child_fail(int status_fd, Step step) {
  ChildFailure f{step, errno};
  (void)!::write(status_fd, &f, sizeof f);
  ::_exit(127);
}

void write_file(const char* path, const std::string& text) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  (void)!::write(fd, text.data(), text.size());
  ::close(fd);
}

// Binds `from` on `to` read only (retrying with the flags a user namespace keeps locked).
bool bind_read_only(const std::string& from, const char* to) {
  if (::mount(from.c_str(), to, nullptr, MS_BIND | MS_REC, nullptr) != 0) return false;
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
  if (::mount(nullptr, to, nullptr, flags, nullptr) == 0) return true;
  return ::mount(nullptr, to, nullptr, flags | MS_NOSUID | MS_NODEV, nullptr) == 0;
}

void enter_namespace(const SandboxSpec& spec, const Prepared& p, int status_fd) {
  if (p.user_namespace) {
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) child_fail(status_fd, kUserNamespace);
    write_file("/proc/self/setgroups", "deny");
    write_file("/proc/self/uid_map", p.uid_map);
    write_file("/proc/self/gid_map", p.gid_map);
  } else if (::unshare(CLONE_NEWNS) != 0) {
    child_fail(status_fd, kMountNamespace);
  }
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) child_fail(status_fd, kPrivate);
  // Binds before the tmpfs: their sources may live under the host's /tmp.
  if (!spec.task_dir.empty() && !bind_read_only(spec.task_dir, "/var/task")) child_fail(status_fd, kTask);
  if (!spec.runtime_dir.empty() && !bind_read_only(spec.runtime_dir, "/var/runtime")) child_fail(status_fd, kRuntime);
  if (!spec.opt_dir.empty() && !bind_read_only(spec.opt_dir, "/opt")) child_fail(status_fd, kOpt);
  if (!spec.sdk_dir.empty()) {
    ::mkdir(kSdkParent, 0755);
    ::mkdir(kSdkMount, 0755);  // as root; otherwise the probe made it, or the SDK stays unmounted
    struct stat st {};
    if (::stat(kSdkMount, &st) == 0 && !bind_read_only(spec.sdk_dir, kSdkMount)) child_fail(status_fd, kRuntime);
  }
  if (::mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, p.tmp_options.c_str()) != 0) child_fail(status_fd, kTmp);
}

[[noreturn]] void run_child(const SandboxSpec& spec, const Prepared& p, int out_fd, int null_fd, int status_fd) {
  ::setpgid(0, 0);
  sigset_t all;
  sigemptyset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s) ::sigaction(s, &dfl, nullptr);  // ignored signals survive exec
  ::dup2(null_fd, 0);
  ::dup2(out_fd, 1);
  ::dup2(out_fd, 2);
  ::dup2(status_fd, 3);
  ::fcntl(3, F_SETFD, FD_CLOEXEC);
  ::close_range(4, ~0U, 0);
  if (spec.isolate) enter_namespace(spec, p, 3);
  if (::chdir(spec.cwd.c_str()) != 0) child_fail(3, kChdir);
  ::execve(p.argv[0], p.argv.data(), p.envp.data());
  child_fail(3, kExec);
}

Prepared prepare(const SandboxSpec& spec) {
  Prepared p;
  for (const auto& a : spec.argv) p.argv.push_back(const_cast<char*>(a.c_str()));
  p.argv.push_back(nullptr);
  for (const auto& e : spec.env) p.envp.push_back(const_cast<char*>(e.c_str()));
  p.envp.push_back(nullptr);
  p.user_namespace = ::geteuid() != 0;
  p.uid_map = std::to_string(::geteuid()) + " " + std::to_string(::geteuid()) + " 1";
  p.gid_map = std::to_string(::getegid()) + " " + std::to_string(::getegid()) + " 1";
  p.tmp_options = "size=" + std::to_string(spec.tmp_mb) + "m,mode=1777";
  return p;
}

void close_all(std::initializer_list<int> fds) {
  for (int fd : fds)
    if (fd >= 0) ::close(fd);
}

// The child's report: nothing (exec succeeded, the pipe closed on exec) or the failed step.
std::optional<std::string> read_child_status(int status_fd) {
  ChildFailure f{};
  ssize_t n;
  do {
    n = ::read(status_fd, &f, sizeof f);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof f)) return std::nullopt;
  return std::string(kStepNames[f.step < 0 || f.step > kExec ? kExec : f.step]) + ": " + std::strerror(f.err);
}

}  // namespace

std::optional<SandboxProcess> spawn(const SandboxSpec& spec, std::string& error) {
  if (spec.argv.empty()) {
    error = "no command";
    return std::nullopt;
  }
  Prepared p = prepare(spec);
  int out[2], status[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (::pipe2(status, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    close_all({out[0], out[1]});
    return std::nullopt;
  }
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid = ::fork();
  if (pid == 0) run_child(spec, p, out[1], null_fd, status[1]);
  close_all({out[1], status[1], null_fd});
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    close_all({out[0], status[0]});
    return std::nullopt;
  }
  ::setpgid(pid, pid);  // also here: no window in which a kill of the group misses it
  auto failed = read_child_status(status[0]);
  ::close(status[0]);
  if (failed) {
    error = *failed;
    ::waitpid(pid, nullptr, 0);
    ::close(out[0]);
    return std::nullopt;
  }
  ::fcntl(out[0], F_SETFL, ::fcntl(out[0], F_GETFL) | O_NONBLOCK);
  // glibc 2.36's <sys/pidfd.h> lacks C linkage for C++: the system call itself.
  SandboxProcess proc{pid, out[0], static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))};
  return proc;
}

bool probe_isolation() {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (::geteuid() == 0)
    for (const char* dir : {"/var/task", "/var/runtime", "/opt", kSdkMount}) fs::create_directories(dir, ec);
  for (const char* dir : {"/var/task", "/var/runtime", "/opt", "/tmp"})
    if (!fs::is_directory(dir, ec)) return false;
  const char* true_bin = fs::exists("/bin/true", ec) ? "/bin/true" : "/usr/bin/true";
  // Each directory bound onto itself: the mounts are tried, nothing changes.
  const SandboxSpec spec{{true_bin}, {}, "/", true, "/var/task", "/var/runtime", "/opt", "", 1};
  std::string error;
  auto proc = spawn(spec, error);
  if (!proc) return false;
  int wstatus = 0;
  ::waitpid(proc->pid, &wstatus, 0);
  close_all({proc->output_fd, proc->pid_fd});
  return WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
}

std::string describe_exit(int wait_status) {
  if (WIFEXITED(wait_status)) return "exit status " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    const char* name = ::strsignal(WTERMSIG(wait_status));
    std::string text = name ? name : "signal " + std::to_string(WTERMSIG(wait_status));
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "signal: " + text;
  }
  return "exit status -1";
}

}  // namespace awan::lambda
