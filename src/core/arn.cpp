// ARN splitting (arn.hpp).
#include "core/arn.hpp"

namespace awan {

std::optional<Arn> parse_arn(std::string_view text) {
  std::string_view fields[5];
  for (auto& f : fields) {
    size_t colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    f = text.substr(0, colon);
    text.remove_prefix(colon + 1);
  }
  if (fields[0] != "arn") return std::nullopt;
  return Arn{std::string(fields[1]), std::string(fields[2]), std::string(fields[3]), std::string(fields[4]),
             std::string(text)};
}

}  // namespace awan
