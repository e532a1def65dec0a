// libFuzzer target: PartiQL statements parsed (with three bound parameters), their WHERE
// clause rendered as DynamoDB expression text and compiled for local evaluation on an item.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "awan/error.hpp"
#include "dynamodb/partiql.hpp"
#include "dynamodb/partiql_render.hpp"

namespace {

using nlohmann::json;

const json kParameters = json::array({json{{"S", "x"}}, json{{"N", "1"}}, json{{"L", json::array()}}});
const json kItem = {{"pk", {{"S", "k"}}}, {"a", {{"N", "1"}}}, {"m", {{"M", {{"b", {{"S", "x"}}}}}}}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan::dynamodb::partiql;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    Statement st = parse(text, &kParameters);
    if (st.where) {
      render::Renderer r;
      (void)r.condition(*st.where);
      auto compiled = render::relabel([&] { return render::compile(*st.where); });
      (void)render::matches(compiled.get(), kItem);
    }
    for (const auto& s : st.sets) {
      render::Renderer r;
      (void)r.operand(s.value);
    }
  } catch (const awan::AwsError&) {
  }
  return 0;
}
