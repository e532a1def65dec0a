#pragma once
// Global tables: the replication groups of the DynamoDB emulator and the pieces of replication
// that stand on their own (versions, regions). Every region lives in the same process and the
// same store, so a replica is an ordinary table of another region; a background worker
// (replication.cpp) reads each member's change log from a persisted checkpoint and applies the
// records to the other members, last writer wins. The operations are in global_tables.cpp.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace awan::dynamodb {

inline constexpr const char* kGlobalTablesCurrent = "2019.11.21";
inline constexpr const char* kGlobalTablesLegacy = "2017.11.29";

// How long a replica reports CREATING or DELETING (service clock), like a GSI backfill.
inline constexpr int64_t kReplicaTransitionMillis = 100;

// The last-writer-wins version of an item in one replica: when the write happened and where.
// Ties on the timestamp go to the greater region name, so every replica picks the same winner.
struct RepVersion {
  int64_t ts_ms = 0;
  std::string region;
  friend bool operator<(const RepVersion& a, const RepVersion& b) {
    return a.ts_ms != b.ts_ms ? a.ts_ms < b.ts_ms : a.region < b.region;
  }
};

// A local write's version: now, unless the item's current version is not older (a write that
// happens after another one must win over it), then just after it.
RepVersion next_version(const RepVersion* current, int64_t now_ms, const std::string& region);

struct Replica {
  std::string region;
  std::string status;  // CREATING, ACTIVE, DELETING
  nlohmann::json settings = nlohmann::json::object();  // ReplicaUpdates Create/Update members
  int64_t since_ms = 0;                                 // when the status was set
};

struct GlobalGroup {
  std::string account, name, version;
  int64_t created_ms = 0;
  std::map<std::string, Replica> replicas;  // by region, the table's own included
};

// Whether `region` names an AWS region DynamoDB runs in.
bool is_known_region(std::string_view region);

// "Sat Feb 23 03:07:45 UTC 2019": the date form of AWS's Java-rendered messages.
std::string java_date_utc(int64_t ms);

}  // namespace awan::dynamodb
