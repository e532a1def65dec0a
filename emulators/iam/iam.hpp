#pragma once
// The IAM emulator (model iam 2010-05-08): roles, users, inline and managed policies, AWS
// managed policies, access keys, instance profiles. State in SQLite, partitioned by account.
#include <memory>

#include "awan/identity.hpp"
#include "awan/service.hpp"

namespace awan::iam {

std::unique_ptr<Service> make_service(const ServiceEnv& env);

// The resolver of the IAM user access keys (AKIA...) this service issued: the gateway
// registers it so that those keys act as the user (arn:aws:iam::<acct>:user/<path><name>).
// `service` must come from make_service(); it must outlive the resolver's use. Throws
// std::invalid_argument for any other Service. Inactive keys are not resolved (nullopt).
CredentialResolver& credential_resolver(Service& service);

}  // namespace awan::iam
