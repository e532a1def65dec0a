#pragma once
// Which program runs a function's runtime, and with which environment: the interpreters found
// on this machine, the runtime clients of runtimes/, AWS's environment variables. Used by
// execution_environment.cpp (which starts what launch_spec describes).
#include <optional>
#include <string>

#include "lambda/execution_environment.hpp"
#include "lambda/sandbox.hpp"

namespace awan::lambda {

// Where one environment's files are on the host.
struct EnvironmentPaths {
  bool isolated = false;
  std::string opt_dir;  // the merged layers (→ /opt when isolated)
  std::string tmp_dir;  // TMPDIR when not isolated
};

// The directory holding python/ and node/ runtime clients: $AWAN_RUNTIMES_DIR, else the source
// tree's runtimes/, else the installed share/awan/runtimes.
std::string runtimes_dir();
// The interpreter for python3.x: $AWAN_PYTHON, else /usr/bin/python3 (Debian's, with boto3),
// else python3 on PATH. Empty when none.
std::string python_interpreter();
// The interpreter for nodejs*.x: $AWAN_NODE, else node on PATH, else /usr/bin/node.
std::string node_interpreter();
// The AWS SDK for JavaScript v3 offered to Node.js functions (a node_modules directory):
// $AWAN_NODE_SDK_PATH, else runtimes/node/node_modules, else the repository's
// tests/integration/js/node_modules. Empty when none.
std::string node_sdk_dir();

// The command, environment and mounts of a function's runtime; nullopt with AWS's message when
// the package cannot start (a provided runtime without a bootstrap).
std::optional<SandboxSpec> launch_spec(const FunctionCode& code, const EnvironmentPaths& paths,
                                       const std::string& runtime_api, std::string& error);

}  // namespace awan::lambda
