#pragma once
// The inventory pipeline (the classic AWS serverless lab, offline): an inventory CSV uploaded to
// the bucket triggers Load-Inventory, which writes its rows to the DynamoDB table Inventory;
// the table's stream triggers Check-Stock, which publishes "<store> is out of stock of <item>"
// to the SNS topic NoStock for every count of 0; the topic emails its subscribers.
// handlers.cpp holds the two functions, deploy.cpp the resources; docs/pipelines/inventory.md.
#include <string>

#include <nlohmann/json.hpp>

#include "awan/function.hpp"
#include "awan/simulator.hpp"

namespace awan::pipelines::inventory {

struct Options {
  std::string bucket = "inventory";                 // uploads land here
  std::string email = "store-manager@example.com";  // NoStock's email subscriber
};

// The functions as C++ handlers, by the names the pipeline's functions bind to
// ("awan:Load-Inventory", "awan:Check-Stock").
void register_handlers(FunctionRegistry& registry);

nlohmann::json load_inventory(const nlohmann::json& event, FunctionContext& context);
nlohmann::json check_stock(const nlohmann::json& event, FunctionContext& context);

// Creates what is missing of the pipeline's resources (IAM roles, bucket with its notification,
// table with its stream, topic with a confirmed email subscription, the two functions, the S3
// permission and the stream mapping), in the simulator's default account and region; safe to
// run at every start, also on a --data-dir that has them. Throws AwsError when a step fails.
void deploy(Simulator& sim, const Options& options = {});

}  // namespace awan::pipelines::inventory
