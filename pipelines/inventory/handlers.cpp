// The inventory pipeline's functions as C++ handlers: Load-Inventory (S3 event → the CSV's rows
// in the table, in batches of 25) and Check-Stock (stream records → an SNS alert for each item
// whose new count is 0, to the topic found with ListTopics as the lab's function finds it).
#include <map>

#include "core/text.hpp"
#include "pipelines/inventory/csv.hpp"
#include "pipelines/inventory/inventory.hpp"

namespace awan::pipelines::inventory {

using json = nlohmann::json;

namespace {
constexpr size_t kBatch = 25;  // BatchWriteItem's limit

// Writes `items` (PutRequests) with BatchWriteItem, resending UnprocessedItems.
void write_batch(const Client& client, const std::string& table, json items) {
  json request = {{"RequestItems", {{table, std::move(items)}}}};
  for (int attempt = 0; attempt < 10; ++attempt) {
    json out = client.ok("dynamodb", "BatchWriteItem", request);
    json left = out.value("UnprocessedItems", json::object());
    if (left.empty() || !left.contains(table) || left[table].empty()) return;
    request["RequestItems"] = left;
  }
  throw FunctionError("ProvisionedThroughputExceededException", "BatchWriteItem left items unprocessed");
}

std::string topic_arn(const Client& client, const std::string& name) {
  std::string token;
  do {
    json in = json::object();
    if (!token.empty()) in["NextToken"] = token;
    json out = client.ok("sns", "ListTopics", in);
    for (const auto& t : out.value("Topics", json::array())) {
      std::string arn = t.value("TopicArn", "");
      if (arn.size() > name.size() && arn.compare(arn.size() - name.size() - 1, std::string::npos, ":" + name) == 0)
        return arn;
    }
    token = out.value("NextToken", "");
  } while (!token.empty());
  throw FunctionError("TopicNotFound", "no SNS topic named " + name);
}
}  // namespace

json load_inventory(const json& event, FunctionContext& ctx) {
  const Client& client = *ctx.client;
  int64_t written = 0, skipped = 0;
  for (const auto& record : event.value("Records", json::array())) {
    const json& s3 = record.value("s3", json::object());
    std::string bucket = s3.value("bucket", json::object()).value("name", "");
    std::string key = text::percent_decode(s3.value("object", json::object()).value("key", ""), true).value_or("");
    Result got = client.call("s3", "GetObject", {{"Bucket", bucket}, {"Key", key}});
    if (got.error) throw FunctionError(got.error->code, "reading s3://" + bucket + "/" + key + ": " + got.error->message);
    auto text = got.payload ? got.payload->read_all() : std::optional<std::string>("");
    if (!text) throw FunctionError("ReadError", "cannot read s3://" + bucket + "/" + key);
    InventoryFile file = parse_inventory(*text);
    if (!file.error.empty()) {
      ctx.log("s3://" + bucket + "/" + key + ": " + file.error + "; nothing written");
      continue;
    }
    for (const auto& why : file.skipped) ctx.log("s3://" + bucket + "/" + key + ": skipped " + why);
    skipped += static_cast<int64_t>(file.skipped.size());
    // A batch may not name one key twice: a repeated (store, item) starts a new batch.
    json batch = json::array();
    std::map<std::pair<std::string, std::string>, bool> in_batch;
    for (const auto& row : file.rows) {
      if (batch.size() == kBatch || in_batch.count({row.store, row.item})) {
        write_batch(client, "Inventory", std::move(batch));
        batch = json::array();
        in_batch.clear();
      }
      in_batch[{row.store, row.item}] = true;
      batch.push_back({{"PutRequest",
                        {{"Item", {{"Store", {{"S", row.store}}}, {"Item", {{"S", row.item}}},
                                   {"Count", {{"N", std::to_string(row.count)}}}}}}}});
      ++written;
    }
    if (!batch.empty()) write_batch(client, "Inventory", std::move(batch));
    ctx.log("s3://" + bucket + "/" + key + ": wrote " + std::to_string(file.rows.size()) + " rows to Inventory" +
            (file.skipped.empty() ? "" : ", skipped " + std::to_string(file.skipped.size())));
  }
  return {{"rows", written}, {"skipped", skipped}};
}

json check_stock(const json& event, FunctionContext& ctx) {
  const Client& client = *ctx.client;
  std::string topic;
  int64_t alerts = 0;
  for (const auto& record : event.value("Records", json::array())) {
    const json& image = record.value("dynamodb", json::object()).value("NewImage", json::object());
    if (image.empty()) continue;  // a deletion
    std::string count = image.value("Count", json::object()).value("N", "");
    if (count != "0" && count != "-0") continue;
    std::string store = image.value("Store", json::object()).value("S", "");
    std::string item = image.value("Item", json::object()).value("S", "");
    if (topic.empty()) topic = topic_arn(client, "NoStock");
    std::string message = store + " is out of stock of " + item;
    client.ok("sns", "Publish", {{"TopicArn", topic}, {"Message", message}, {"Subject", "Inventory Alert!"}});
    ctx.log("alert published: " + message);
    ++alerts;
  }
  return {{"alerts", alerts}};
}

void register_handlers(FunctionRegistry& registry) {
  registry.add("Load-Inventory", load_inventory);
  registry.add("Check-Stock", check_stock);
}

}  // namespace awan::pipelines::inventory
