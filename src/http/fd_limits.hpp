#pragma once
// File descriptor limits: the daemon raises its soft RLIMIT_NOFILE to the hard limit at
// start-up, and the HTTP server derives its default connection cap from the limit in force
// (each connection needs a socket and, while it spools a body, a file).
#include <cstdint>

namespace awan::http {

// Descriptors kept back from connections: the listener, epoll, SQLite databases and
// journals, logs, spool files, child processes' pipes.
inline constexpr uint64_t kReservedDescriptors = 64;

// The soft RLIMIT_NOFILE now.
uint64_t open_file_limit();
// Raises the soft RLIMIT_NOFILE to the hard limit (or as close as the kernel allows); returns
// the soft limit in force afterwards.
uint64_t raise_open_file_limit();
// The connection cap for a descriptor limit: half of what is left after the reserve (a
// connection may hold a spool file too), at least 8.
int default_max_connections(uint64_t open_files);

}  // namespace awan::http
