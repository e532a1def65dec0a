// Lifecycle configuration validation, midnight rounding and the sweeper's decisions.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/timefmt.hpp"
#include "s3/lifecycle.hpp"

using namespace awan::s3;
using nlohmann::json;

namespace {

json null_t() { return json(nullptr); }

time_point at(const char* iso) { return *awan::timefmt::parse_iso8601(iso); }
double epoch(const char* iso) { return awan::timefmt::epoch_seconds(at(iso)); }

json rule(json extra) {
  json r = {{"Status", "Enabled"}, {"Filter", {{"Prefix", "logs/"}}}, {"Expiration", {{"Days", 3}}}};
  for (auto& [k, v] : extra.items()) {
    if (v.is_null()) {
      r.erase(k);
    } else {
      r[k] = v;
    }
  }
  return r;
}

std::string check(json rules) {
  LifecycleConfig c;
  auto err = parse_lifecycle_configuration(json{{"Rules", rules}}, c);
  return err ? err->code + ": " + err->message : "ok";
}

LifecycleConfig config(json rules) {
  LifecycleConfig c;
  auto err = parse_lifecycle_configuration(json{{"Rules", rules}}, c);
  EXPECT_FALSE(err) << (err ? err->message : "");
  return c;
}

LifecycleObject object(const char* key, const char* modified) {
  LifecycleObject o;
  o.key = key;
  o.size = 100;
  o.last_modified = at(modified);
  return o;
}

const std::string kMalformed =
    "MalformedXML: The XML you provided was not well-formed or did not validate against our published schema";

}  // namespace

TEST(LifecycleRounding, NextMidnightUtc) {
  EXPECT_EQ(lifecycle_due(at("2014-01-15T10:30:00Z"), 3), at("2014-01-19T00:00:00Z"));
  EXPECT_EQ(lifecycle_due(at("2014-01-15T00:00:00Z"), 1), at("2014-01-16T00:00:00Z"));
  EXPECT_EQ(next_midnight_utc(at("2014-01-15T23:59:59.500Z")), at("2014-01-16T00:00:00Z"));
  EXPECT_EQ(next_midnight_utc(at("2014-01-15T00:00:00.001Z")), at("2014-01-16T00:00:00Z"));
  EXPECT_EQ(lifecycle_due(at("2016-02-28T12:00:00Z"), 1), at("2016-03-01T00:00:00Z"));  // leap day
}

TEST(LifecycleValidate, AcceptsTheCommonShapes) {
  EXPECT_EQ(check({rule({})}), "ok");
  EXPECT_EQ(check({rule({{"Filter", null_t()}, {"Prefix", ""}})}), "ok");  // legacy prefix
  EXPECT_EQ(check({rule({{"Filter", json::object()}})}), "ok");           // every object
  EXPECT_EQ(check({rule({{"Filter", {{"Tag", {{"Key", "k"}, {"Value", "v"}}}}}})}), "ok");
  EXPECT_EQ(check({rule({{"Filter", {{"ObjectSizeGreaterThan", 100}}}})}), "ok");
  EXPECT_EQ(check({rule({{"Filter", {{"And", {{"Prefix", "a/"}, {"Tags", {{{"Key", "k"}, {"Value", "v"}}}},
                                               {"ObjectSizeLessThan", 1000}}}}}})}),
            "ok");
  EXPECT_EQ(check({rule({{"Expiration", {{"Date", epoch("2030-01-01T00:00:00Z")}}}})}), "ok");
  EXPECT_EQ(check({rule({{"Expiration", {{"ExpiredObjectDeleteMarker", true}}}})}), "ok");
  EXPECT_EQ(check({rule({{"Expiration", null_t()}, {"NoncurrentVersionExpiration", {{"NoncurrentDays", 30}, {"NewerNoncurrentVersions", 2}}}})}), "ok");
  EXPECT_EQ(check({rule({{"Expiration", null_t()}, {"AbortIncompleteMultipartUpload", {{"DaysAfterInitiation", 7}}}})}), "ok");
  EXPECT_EQ(check({rule({{"Expiration", null_t()}, {"Transitions", {{{"Days", 0}, {"StorageClass", "GLACIER"}}}}})}), "ok");
  EXPECT_EQ(check({rule({{"Status", "Disabled"}})}), "ok");
}

TEST(LifecycleValidate, ShapeErrorsAreMalformedXml) {
  LifecycleConfig c;
  EXPECT_EQ(parse_lifecycle_configuration(json::object(), c)->code, "MalformedXML");
  EXPECT_EQ(check(json::array()), kMalformed);
  EXPECT_EQ(check({rule({{"Status", "On"}})}), kMalformed);
  EXPECT_EQ(check({rule({{"Status", null_t()}})}), kMalformed);
  EXPECT_EQ(check({rule({{"Prefix", "x"}})}), kMalformed);               // Prefix and Filter
  EXPECT_EQ(check({rule({{"Filter", null_t()}})}), kMalformed);          // neither
  EXPECT_EQ(check({rule({{"Filter", {{"Prefix", "a"}, {"ObjectSizeGreaterThan", 1}}}})}), kMalformed);
  EXPECT_EQ(check({rule({{"Filter", {{"And", json::object()}}}})}), kMalformed);
  EXPECT_EQ(check({rule({{"Filter", {{"Tag", {{"Key", "k"}}}}}})}), kMalformed);
  EXPECT_EQ(check({rule({{"Expiration", {{"Days", 3}, {"Date", epoch("2030-01-01T00:00:00Z")}}}})}), kMalformed);
  EXPECT_EQ(check({rule({{"Expiration", json::object()}})}), kMalformed);
  EXPECT_EQ(check({rule({{"Expiration", {{"Days", "3"}}}})}), kMalformed);
  EXPECT_EQ(check({rule({{"Expiration", null_t()}, {"NoncurrentVersionExpiration", json::object()}})}), kMalformed);
  json many = json::array();
  for (int i = 0; i < 1001; ++i) many.push_back(rule({{"ID", std::to_string(i)}}));
  EXPECT_EQ(check(many), kMalformed);
  many.erase(many.begin());
  EXPECT_EQ(check(many), "ok");  // 1000 is the limit
}

TEST(LifecycleValidate, ValueErrors) {
  EXPECT_EQ(check({rule({{"Expiration", {{"Days", 0}}}})}),
            "InvalidArgument: 'Days' for Expiration action must be a positive integer");
  EXPECT_EQ(check({rule({{"Expiration", {{"Days", -1}}}})}),
            "InvalidArgument: 'Days' for Expiration action must be a positive integer");
  EXPECT_EQ(check({rule({{"Expiration", {{"Date", epoch("2030-01-01T10:00:00Z")}}}})}),
            "InvalidArgument: 'Date' must be at midnight GMT");
  EXPECT_EQ(check({rule({{"Expiration", {{"Days", 3}, {"ExpiredObjectDeleteMarker", true}}}})}),
            "InvalidArgument: ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle "
            "Expiration Policy.");
  EXPECT_EQ(check({rule({{"Expiration", null_t()}, {"NoncurrentVersionExpiration", {{"NoncurrentDays", 0}}}})}),
            "InvalidArgument: 'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
  EXPECT_EQ(check({rule({{"Expiration", null_t()}, {"AbortIncompleteMultipartUpload", {{"DaysAfterInitiation", 0}}}})}),
            "InvalidArgument: 'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive "
            "integer");
  EXPECT_EQ(check({rule({{"Expiration", null_t()}, {"Transitions", {{{"Days", -1}, {"StorageClass", "GLACIER"}}}}})}),
            "InvalidArgument: 'Days' for Transition action must be a positive integer");
  EXPECT_EQ(check({rule({{"ID", "same"}}), rule({{"ID", "same"}})}),
            "InvalidArgument: Rule ID must be unique. Found same ID for more than one rule");
  EXPECT_EQ(check({rule({{"ID", std::string(256, 'x')}})}),
            "InvalidArgument: ID length should not exceed allowed limit of 255");
  EXPECT_EQ(check({rule({{"Expiration", null_t()}})}),
            "InvalidRequest: At least one action needs to be specified in a rule");
  EXPECT_EQ(check({rule({{"Filter", {{"Tag", {{"Key", "k"}, {"Value", "v"}}}}},
                         {"AbortIncompleteMultipartUpload", {{"DaysAfterInitiation", 1}}}})}),
            "InvalidRequest: AbortIncompleteMultipartUpload cannot be specified with Tags.");
  EXPECT_EQ(check({rule({{"Filter", {{"Prefix", std::string(1025, 'p')}}}})}),
            "InvalidRequest: The maximum size of a prefix is 1024.");
}

TEST(LifecycleValidate, GeneratesIdsAndNormalizes) {
  LifecycleConfig c;
  json normalized;
  ASSERT_FALSE(parse_lifecycle_configuration(json{{"Rules", {rule({}), rule({{"ID", "mine"}})}}}, c, &normalized));
  ASSERT_EQ(c.rules.size(), 2u);
  EXPECT_FALSE(c.rules[0].id.empty());
  EXPECT_EQ(normalized["Rules"][0]["ID"], c.rules[0].id);
  EXPECT_EQ(normalized["Rules"][1]["ID"], "mine");
  EXPECT_EQ(normalized["Rules"][1]["Expiration"]["Days"], 3);
}

TEST(LifecycleDecide, CurrentVersionExpiresAtMidnightAfterDays) {
  auto c = config({rule({{"ID", "r"}})});
  auto o = object("logs/a", "2014-01-15T10:30:00Z");
  EXPECT_EQ(decide_object(c, o, at("2014-01-18T23:59:59Z")).action, LifecycleAction::None);
  auto d = decide_object(c, o, at("2014-01-19T00:00:00Z"));
  EXPECT_EQ(d.action, LifecycleAction::ExpireCurrent);
  EXPECT_EQ(d.rule_id, "r");
  EXPECT_EQ(decide_object(c, object("data/a", "2014-01-15T10:30:00Z"), at("2015-01-01T00:00:00Z")).action,
            LifecycleAction::None);
  auto when = current_expiration(c, o);
  ASSERT_TRUE(when);
  EXPECT_EQ(when->first, at("2014-01-19T00:00:00Z"));
  EXPECT_EQ(when->second, "r");
}

TEST(LifecycleDecide, DateRuleAndDisabledRule) {
  auto c = config({rule({{"Expiration", {{"Date", epoch("2020-06-01T00:00:00Z")}}}})});
  auto o = object("logs/a", "2019-01-01T00:00:00Z");
  EXPECT_EQ(decide_object(c, o, at("2020-05-31T23:00:00Z")).action, LifecycleAction::None);
  EXPECT_EQ(decide_object(c, o, at("2020-06-01T00:00:00Z")).action, LifecycleAction::ExpireCurrent);
  auto off = config({rule({{"Status", "Disabled"}})});
  EXPECT_EQ(decide_object(off, o, at("2030-01-01T00:00:00Z")).action, LifecycleAction::None);
  EXPECT_FALSE(current_expiration(off, o));
}

TEST(LifecycleDecide, FiltersOnTagsAndSizes) {
  auto c = config({rule({{"Filter", {{"And", {{"Prefix", "logs/"}, {"Tags", {{{"Key", "tier"}, {"Value", "tmp"}}}},
                                              {"ObjectSizeGreaterThan", 10}, {"ObjectSizeLessThan", 1000}}}}}})});
  auto o = object("logs/a", "2014-01-01T00:00:00Z");
  const auto later = at("2015-01-01T00:00:00Z");
  EXPECT_EQ(decide_object(c, o, later).action, LifecycleAction::None);  // no tag
  o.tags = {{"tier", "tmp"}};
  EXPECT_EQ(decide_object(c, o, later).action, LifecycleAction::ExpireCurrent);
  o.size = 1000;
  EXPECT_EQ(decide_object(c, o, later).action, LifecycleAction::None);  // strictly less than
  o.size = 10;
  EXPECT_EQ(decide_object(c, o, later).action, LifecycleAction::None);  // strictly greater than
}

TEST(LifecycleDecide, NoncurrentVersions) {
  auto c = config({rule({{"Expiration", null_t()},
                         {"NoncurrentVersionExpiration", {{"NoncurrentDays", 2}, {"NewerNoncurrentVersions", 1}}}})});
  auto o = object("logs/a", "2014-01-01T00:00:00Z");
  o.is_latest = false;
  o.noncurrent_since = at("2014-01-10T08:00:00Z");
  o.newer_noncurrent_versions = 0;  // the newest noncurrent version is kept
  EXPECT_EQ(decide_object(c, o, at("2014-02-01T00:00:00Z")).action, LifecycleAction::None);
  o.newer_noncurrent_versions = 1;
  EXPECT_EQ(decide_object(c, o, at("2014-01-12T23:59:59Z")).action, LifecycleAction::None);
  EXPECT_EQ(decide_object(c, o, at("2014-01-13T00:00:00Z")).action, LifecycleAction::ExpireNoncurrent);
  // the current version is not touched by a noncurrent rule
  EXPECT_EQ(decide_object(c, object("logs/a", "2014-01-01T00:00:00Z"), at("2015-01-01T00:00:00Z")).action,
            LifecycleAction::None);
}

TEST(LifecycleDecide, ExpiredDeleteMarkers) {
  auto c = config({rule({{"Expiration", {{"ExpiredObjectDeleteMarker", true}}}})});
  auto o = object("logs/a", "2014-01-01T00:00:00Z");
  o.is_delete_marker = true;
  o.noncurrent_versions = 1;
  EXPECT_EQ(decide_object(c, o, at("2014-01-02T00:00:00Z")).action, LifecycleAction::None);
  o.noncurrent_versions = 0;
  EXPECT_EQ(decide_object(c, o, at("2014-01-02T00:00:00Z")).action, LifecycleAction::RemoveDeleteMarker);
  // a Days rule does not expire a delete marker as if it were an object
  auto days = config({rule({})});
  EXPECT_EQ(decide_object(days, o, at("2015-01-01T00:00:00Z")).action, LifecycleAction::None);
}

TEST(LifecycleDecide, IncompleteUploads) {
  auto c = config({rule({{"ID", "abort"}, {"Expiration", null_t()}, {"AbortIncompleteMultipartUpload", {{"DaysAfterInitiation", 1}}}})});
  EXPECT_FALSE(decide_upload(c, "logs/big", at("2014-01-15T10:30:00Z"), at("2014-01-16T23:59:59Z")));
  EXPECT_EQ(decide_upload(c, "logs/big", at("2014-01-15T10:30:00Z"), at("2014-01-17T00:00:00Z")), "abort");
  EXPECT_FALSE(decide_upload(c, "data/big", at("2014-01-15T10:30:00Z"), at("2015-01-01T00:00:00Z")));
}

namespace awan::s3 {
namespace {
TEST(LifecycleOverflow, HugeDaysSaturateInsteadOfOverflowing) {
  // Found by fuzz_s3_lifecycle: days * 86400 s in nanoseconds overflowed int64.
  time_point t0{std::chrono::seconds(1'600'000'000)};
  EXPECT_EQ(lifecycle_due(t0, 2'000'000'000), time_point::max());
  EXPECT_EQ(lifecycle_due(t0, 3'560'000), time_point::max());
  EXPECT_LT(lifecycle_due(t0, 30), time_point::max());
}
}  // namespace
}  // namespace awan::s3
