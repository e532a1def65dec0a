// A compiled `bootstrap` for the Lambda benchmark (bench/lambda.py): one C++ handler behind
// awan::run_bootstrap that answers {"ok": true}, to time cold starts and warm invokes of a
// provided.al2023 function without an interpreter's start-up.
#include "awan/bootstrap.hpp"

int main() {
  return awan::run_bootstrap([](const nlohmann::json&, awan::FunctionContext&) { return nlohmann::json{{"ok", true}}; });
}
