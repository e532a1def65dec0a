#pragma once
// Data-plane details of the DynamoDB emulator that AWS shows besides the items themselves:
// index status transitions, item collection metrics (tables with local secondary indexes) and
// the request limits of the issue.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace awan::storage {
class Database;
}

namespace awan::dynamodb {

// How long a global secondary index created by UpdateTable reports IndexStatus CREATING with
// Backfilling true (and refuses reads), measured on the service clock.
constexpr int64_t kBackfillMillis = 100;

// Response-size and request limits.
constexpr size_t kBatchGetResponseLimit = 16 * 1024 * 1024;  // BatchGetItem: 16 MB of items
constexpr size_t kMaxExpressionLength = 4096;                // each expression, in bytes
constexpr size_t kMaxTransactionBytes = 4 * 1024 * 1024;     // TransactWriteItems: 4 MB of items
constexpr size_t kMaxNestingDepth = 32;                      // levels in an item (nesting_depth < 32)

// Rewrites the index statuses of an UpdateTable response: created indexes CREATING (Backfilling
// false), updated ones UPDATING, and the descriptions of deleted ones appended as DELETING.
void mark_index_transitions(nlohmann::json& table_description, const std::vector<std::string>& created,
                            const std::vector<std::string>& updated, const nlohmann::json& deleted);
// The CreateTable response shows every global secondary index CREATING.
void mark_indexes_creating(nlohmann::json& table_description);

// Total size of the item collection (items sharing the encoded partition key `pk`).
int64_t collection_bytes(storage::Database& db, int64_t table, std::string_view pk);
// {"ItemCollectionKey": {<hash key>: <value>}, "SizeEstimateRangeGB": [lo, hi]}.
nlohmann::json item_collection_metrics(const std::string& hash_name, const nlohmann::json& hash_value, int64_t bytes);

// Deepest nesting of M/L values in an item (an item of scalars is depth 0... a map in a map 2).
size_t nesting_depth(const nlohmann::json& item);

}  // namespace awan::dynamodb
