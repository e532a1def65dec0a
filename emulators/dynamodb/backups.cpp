// Point-in-time recovery (UpdateContinuousBackups, DescribeContinuousBackups,
// RestoreTableToPointInTime) and on-demand backups (CreateBackup, DescribeBackup, ListBackups,
// DeleteBackup, RestoreTableFromBackup).
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "dynamodb/features.hpp"
#include "dynamodb/request.hpp"
#include "dynamodb/store.hpp"
#include "dynamodb/table.hpp"
#include "dynamodb/value.hpp"

namespace awan::dynamodb {

namespace {

using request::invalid, request::member, request::null_member, request::str_member;

void check_name(const json& in, const char* field, const char* path, bool required) {
  const json* v = member(in, field);
  if (!v) {
    if (required) null_member(path);
    return;
  }
  if (!v->is_string()) throw AwsError::serialization(std::string("Unexpected value type for ") + field);
  const auto& s = v->get_ref<const std::string&>();
  if (s.rfind("arn:", 0) == 0) return;
  std::vector<std::string> errs;
  if (s.size() < 3) errs.push_back("Member must have length greater than or equal to 3");
  if (s.size() > 255) errs.push_back("Member must have length less than or equal to 255");
  if (!std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
      }))
    errs.push_back("Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  if (errs.empty()) return;
  std::string m = std::to_string(errs.size()) + " validation error" + (errs.size() > 1 ? "s" : "") + " detected: ";
  for (size_t i = 0; i < errs.size(); ++i)
    m += (i ? "; " : "") + ("Value '" + s + "' at '" + path + "' failed to satisfy constraint: " + errs[i]);
  invalid(m);
}

std::string name_of(const std::string& name_or_arn) {
  if (name_or_arn.rfind("arn:", 0) != 0) return name_or_arn;
  auto p = name_or_arn.find(":table/");
  if (p == std::string::npos) return name_or_arn;
  std::string rest = name_or_arn.substr(p + 7);
  return rest.substr(0, rest.find('/'));
}

double seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

int64_t millis_of(const json& v) {
  if (v.is_number()) return static_cast<int64_t>(std::llround(v.get<double>() * 1000.0));
  throw AwsError::serialization("Unexpected value type for a timestamp");
}

}  // namespace

json Features::call(const RequestContext& ctx, const std::string& op, json& in) {
  ctx_ = &ctx;
  if (op == "UpdateContinuousBackups") return update_continuous_backups(in);
  if (op == "DescribeContinuousBackups") return describe_continuous_backups(in);
  if (op == "RestoreTableToPointInTime") return restore_to_point_in_time(in);
  if (op == "CreateBackup") return create_backup(in);
  if (op == "DescribeBackup") return describe_backup(in);
  if (op == "ListBackups") return list_backups(in);
  if (op == "DeleteBackup") return delete_backup(in);
  if (op == "RestoreTableFromBackup") return restore_from_backup(in);
  throw AwsError::unknown_operation("An unknown operation was requested.");
}

TableInfo& Features::table_or_throw(const std::string& name_or_arn, bool table_not_found_code) {
  std::string name = name_of(name_or_arn);
  TableInfo* t = host_.host_find(ctx_->account_id, ctx_->region, name);
  if (!t) {
    if (table_not_found_code) throw AwsError("TableNotFoundException", "Table not found: " + name);
    throw AwsError("ResourceNotFoundException", "Requested resource not found");
  }
  return *t;
}

// ---------------------------------------------------------------- PITR

json Features::continuous_description(const TableInfo& t) {
  json pitr = {{"PointInTimeRecoveryStatus", "DISABLED"}};
  auto it = t.meta.find("AwanPitr");
  if (it != t.meta.end()) {
    int64_t now = env_.clock->epoch_millis();
    int64_t days = it->value("RecoveryPeriodInDays", 35);
    int64_t earliest = std::max<int64_t>((*it)["EnabledMs"].get<int64_t>(), now - days * 86400000);
    pitr = {{"PointInTimeRecoveryStatus", "ENABLED"},
            {"RecoveryPeriodInDays", days},
            {"EarliestRestorableDateTime", seconds(earliest)},
            {"LatestRestorableDateTime", seconds(now)}};
  }
  return {{"ContinuousBackupsStatus", "ENABLED"}, {"PointInTimeRecoveryDescription", pitr}};
}

json Features::update_continuous_backups(json& in) {
  check_name(in, "TableName", "tableName", true);
  const json* spec = member(in, "PointInTimeRecoverySpecification");
  if (!spec) null_member("pointInTimeRecoverySpecification");
  const json* en = member(*spec, "PointInTimeRecoveryEnabled");
  if (!en) null_member("pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled");
  if (!en->is_boolean()) throw AwsError::serialization("Unexpected value type for PointInTimeRecoveryEnabled");
  const json* period = member(*spec, "RecoveryPeriodInDays");
  if (period) {
    if (!period->is_number_integer()) throw AwsError::serialization("Unexpected value type for RecoveryPeriodInDays");
    int64_t d = period->get<int64_t>();
    if (d < 1 || d > 35)
      invalid("1 validation error detected: Value '" + std::to_string(d) +
              "' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must "
              "have value " + (d < 1 ? "greater than or equal to 1" : "less than or equal to 35"));
    if (!en->get<bool>())
      invalid("One or more parameter values were invalid: RecoveryPeriodInDays cannot be specified when "
              "PointInTimeRecoveryEnabled is false");
  }
  TableInfo& t = table_or_throw(str_member(in, "TableName"), true);
  bool enable = en->get<bool>();
  if (enable) {
    json p = t.meta.contains("AwanPitr") ? t.meta["AwanPitr"] : json{{"EnabledMs", env_.clock->epoch_millis()}};
    p["RecoveryPeriodInDays"] = period ? period->get<int64_t>() : p.value("RecoveryPeriodInDays", 35);
    t.meta["AwanPitr"] = p;
  } else {
    t.meta.erase("AwanPitr");
  }
  store_.update_table_meta(t.id, t.meta);
  return {{"ContinuousBackupsDescription", continuous_description(t)}};
}

json Features::describe_continuous_backups(json& in) {
  check_name(in, "TableName", "tableName", true);
  TableInfo& t = table_or_throw(str_member(in, "TableName"), true);
  return {{"ContinuousBackupsDescription", continuous_description(t)}};
}

// Metadata of a restored table: the source's schema and indexes with the request's overrides;
// streams, TTL, PITR, tags and deletion protection are not carried over (as in AWS).
json Features::restored_meta(const json& source, const json& in) {
  json meta = json::object();
  for (const char* k : {"AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
                        "LocalSecondaryIndexes", "GlobalSecondaryIndexes", "SSESpecification", "TableClass"})
    if (source.contains(k)) meta[k] = source[k];
  if (const json* b = member(in, "BillingModeOverride")) {
    std::string mode = b->get<std::string>();
    if (mode != "PROVISIONED" && mode != "PAY_PER_REQUEST")
      invalid("1 validation error detected: Value '" + mode +
              "' at 'billingModeOverride' failed to satisfy constraint: Member must satisfy enum value set: "
              "[PROVISIONED, PAY_PER_REQUEST]");
    meta["BillingMode"] = mode;
    if (mode == "PAY_PER_REQUEST") {
      meta.erase("ProvisionedThroughput");
      if (meta.contains("GlobalSecondaryIndexes"))
        for (auto& g : meta["GlobalSecondaryIndexes"]) g.erase("ProvisionedThroughput");
    }
  }
  if (const json* pt = member(in, "ProvisionedThroughputOverride")) {
    if (meta.value("BillingMode", "PROVISIONED") == "PAY_PER_REQUEST")
      invalid("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be "
              "specified when BillingMode is PAY_PER_REQUEST");
    meta["ProvisionedThroughput"] = *pt;
  }
  if (meta.value("BillingMode", "PROVISIONED") == "PROVISIONED" && !meta.contains("ProvisionedThroughput"))
    invalid("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be "
            "specified when BillingMode is PROVISIONED");
  auto override_indexes = [&](const char* field, const char* kind) {
    const json* o = member(in, field);
    if (!o) return;
    json existing = meta.value(kind, json::array());
    json out = json::array();
    for (const auto& ix : *o) {
      std::string n = str_member(ix, "IndexName");
      bool found = std::any_of(existing.begin(), existing.end(), [&](const json& e) { return e["IndexName"] == n; });
      if (!found)
        invalid("One or more parameter values were invalid: Index " + n +
                " is not part of the source table and cannot be restored");
      out.push_back(ix);
    }
    if (out.empty()) meta.erase(kind);
    else meta[kind] = out;
  };
  override_indexes("GlobalSecondaryIndexOverride", "GlobalSecondaryIndexes");
  override_indexes("LocalSecondaryIndexOverride", "LocalSecondaryIndexes");
  if (const json* sse = member(in, "SSESpecificationOverride")) meta["SSESpecification"] = *sse;
  meta["CreationDateTime"] = seconds(env_.clock->epoch_millis());
  meta["TableId"] = ids::uuid4();
  return meta;
}

TableInfo& Features::create_restored(const std::string& name, json meta) {
  return host_.host_create(ctx_->account_id, ctx_->region, name, std::move(meta));
}

// Rebuilds the secondary-index entries of a table whose rows were copied in directly.
void Features::reindex(const TableInfo& t) {
  if (t.indexes.empty()) return;
  for (const auto& s : store_.all_items(t.id)) host_.host_write(t, s.pk, s.sk, nullptr, &s.item);
}

json Features::restore_to_point_in_time(json& in) {
  check_name(in, "TargetTableName", "targetTableName", true);
  check_name(in, "SourceTableName", "sourceTableName", false);
  std::string src_name = str_member(in, "SourceTableName");
  std::string src_arn = str_member(in, "SourceTableArn");
  if (src_name.empty() && src_arn.empty())
    invalid("One or more parameter values were invalid: Either source table name or source table arn must be "
            "specified");
  if (!src_name.empty() && !src_arn.empty())
    invalid("One or more parameter values were invalid: Only one of source table name or source table arn can be "
            "specified");
  bool latest = member(in, "UseLatestRestorableTime") && in["UseLatestRestorableTime"].get<bool>();
  const json* when = member(in, "RestoreDateTime");
  if (latest && when)
    invalid("One or more parameter values were invalid: Only one of RestoreDateTime or UseLatestRestorableTime can "
            "be specified");
  if (!latest && !when)
    invalid("One or more parameter values were invalid: Either RestoreDateTime or UseLatestRestorableTime must be "
            "specified");
  TableInfo& src = table_or_throw(src_arn.empty() ? src_name : src_arn, true);
  if (!src_arn.empty() && src_arn != src.arn) throw AwsError("TableNotFoundException", "Table not found: " + src_arn);
  std::string target = str_member(in, "TargetTableName");
  if (host_.host_find(ctx_->account_id, ctx_->region, target))
    throw AwsError("TableAlreadyExistsException", "Table already exists: " + target);
  auto pitr = src.meta.find("AwanPitr");
  if (pitr == src.meta.end())
    throw AwsError("PointInTimeRecoveryUnavailableException",
                   "Point in time recovery is not enabled for table '" + src.name + "'");
  json cb = continuous_description(src)["PointInTimeRecoveryDescription"];
  int64_t earliest = static_cast<int64_t>(std::llround(cb["EarliestRestorableDateTime"].get<double>() * 1000));
  int64_t latest_ms = env_.clock->epoch_millis();
  int64_t at = latest ? latest_ms : millis_of(*when);
  if (!latest && (at < earliest / 1000 * 1000 || at > latest_ms))
    throw AwsError("InvalidRestoreTimeException",
                   "Only times between EarliestRestorableDateTime and LatestRestorableDateTime can be restored");
  json meta = restored_meta(src.meta, in);
  meta["RestoreSummary"] = {{"SourceTableArn", src.arn}, {"RestoreDateTime", seconds(at)}, {"RestoreInProgress", false}};
  int64_t src_id = src.id;
  storage::Transaction tx(store_.db());
  TableInfo& t = create_restored(target, std::move(meta));
  auto& db = store_.db();
  {  // today's rows, then undo every change made after the restore time, newest first
    auto st = db.cached("INSERT INTO ddb_items(table_id, pk, sk, item, size) SELECT ?, pk, sk, item, size FROM ddb_items "
                        "WHERE table_id = ?");
    st->bind(1, t.id).bind(2, src_id);
    st->run();
  }
  {
    auto st = db.prepare("SELECT pk, sk, old FROM ddb_changes WHERE table_id = ? AND ts_ms > ? ORDER BY seq DESC");
    st.bind(1, src_id).bind(2, at);
    while (st.step()) {
      // copies: a zero-length sort key's column view has no data pointer (it would bind NULL)
      std::string pk = st.blob(0), sk = st.blob(1);
      if (st.is_null(2)) {
        store_.delete_item(t.id, pk, sk);
      } else {
        json old = Store::decode(st.blob_view(2));
        store_.put_item(t.id, pk, sk, old, item_size(old));
      }
    }
  }
  reindex(t);
  tx.commit();
  return {{"TableDescription", host_.host_describe(t, "CREATING")}};
}

// ---------------------------------------------------------------- on-demand backups

json Features::create_backup(json& in) {
  check_name(in, "TableName", "tableName", true);
  check_name(in, "BackupName", "backupName", true);
  TableInfo& t = table_or_throw(str_member(in, "TableName"), true);
  int64_t now = env_.clock->epoch_millis();
  char suffix[64];
  std::snprintf(suffix, sizeof suffix, "%014" PRId64 "-%s", now, crypto::hex(crypto::random_bytes(4)).c_str());
  std::string arn = t.arn + "/backup/" + suffix;
  auto& db = store_.db();
  auto [count, size] = store_.table_stats(t.id);
  storage::Transaction tx(db);
  {
    auto st = db.cached(
        "INSERT INTO ddb_backups(arn, account, region, name, table_name, table_arn, meta, created_ms, size, item_count) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st->bind(1, arn).bind(2, t.account).bind(3, t.region).bind(4, str_member(in, "BackupName")).bind(5, t.name);
    st->bind(6, t.arn).bind(7, t.meta.dump()).bind(8, now).bind(9, size).bind(10, count);
    st->run();
  }
  {
    auto st = db.cached("INSERT INTO ddb_backup_items(backup_arn, pk, sk, item, size) SELECT ?, pk, sk, item, size "
                        "FROM ddb_items WHERE table_id = ?");
    st->bind(1, arn).bind(2, t.id);
    st->run();
  }
  tx.commit();
  json d = backup_description(arn)["BackupDetails"];
  d["BackupStatus"] = "CREATING";
  return {{"BackupDetails", d}};
}

json Features::backup_description(const std::string& arn) {
  auto st = store_.db().cached(
      "SELECT name, table_name, table_arn, meta, created_ms, size, item_count, account FROM ddb_backups WHERE arn = ?");
  st->bind(1, arn);
  if (!st->step() || st->text(7) != ctx_->account_id) {
    st->reset();
    throw AwsError("BackupNotFoundException", "Backup not found: " + arn);
  }
  json meta = json::parse(st->text_view(3));
  json details = {{"BackupArn", arn},
                  {"BackupName", st->text(0)},
                  {"BackupSizeBytes", st->int64(5)},
                  {"BackupStatus", "AVAILABLE"},
                  {"BackupType", "USER"},
                  {"BackupCreationDateTime", seconds(st->int64(4))}};
  json pt = {{"ReadCapacityUnits", 0}, {"WriteCapacityUnits", 0}};
  if (meta.contains("ProvisionedThroughput")) {
    pt["ReadCapacityUnits"] = meta["ProvisionedThroughput"].value("ReadCapacityUnits", 0);
    pt["WriteCapacityUnits"] = meta["ProvisionedThroughput"].value("WriteCapacityUnits", 0);
  }
  json source = {{"TableName", st->text(1)},
                 {"TableId", meta.value("TableId", "")},
                 {"TableArn", st->text(2)},
                 {"TableSizeBytes", st->int64(5)},
                 {"KeySchema", meta["KeySchema"]},
                 {"TableCreationDateTime", meta["CreationDateTime"]},
                 {"ProvisionedThroughput", pt},
                 {"ItemCount", st->int64(6)},
                 {"BillingMode", meta.value("BillingMode", "PROVISIONED")}};
  st->reset();
  json features = json::object();
  for (const char* k : {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"})
    if (meta.contains(k)) {
      json arr = json::array();
      for (const auto& ix : meta[k]) {
        json x = {{"IndexName", ix["IndexName"]}, {"KeySchema", ix["KeySchema"]}};
        x["Projection"] = ix.value("Projection", json{{"ProjectionType", "ALL"}});
        if (ix.contains("ProvisionedThroughput")) x["ProvisionedThroughput"] = ix["ProvisionedThroughput"];
        arr.push_back(std::move(x));
      }
      features[k] = arr;
    }
  if (meta.contains("StreamSpecification") && meta["StreamSpecification"].value("StreamEnabled", false))
    features["StreamDescription"] = meta["StreamSpecification"];
  if (meta.contains("TimeToLive") && meta["TimeToLive"].value("Enabled", false))
    features["TimeToLiveDescription"] = {{"TimeToLiveStatus", "ENABLED"},
                                         {"AttributeName", meta["TimeToLive"]["AttributeName"]}};
  json out = {{"BackupDetails", details}, {"SourceTableDetails", source}};
  if (!features.empty()) out["SourceTableFeatureDetails"] = features;
  return out;
}

json Features::describe_backup(json& in) {
  std::string arn = str_member(in, "BackupArn");
  if (arn.empty()) null_member("backupArn");
  return {{"BackupDescription", backup_description(arn)}};
}

json Features::list_backups(json& in) {
  check_name(in, "TableName", "tableName", false);
  if (const json* l = member(in, "Limit")) {
    int64_t v = l->get<int64_t>();
    if (v < 1 || v > 100)
      invalid("1 validation error detected: Value '" + std::to_string(v) +
              "' at 'limit' failed to satisfy constraint: Member must have value " +
              (v < 1 ? "greater than or equal to 1" : "less than or equal to 100"));
  }
  std::string type = str_member(in, "BackupType");
  if (!type.empty() && type != "USER" && type != "SYSTEM" && type != "AWS_BACKUP" && type != "ALL")
    invalid("1 validation error detected: Value '" + type +
            "' at 'backupType' failed to satisfy constraint: Member must satisfy enum value set: [USER, SYSTEM, "
            "AWS_BACKUP, ALL]");
  int64_t limit = member(in, "Limit") ? in["Limit"].get<int64_t>() : 100;
  int64_t lower = member(in, "TimeRangeLowerBound") ? millis_of(in["TimeRangeLowerBound"]) : INT64_MIN;
  int64_t upper = member(in, "TimeRangeUpperBound") ? millis_of(in["TimeRangeUpperBound"]) : INT64_MAX;
  std::string table = name_of(str_member(in, "TableName"));
  std::string start = str_member(in, "ExclusiveStartBackupArn");
  json out = {{"BackupSummaries", json::array()}};
  if (type == "SYSTEM" || type == "AWS_BACKUP") return out;
  auto st = store_.db().cached(
      "SELECT arn, name, table_name, table_arn, meta, created_ms, size FROM ddb_backups WHERE account = ? AND region = "
      "? AND (? = '' OR table_name = ?) AND created_ms >= ? AND created_ms < ? ORDER BY created_ms, arn");
  st->bind(1, ctx_->account_id).bind(2, ctx_->region).bind(3, table).bind(4, table).bind(5, lower).bind(6, upper);
  bool skipping = !start.empty(), more = false;
  while (st->step()) {
    std::string arn = st->text(0);
    if (skipping) {
      if (arn == start) skipping = false;
      continue;
    }
    if (static_cast<int64_t>(out["BackupSummaries"].size()) == limit) {
      more = true;
      break;
    }
    json meta = json::parse(st->text_view(4));
    out["BackupSummaries"].push_back({{"TableName", st->text(2)},
                                      {"TableId", meta.value("TableId", "")},
                                      {"TableArn", st->text(3)},
                                      {"BackupArn", arn},
                                      {"BackupName", st->text(1)},
                                      {"BackupCreationDateTime", seconds(st->int64(5))},
                                      {"BackupStatus", "AVAILABLE"},
                                      {"BackupType", "USER"},
                                      {"BackupSizeBytes", st->int64(6)}});
  }
  st->reset();
  if (more) out["LastEvaluatedBackupArn"] = out["BackupSummaries"].back()["BackupArn"];
  return out;
}

json Features::delete_backup(json& in) {
  std::string arn = str_member(in, "BackupArn");
  if (arn.empty()) null_member("backupArn");
  json d = backup_description(arn);
  d["BackupDetails"]["BackupStatus"] = "DELETED";
  storage::Transaction tx(store_.db());
  for (const char* sql : {"DELETE FROM ddb_backup_items WHERE backup_arn = ?", "DELETE FROM ddb_backups WHERE arn = ?"}) {
    auto st = store_.db().cached(sql);
    st->bind(1, arn);
    st->run();
  }
  tx.commit();
  return {{"BackupDescription", d}};
}

json Features::restore_from_backup(json& in) {
  check_name(in, "TargetTableName", "targetTableName", true);
  std::string arn = str_member(in, "BackupArn");
  if (arn.empty()) null_member("backupArn");
  std::string target = str_member(in, "TargetTableName");
  json meta_src, details;
  std::string table_arn;
  {
    auto st = store_.db().cached("SELECT meta, table_arn, created_ms, account FROM ddb_backups WHERE arn = ?");
    st->bind(1, arn);
    if (!st->step() || st->text(3) != ctx_->account_id) {
      st->reset();
      throw AwsError("BackupNotFoundException", "Backup not found: " + arn);
    }
    meta_src = json::parse(st->text_view(0));
    table_arn = st->text(1);
    details = seconds(st->int64(2));
    st->reset();
  }
  if (host_.host_find(ctx_->account_id, ctx_->region, target))
    throw AwsError("TableAlreadyExistsException", "Table already exists: " + target);
  json meta = restored_meta(meta_src, in);
  meta["RestoreSummary"] = {
      {"SourceBackupArn", arn}, {"SourceTableArn", table_arn}, {"RestoreDateTime", details}, {"RestoreInProgress", false}};
  storage::Transaction tx(store_.db());
  TableInfo& t = create_restored(target, std::move(meta));
  {
    auto st = store_.db().cached("INSERT INTO ddb_items(table_id, pk, sk, item, size) SELECT ?, pk, sk, item, size FROM "
                                 "ddb_backup_items WHERE backup_arn = ?");
    st->bind(1, t.id).bind(2, arn);
    st->run();
  }
  reindex(t);
  tx.commit();
  return {{"TableDescription", host_.host_describe(t, "CREATING")}};
}

}  // namespace awan::dynamodb
