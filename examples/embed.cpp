// Embedding Awan: start the simulator in-process, call a service without HTTP, and serve the
// wire protocols on a free port for SDK clients in the same test.
//   build/release/examples/embed
#include <cstdio>

#include "awan/simulator.hpp"

int main() {
  awan::SimulatorOptions options;
  options.port = 0;  // a free port
  awan::Simulator sim(options);
  sim.start();
  std::printf("serving on %s\n", sim.endpoint().c_str());

  // In-process call through the operation interface: the same documents the SDKs exchange.
  auto ctx = sim.context();
  sim.call(ctx, "iam", "CreateRole",
           {{"RoleName", "embedded"},
            {"AssumeRolePolicyDocument", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})"}},
           [](awan::Result r) {
             if (r.is_error()) {
               std::printf("error: %s %s\n", r.error->code.c_str(), r.error->message.c_str());
             } else {
               std::printf("created %s\n", r.output["Role"]["Arn"].get<std::string>().c_str());
             }
           });
  sim.call(ctx, "sts", "GetCallerIdentity", nlohmann::json::object(),
           [](awan::Result r) { std::printf("caller: %s\n", r.output.dump().c_str()); });
  sim.stop();
  return 0;
}
