// The lifecycle sweeper of the S3 service: every minute (and on POST /_awan/s3/lifecycle), the
// enabled rules of every bucket with a LifecycleConfiguration are applied to its object versions
// and multipart uploads (decisions in lifecycle.hpp).
#include <cmath>

#include <spdlog/spdlog.h>

#include "core/timefmt.hpp"
#include "s3/lifecycle.hpp"
#include "s3/service_impl.hpp"

namespace awan::s3 {

namespace {
using std::chrono::system_clock;

system_clock::time_point at(double secs) {
  return system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(std::chrono::duration<double>(secs)));
}

std::vector<std::pair<std::string, std::string>> tags_of(const ObjectRow& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& t : r.meta.value("Tags", json::array())) out.emplace_back(t.value("Key", ""), t.value("Value", ""));
  return out;
}
}  // namespace

void S3Service::schedule_sweep() {
  if (!env_.scheduler) return;
  env_.scheduler->post_after(std::chrono::seconds(60), [this, alive = alive_]() {
    if (!*alive) return;
    try {
      std::lock_guard lock(mu_);
      ctx_ = nullptr;
      sweep_lifecycle(env_.clock->now());
    } catch (const std::exception& e) {
      spdlog::error("s3 lifecycle sweep: {}", e.what());
    }
    schedule_sweep();
  });
}

std::pair<size_t, size_t> S3Service::sweep_lifecycle(system_clock::time_point now) {
  ctx_ = nullptr;  // S3 itself acts: no request's caller
  size_t expired = 0, aborted = 0;
  std::vector<BodyRef> garbage;
  for (const BucketRow& b : store_.buckets()) {
    auto doc = b.config.find("Lifecycle");
    if (doc == b.config.end()) continue;
    LifecycleConfig config;
    if (parse_lifecycle_configuration(*doc, config)) continue;  // stored documents were validated
    storage::Transaction tx(store_.db());
    std::vector<std::pair<const char*, ObjectRow>> events;  // notified once committed
    // Every version of every key, newest first per key.
    std::string after;
    int64_t before = INT64_MIN;
    std::vector<ObjectRow> key_rows;
    auto decide_key = [&]() {
      int newer_noncurrent = 0;
      int noncurrent_total = static_cast<int>(key_rows.size()) - 1;
      for (size_t i = 0; i < key_rows.size(); ++i) {
        const ObjectRow& r = key_rows[i];
        LifecycleObject o;
        o.key = r.key;
        o.size = r.size;
        o.tags = tags_of(r);
        o.last_modified = at(r.modified);
        o.is_latest = r.latest;
        o.is_delete_marker = r.delete_marker;
        if (i > 0) o.noncurrent_since = at(key_rows[i - 1].modified);
        o.newer_noncurrent_versions = i > 0 ? newer_noncurrent : 0;
        o.noncurrent_versions = noncurrent_total;
        if (i > 0) ++newer_noncurrent;
        LifecycleDecision d = decide_object(config, o, now);
        if (d.action == LifecycleAction::None) continue;
        if (d.action == LifecycleAction::ExpireCurrent && !b.versioning.empty()) {
          // Versioned: the current version becomes noncurrent behind a delete marker.
          ObjectRow marker;
          marker.key = r.key;
          marker.delete_marker = true;
          marker.modified = std::floor(std::chrono::duration<double>(now.time_since_epoch()).count());
          write_version(b, marker, garbage);
          events.emplace_back("s3:LifecycleExpiration:DeleteMarkerCreated", marker);
        } else {
          garbage.push_back(r.body);
          store_.delete_version(b.name, r.key, r.version);
          events.emplace_back("s3:LifecycleExpiration:Delete", r);
        }
        ++expired;
      }
      key_rows.clear();
    };
    while (true) {
      std::vector<ObjectRow> rows = store_.list_versions(b.name, "", after, before, 500);
      for (ObjectRow& r : rows) {
        if (!key_rows.empty() && key_rows.front().key != r.key) decide_key();
        after = r.key;
        before = r.seq;
        key_rows.push_back(std::move(r));
      }
      if (rows.size() < 500) break;
    }
    if (!key_rows.empty()) decide_key();
    std::string after_key, after_id;
    while (true) {
      std::vector<UploadRow> ups = store_.list_uploads(b.name, "", after_key, after_id, 500);
      for (const UploadRow& u : ups) {
        after_key = u.key;
        after_id = u.id;
        if (!decide_upload(config, u.key, at(u.initiated), now)) continue;
        for (const PartRow& p : store_.parts(u.id, 0, 10001)) garbage.push_back(p.body);
        store_.delete_upload(u.id);
        ++aborted;
      }
      if (ups.size() < 500) break;
    }
    tx.commit();
    for (const auto& [event, row] : events) notify(b, event, row);
  }
  for (const BodyRef& g : garbage) bodies_.remove(g);
  if (expired || aborted) spdlog::info("s3 lifecycle: {} versions expired, {} uploads aborted", expired, aborted);
  return {expired, aborted};
}

bool S3Service::internal_endpoint(std::string_view method, std::string_view path, const std::string& body, int& status,
                                  json& out) {
  if (path != "lifecycle") return false;
  if (method != "POST") {
    status = 405;
    out = {{"error", "MethodNotAllowed"}, {"message", "POST /_awan/s3/lifecycle"}};
    return true;
  }
  // {"at": epoch seconds}: apply the rules as of that instant (tests); default now.
  json in = body.empty() ? json::object() : json::parse(body, nullptr, false);
  auto when = env_.clock->now();
  if (in.is_object() && in.contains("at") && in["at"].is_number()) when = at(in["at"].get<double>());
  std::lock_guard lock(mu_);
  ctx_ = nullptr;
  auto [expired, aborted] = sweep_lifecycle(when);
  status = 200;
  out = {{"expired", expired}, {"aborted", aborted}};
  return true;
}

// The x-amz-expiration header of a current version: when the bucket's lifecycle will expire it,
// and by which rule ("expiry-date=\"Fri, 23 Dec 2012 00:00:00 GMT\", rule-id=\"r\""); "" when no
// enabled Expiration rule applies.
std::string S3Service::expiration_header(const BucketRow& b, const ObjectRow& r) const {
  auto doc = b.config.find("Lifecycle");
  if (doc == b.config.end() || r.delete_marker) return "";
  LifecycleConfig config;
  if (parse_lifecycle_configuration(*doc, config)) return "";
  LifecycleObject o;
  o.key = r.key;
  o.size = r.size;
  o.tags = tags_of(r);
  o.last_modified = at(r.modified);
  auto due = current_expiration(config, o);
  if (!due) return "";
  return "expiry-date=\"" + timefmt::http_date(due->first) + "\", rule-id=\"" + due->second + "\"";
}

}  // namespace awan::s3
