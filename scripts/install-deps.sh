#!/usr/bin/env bash
# Installs everything Awan needs to build and test, from Debian packages and npm.
# Skips what is already present; works as root or through sudo. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev nlohmann-json3-dev libsimdjson-dev libspdlog-dev libfmt-dev
  libsqlite3-dev libssl-dev libpugixml-dev zlib1g-dev libjemalloc-dev libcurl4-openssl-dev libzip-dev libisal-dev
  libsnappy-dev libzstd-dev
  libgtest-dev libgmock-dev
  python3 python3-botocore python3-boto3 python3-pytest python3-requests
  python3-aiosmtpd python3-cryptography python3-websockets
  awscli wrk curl
  clang libclang-rt-14-dev
)

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js: the machine image may ship its own build (with npm); use Debian's otherwise.
if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# JavaScript SDK v3 for the integration tests (package.json at tests/integration/js).
if [ -f tests/integration/js/package.json ]; then
  if [ ! -d tests/integration/js/node_modules ] || \
     [ tests/integration/js/package.json -nt tests/integration/js/node_modules ]; then
    echo "install-deps: npm install (tests/integration/js)"
    (cd tests/integration/js && npm install --no-audit --no-fund --loglevel=error && touch node_modules)
  fi
fi
# The AWS C++ runtime client (aws-lambda-cpp), as the sources the npm package aws-lambda-ric
# ships: tests/integration/test_lambda_cpp_runtime.py builds a function with it.
RIC=tests/integration/.deps/aws-lambda-ric-4.0.2.tgz
if [ ! -f "$RIC" ]; then
  echo "install-deps: npm pack aws-lambda-ric@4.0.2 (the AWS C++ runtime client's sources)"
  mkdir -p tests/integration/.deps
  (cd tests/integration/.deps && npm pack aws-lambda-ric@4.0.2 --loglevel=error >/dev/null)
fi
echo "install-deps: ok"
