#include "simulator/builtin.hpp"

namespace awan {

void register_builtin_services(Simulator& sim, const ServiceEnv& env) {
  (void)sim;
  (void)env;
}

}  // namespace awan
