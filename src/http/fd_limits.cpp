#include "http/fd_limits.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>

namespace awan::http {

uint64_t open_file_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  return rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(rl.rlim_cur);
}

uint64_t raise_open_file_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  if (rl.rlim_cur != rl.rlim_max) {
    rlimit want = rl;
    want.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &want) != 0 && rl.rlim_max == RLIM_INFINITY) {
      // An unlimited hard limit: the kernel caps descriptors at fs.nr_open.
      uint64_t nr_open = 0;
      std::ifstream in("/proc/sys/fs/nr_open");
      if (in >> nr_open && nr_open > rl.rlim_cur) {
        want.rlim_cur = static_cast<rlim_t>(nr_open);
        setrlimit(RLIMIT_NOFILE, &want);
      }
    }
  }
  return open_file_limit();
}

int default_max_connections(uint64_t open_files) {
  uint64_t usable = open_files > kReservedDescriptors ? (open_files - kReservedDescriptors) / 2 : 0;
  return static_cast<int>(std::clamp<uint64_t>(usable, 8, 1u << 20));
}

}  // namespace awan::http
