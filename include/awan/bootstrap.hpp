#pragma once
// C++ handlers as a Lambda `bootstrap` (runtimes provided.al2023 and provided.al2): the program's
// main() calls run_bootstrap, which speaks the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API —
// GET /2018-06-01/runtime/invocation/next, POST .../<request id>/response or .../error, and
// /init/error when the handler cannot start — with each handler given a FunctionContext whose
// client reaches the services over HTTP (http_client(Endpoint::from_environment())) and whose
// log lines go to standard output (the function's log). The same handler code registered in
// the daemon (handler "awan:<name>") runs unmodified this way. Defined in awan_remote.
#include "awan/function.hpp"

namespace awan {

// Serves invocations with the handler the function's Handler setting (_HANDLER) names in
// `registry`; one that names none fails the initialization (Runtime.HandlerNotFound). Returns
// only when the Runtime API cannot be reached (non-zero).
int run_bootstrap(const FunctionRegistry& registry);
// The same with one handler, whatever _HANDLER says.
int run_bootstrap(FunctionHandler handler);

}  // namespace awan
