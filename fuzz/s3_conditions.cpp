// libFuzzer target: S3 conditional requests (s3/object_support.hpp, object_rules.cpp). Input:
// lines — an If-Match list, an If-None-Match list, a date text, an ETag; they are evaluated as a
// read's, a copy source's and a write's conditions, the date both as text and as the codec's
// number. Only S3's errors may come out.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "s3/object_support.hpp"

namespace {
template <typename F>
void expect_s3_outcome(F&& f) {
  try {
    f();
  } catch (const awan::AwsError& e) {
    if (e.http_status != 304 && e.http_status != 404 && e.http_status != 412 && e.http_status != 501) std::abort();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::s3;
  using nlohmann::json;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string part[4];
  for (auto& p : part) {
    size_t nl = in.find('\n');
    p = std::string(in.substr(0, nl));
    in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
  }
  auto date = parse_condition_date(part[2]);
  ObjectRow o;
  o.etag = part[3];
  o.modified = date ? static_cast<double>(*date) : 0.0;
  for (const json& when : {json(part[2]), date ? json(*date) : json(nullptr)}) {
    json read = {{"IfMatch", part[0]}, {"IfNoneMatch", part[1]}, {"IfModifiedSince", when}, {"IfUnmodifiedSince", when}};
    expect_s3_outcome([&] { check_read_conditions(read, o); });
    json copy = {{"CopySourceIfMatch", part[0]},
                 {"CopySourceIfNoneMatch", part[1]},
                 {"CopySourceIfModifiedSince", when},
                 {"CopySourceIfUnmodifiedSince", when}};
    expect_s3_outcome([&] { check_copy_conditions(copy, o); });
  }
  expect_s3_outcome([&] { check_write_conditions({{"IfMatch", part[0]}, {"Key", "k"}}, &o); });
  expect_s3_outcome([&] { check_write_conditions({{"IfNoneMatch", part[1]}}, nullptr); });
  expect_s3_outcome([&] { check_write_conditions({{"IfMatch", part[0]}, {"IfNoneMatch", part[1]}}, nullptr); });
  return 0;
}
