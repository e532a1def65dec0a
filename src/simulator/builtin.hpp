#pragma once
#include "awan/simulator.hpp"

namespace awan {
// Registers the services Awan ships (and their credential resolvers).
void register_builtin_services(Simulator& sim, const ServiceEnv& env);
}  // namespace awan
