// DynamoDB capacity rules: --enforce-throughput's throttling of PROVISIONED tables and their
// global secondary indexes (token buckets of throughput.hpp), and the once-a-day rule for
// switching a table to PAY_PER_REQUEST.
#include "dynamodb/service_impl.hpp"

namespace awan::dynamodb::svc {

namespace {

// Provisioned units per second of the table (ix null) or a global secondary index; 0 when the
// table is on demand.
double provisioned(const TableInfo& t, const IndexInfo* ix, bool write) {
  if (t.meta.value("BillingMode", "PROVISIONED") != "PROVISIONED") return 0;
  const char* k = write ? "WriteCapacityUnits" : "ReadCapacityUnits";
  const json* pt = nullptr;
  if (!ix) {
    pt = member(t.meta, "ProvisionedThroughput");
  } else if (ix->global) {
    if (const json* gsis = member(t.meta, "GlobalSecondaryIndexes"))
      for (const auto& g : *gsis)
        if (g.value("IndexName", "") == ix->name) pt = member(g, "ProvisionedThroughput");
  } else {
    return provisioned(t, nullptr, write);  // local indexes share the table's capacity
  }
  const json* v = pt ? member(*pt, k) : nullptr;
  return v && v->is_number() ? v->get<double>() : 0;
}

std::string bucket_name(const IndexInfo* ix) { return ix && ix->global ? ix->name : std::string(); }

[[noreturn]] void throttled(bool index) {
  throw AwsError("ProvisionedThroughputExceededException", throughput_exceeded_message(index));
}

}  // namespace

std::string throughput_exceeded_message(bool index) {
  return index ? "The level of configured provisioned throughput for one or more global secondary indexes of "
                 "the table was exceeded. Consider increasing your provisioning level for the "
                 "under-provisioned global secondary indexes with the UpdateTable API"
               : "The level of configured provisioned throughput for the table was exceeded. Consider "
                 "increasing your provisioning level with the UpdateTable API.";
}

// Why a request on (t, ix) would be throttled: 0 it is not, 1 its own bucket is empty, 2 the
// bucket of a global secondary index the write may feed is (a put: the indexes its item is in).
int DynamoDbService::throttle_reason(const TableInfo& t, const IndexInfo* ix, bool write, const json* new_item) {
  if (!env_.enforce_throughput) return 0;
  int64_t now = env_.clock->epoch_millis();
  double rate = provisioned(t, ix, write);
  if (rate > 0 && !buckets_.admit(t.id, bucket_name(ix), write, rate, now)) return ix && ix->global ? 2 : 1;
  if (write && !ix)
    for (const auto& i : t.indexes) {
      if (!i.global || (new_item && !index_keys(i, *new_item))) continue;  // a put the index does not see
      double r = provisioned(t, &i, true);
      if (r > 0 && !buckets_.admit(t.id, i.name, true, r, now)) return 2;
    }
  return 0;
}

void DynamoDbService::admit(const TableInfo& t, const IndexInfo* ix, bool write, const json* new_item) {
  if (int why = throttle_reason(t, ix, write, new_item)) throttled(why == 2);
}

void DynamoDbService::consume(const TableInfo& t, const IndexInfo* ix, bool write, double units, const json* old_item,
                              const json* new_item) {
  if (!env_.enforce_throughput) return;
  int64_t now = env_.clock->epoch_millis();
  if (double rate = provisioned(t, ix, write); rate > 0) buckets_.charge(t.id, bucket_name(ix), write, rate, units, now);
  if (!write || ix) return;
  for (const auto& i : t.indexes) {
    double r = i.global ? provisioned(t, &i, true) : 0;
    if (r <= 0) continue;
    bool touched = (old_item && index_keys(i, *old_item)) || (new_item && index_keys(i, *new_item));
    if (touched) buckets_.charge(t.id, i.name, true, r, units, now);
  }
}

void DynamoDbService::check_billing_switch(const TableInfo& t, const json& in) {
  const json* b = member(in, "BillingMode");
  if (!b || *b != "PAY_PER_REQUEST" || t.meta.value("BillingMode", "PROVISIONED") == "PAY_PER_REQUEST") return;
  const json* last = member(t.meta, "LastUpdateToPayPerRequestDateTime");
  if (!last || !last->is_number()) return;
  int64_t last_ms = static_cast<int64_t>(last->get<double>() * 1000.0);
  constexpr int64_t kDay = 24LL * 3600 * 1000;
  if (env_.clock->epoch_millis() - last_ms >= kDay) return;
  throw AwsError("LimitExceededException",
                 "Subscriber limit exceeded: Update to PayPerRequest mode are limited to once in 1 day(s). Last update at " +
                     java_date_utc(last_ms) + ". Next update can be made at " + java_date_utc(last_ms + kDay));
}

}  // namespace awan::dynamodb::svc
