#include "simulator/builtin.hpp"

#include "dynamodb/dynamodb.hpp"
#include "iam/iam.hpp"
#include "sts/sts.hpp"

namespace awan {

void register_builtin_services(Simulator& sim, const ServiceEnv& env) {
  auto iam = iam::make_service(env);
  auto sts = sts::make_service(env);
  sim.add_credential_resolver(&iam::credential_resolver(*iam));
  sim.add_credential_resolver(&sts::credential_resolver(*sts));
  sim.add_service(std::move(iam));
  sim.add_service(std::move(sts));
  auto ddb = dynamodb::make_service(env);
  auto ddb_streams = dynamodb::make_streams_service(*ddb);  // shares its store
  sim.add_service(std::move(ddb));
  sim.add_service(std::move(ddb_streams));
}

}  // namespace awan
