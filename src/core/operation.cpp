// run_operation (operation.hpp).
#include "core/operation.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "storage/sqlite.hpp"

namespace awan {

Result run_operation(std::string_view service, const std::string& operation, const std::function<Result()>& handler,
                     const AwsError& internal, const AwsError& malformed) {
  try {
    return handler();
  } catch (const AwsError& e) {
    return Result::fail(e);
  } catch (const storage::SqliteError& e) {
    spdlog::error("{} {}: {}", service, operation, e.what());
    return Result::fail(internal);
  } catch (const nlohmann::json::exception& e) {
    spdlog::error("{} {}: {}", service, operation, e.what());
    return Result::fail(malformed);
  }
}

}  // namespace awan
