// The inventory lab's two functions as one C++ `bootstrap` (runtime provided.al2023): the very
// handlers `awan serve --pipeline inventory` runs in process (pipelines/inventory/handlers.cpp),
// here behind the Lambda Runtime API, calling S3, DynamoDB and SNS over HTTP like any SDK. The
// function's Handler setting picks one: "Load-Inventory" or "Check-Stock".
#include "awan/bootstrap.hpp"
#include "pipelines/inventory/inventory.hpp"

int main() {
  awan::FunctionRegistry handlers;
  awan::pipelines::inventory::register_handlers(handlers);
  return awan::run_bootstrap(handlers);
}
