#pragma once
// The STS emulator (model sts 2011-06-15): caller identity and temporary credentials
// (AssumeRole, AssumeRoleWithWebIdentity, GetSessionToken, GetFederationToken). State (the
// issued sessions) in SQLite. Whether an assumed role exists in IAM is not checked: services
// never call each other's internals.
#include <memory>

#include "awan/identity.hpp"
#include "awan/service.hpp"

namespace awan::sts {

std::unique_ptr<Service> make_service(const ServiceEnv& env);

// The resolver of the temporary credentials (ASIA...) this service issued. The Principal
// carries the session token the request must present and `expires`; lookup() still returns
// expired sessions (so the gateway can answer ExpiredToken rather than treat the key as
// unknown) — compare `expires` with the clock. `service` must come from make_service().
// Throws std::invalid_argument for any other Service.
CredentialResolver& credential_resolver(Service& service);

}  // namespace awan::sts
