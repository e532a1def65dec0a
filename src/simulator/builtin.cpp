#include "simulator/builtin.hpp"

#include "apigateway/apigateway.hpp"
#include "dynamodb/dynamodb.hpp"
#include "iam/iam.hpp"
#include "lambda/lambda.hpp"
#include "logs/logs.hpp"
#include "s3/s3.hpp"
#include "sns/sns.hpp"
#include "sqs/sqs.hpp"
#include "stepfunctions/stepfunctions.hpp"
#include "sts/sts.hpp"

namespace awan {

void register_builtin_services(Simulator& sim, const ServiceEnv& env) {
  auto iam = iam::make_service(env);
  auto sts = sts::make_service(env);
  auto* iam_keys = &iam::credential_resolver(*iam);
  auto* sts_keys = &sts::credential_resolver(*sts);
  sim.add_service(std::move(iam));
  sim.add_service(std::move(sts));
  sim.add_credential_resolver(iam_keys, "iam");
  sim.add_credential_resolver(sts_keys, "sts");
  auto ddb = dynamodb::make_service(env);
  auto ddb_streams = dynamodb::make_streams_service(*ddb);  // shares its store
  sim.add_service(std::move(ddb));
  sim.add_service(std::move(ddb_streams));
  sim.add_service(s3::make_service(env));
  sim.add_service(sqs::make_service(env));
  sim.add_service(logs::make_service(env));
  sim.add_service(sns::make_service(env));
  sim.add_service(lambda::make_service(env));
  sim.add_service(apigateway::make_rest_service(env));
  auto apigw_v2 = apigateway::make_v2_service(env);
  auto apigw_management = apigateway::make_management_service(*apigw_v2);  // shares its connections
  sim.add_service(std::move(apigw_v2));
  sim.add_service(std::move(apigw_management));
  sim.add_service(stepfunctions::make_service(env));
}

}  // namespace awan
