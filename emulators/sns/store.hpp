#pragma once
// The SNS emulator's SQLite schema and statements: topics (attributes, tags), subscriptions
// (protocol, endpoint, confirmation state and token, attributes), and the records of the
// SMS and mobile-push operations (platform applications and endpoints, SMS attributes, opted-out
// numbers, sandbox numbers), kept as JSON documents by kind and key. Times are epoch ms.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/sqlite.hpp"

namespace awan::sns {

struct TopicRow {
  int64_t id = 0;
  std::string account, region, name;
  bool fifo = false;
  nlohmann::json attributes = nlohmann::json::object();  // the settable attributes, as strings
  nlohmann::json tags = nlohmann::json::object();
  int64_t created_ms = 0;
};

struct SubscriptionRow {
  std::string arn;  // "<topic arn>:<uuid>"
  std::string topic_arn, owner;  // owner: the subscribing account
  std::string protocol, endpoint;
  bool confirmed = false;
  std::string token;  // the confirmation token (pending subscriptions)
  nlohmann::json attributes = nlohmann::json::object();  // RawMessageDelivery, FilterPolicy, ...
  int64_t created_ms = 0;
};

class Store {
 public:
  Store(const std::string& path, storage::Database::Durability durability);

  storage::Database& db() { return db_; }
  void reset();

  std::vector<TopicRow> topics();
  void insert_topic(TopicRow& t);  // sets t.id
  void update_topic(const TopicRow& t);
  void delete_topic(int64_t id);

  std::vector<SubscriptionRow> subscriptions();
  void put_subscription(const SubscriptionRow& s);  // insert or replace
  void delete_subscription(const std::string& arn);

  // Records of the SMS / platform operations: (kind, key) → document.
  std::optional<nlohmann::json> record(const std::string& kind, const std::string& key);
  std::vector<std::pair<std::string, nlohmann::json>> records(const std::string& kind);  // by key
  void put_record(const std::string& kind, const std::string& key, const nlohmann::json& doc);
  bool delete_record(const std::string& kind, const std::string& key);

 private:
  void create_schema();
  storage::Database db_;
};

}  // namespace awan::sns
