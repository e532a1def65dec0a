// An unexpected storage failure becomes InternalFailure (500) for the client and an error log
// line that carries the cause.
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>

#include "service_fixture.hpp"
#include "storage/sqlite.hpp"

namespace {

using awan::dynamodb::test_support::call_err;
using awan::dynamodb::test_support::call_ok;
using nlohmann::json;

TEST(DynamoDbInternalFailure, StorageErrorIsLoggedWithItsCause) {
  auto dir = std::filesystem::temp_directory_path() / ("awan-ddb-500-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  awan::ServiceEnv env;
  env.data_dir = dir.string();
  awan::RequestContext ctx;
  auto svc = awan::dynamodb::make_service(env);
  call_ok(*svc, ctx, "CreateTable",
          {{"TableName", "tbl"},
           {"AttributeDefinitions", {{{"AttributeName", "k"}, {"AttributeType", "S"}}}},
           {"KeySchema", {{{"AttributeName", "k"}, {"KeyType", "HASH"}}}},
           {"BillingMode", "PAY_PER_REQUEST"}});
  // Another connection breaks the schema under the service.
  { awan::storage::Database(env.db_path("dynamodb")).exec("DROP TABLE ddb_items"); }

  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  auto e = call_err(*svc, ctx, "PutItem", {{"TableName", "tbl"}, {"Item", {{"k", {{"S", "a"}}}}}});
  spdlog::set_default_logger(previous);

  EXPECT_EQ(e.code, "InternalFailure");
  EXPECT_EQ(e.http_status, 500);
  auto lines = sink->last_formatted();
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines.back().find("PutItem"), std::string::npos) << lines.back();
  EXPECT_NE(lines.back().find("ddb_items"), std::string::npos) << lines.back();
  svc.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
