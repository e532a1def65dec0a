// Event records, the test event, NotificationConfiguration validation and matching.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "s3/event_shapes.hpp"

using namespace awan::s3;
using nlohmann::json;

namespace {

const time_point kTime = time_point{std::chrono::milliseconds(1'629'555'395'123)};  // 2021-08-21T14:16:35.123Z

EventRecordInput put_input() {
  EventRecordInput in;
  in.event_name = "s3:ObjectCreated:Put";
  in.event_time = kTime;
  in.region = "us-east-2";
  in.bucket = "photos";
  in.bucket_owner_id = "A3NL1KOZZKExample";
  in.principal_id = "AWS:AIDAEXAMPLE";
  in.source_ip = "10.0.0.1";
  in.request_id = "27G3KM7SP13ZV8T1";
  in.host_id = "hostid";
  in.configuration_id = "cfg";
  in.object = {"red flower.jpg", 6, "b1946ac92492d2347c6235b4d2611184", "", "0061210AC3681AEE3C"};
  return in;
}

std::optional<awan::AwsError> parse(const json& doc, NotificationConfig& out) {
  return parse_notification_configuration(doc, out);
}

std::string error_code(const json& doc) {
  NotificationConfig c;
  auto err = parse(doc, c);
  return err ? err->code + ": " + err->message : "ok";
}

json queue(std::vector<std::string> events, json filter = nullptr, std::string arn = "arn:aws:sqs:us-east-1:000000000000:q") {
  json c = {{"QueueArn", arn}, {"Events", events}};
  if (!filter.is_null()) c["Filter"] = filter;
  return c;
}

json key_filter(json rules) { return {{"Key", {{"FilterRules", rules}}}}; }

}  // namespace

TEST(EventShapes, PutRecordHasAwsFieldsInOrder) {
  auto r = event_record(put_input());
  EXPECT_EQ(r.dump(),
            R"({"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-2",)"
            R"("eventTime":"2021-08-21T14:16:35.123Z","eventName":"ObjectCreated:Put",)"
            R"("userIdentity":{"principalId":"AWS:AIDAEXAMPLE"},"requestParameters":{"sourceIPAddress":"10.0.0.1"},)"
            R"("responseElements":{"x-amz-request-id":"27G3KM7SP13ZV8T1","x-amz-id-2":"hostid"},)"
            R"("s3":{"s3SchemaVersion":"1.0","configurationId":"cfg","bucket":{"name":"photos",)"
            R"("ownerIdentity":{"principalId":"A3NL1KOZZKExample"},"arn":"arn:aws:s3:::photos"},)"
            R"("object":{"key":"red+flower.jpg","size":6,"eTag":"b1946ac92492d2347c6235b4d2611184",)"
            R"("sequencer":"0061210AC3681AEE3C"}}})");
}

TEST(EventShapes, VersionIdOnlyWhenVersioned) {
  auto in = put_input();
  EXPECT_FALSE(event_record(in)["s3"]["object"].contains("versionId"));
  in.object.version_id = "v1";
  EXPECT_EQ(event_record(in)["s3"]["object"]["versionId"], "v1");
}

TEST(EventShapes, DeleteCarriesNoSizeNorEtag) {
  auto in = put_input();
  in.event_name = "s3:ObjectRemoved:Delete";
  auto o = event_record(in)["s3"]["object"];
  EXPECT_FALSE(o.contains("size"));
  EXPECT_FALSE(o.contains("eTag"));
  EXPECT_EQ(o["sequencer"], "0061210AC3681AEE3C");
  EXPECT_EQ(event_record(in)["eventName"], "ObjectRemoved:Delete");
}

TEST(EventShapes, DeleteMarkerCarriesEmptyEtag) {
  auto in = put_input();
  in.event_name = "s3:ObjectRemoved:DeleteMarkerCreated";
  in.object.version_id = "dm1";
  auto o = event_record(in)["s3"]["object"];
  EXPECT_FALSE(o.contains("size"));
  EXPECT_EQ(o["eTag"], "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(o["versionId"], "dm1");
}

TEST(EventShapes, TaggingEventsAreVersion23WithoutSequencer) {
  auto in = put_input();
  in.event_name = "s3:ObjectTagging:Put";
  auto r = event_record(in);
  EXPECT_EQ(r["eventVersion"], "2.3");
  EXPECT_FALSE(r["s3"]["object"].contains("sequencer"));
  EXPECT_FALSE(r["s3"]["object"].contains("size"));
  EXPECT_TRUE(r["s3"]["object"].contains("eTag"));
}

TEST(EventShapes, EventVersions) {
  EXPECT_EQ(event_version("s3:ObjectCreated:Copy"), "2.1");
  EXPECT_EQ(event_version("ObjectRemoved:Delete"), "2.1");
  EXPECT_EQ(event_version("s3:Replication:OperationFailedReplication"), "2.2");
  EXPECT_EQ(event_version("s3:LifecycleExpiration:Delete"), "2.3");
  EXPECT_EQ(event_version("s3:LifecycleTransition"), "2.3");
  EXPECT_EQ(event_version("s3:ObjectAcl:Put"), "2.3");
  EXPECT_EQ(event_version("s3:ObjectRestore:Delete"), "2.3");
  EXPECT_EQ(event_version("s3:ObjectRestore:Completed"), "2.1");
}

TEST(EventShapes, KeyEncodingIsFormEncoding) {
  EXPECT_EQ(event_key_encode("red flower.jpg"), "red+flower.jpg");
  EXPECT_EQ(event_key_encode("a/b/c.txt"), "a/b/c.txt");
  EXPECT_EQ(event_key_encode("Q3 (2026)=x+y"), "Q3+%282026%29%3Dx%2By");
  EXPECT_EQ(event_key_encode("\xC3\xA9"), "%C3%A9");
}

TEST(EventShapes, MessageWrapsRecords) {
  auto m = event_message({event_record(put_input()), event_record(put_input())});
  ASSERT_TRUE(m["Records"].is_array());
  EXPECT_EQ(m["Records"].size(), 2u);
}

TEST(EventShapes, TestEventMessage) {
  EXPECT_EQ(test_event(kTime, "photos", "RID", "HID").dump(),
            R"({"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2021-08-21T14:16:35.123Z",)"
            R"("Bucket":"photos","RequestId":"RID","HostId":"HID"})");
}

TEST(EventShapes, SequencerIncreasesAndStartsWithSeconds) {
  Sequencer s;
  std::string a = s.next(kTime);
  std::string b = s.next(kTime);
  std::string c = s.next(kTime - std::chrono::seconds(10));
  EXPECT_EQ(a.size(), 18u);
  EXPECT_EQ(a.substr(0, 10), "0061210AC3");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);  // a clock going back never makes it decrease
  EXPECT_EQ(format_sequencer(0x1), "000000000000000001");
}

TEST(EventShapes, WildcardMatching) {
  EXPECT_TRUE(event_matches("s3:ObjectCreated:*", "s3:ObjectCreated:Put"));
  EXPECT_TRUE(event_matches("s3:ObjectCreated:*", "ObjectCreated:CompleteMultipartUpload"));
  EXPECT_TRUE(event_matches("s3:ObjectRemoved:Delete", "s3:ObjectRemoved:Delete"));
  EXPECT_FALSE(event_matches("s3:ObjectRemoved:*", "s3:ObjectCreated:Put"));
  EXPECT_FALSE(event_matches("s3:ObjectCreated:Put", "s3:ObjectCreated:Post"));
  EXPECT_TRUE(event_matches("s3:LifecycleExpiration:*", "s3:LifecycleExpiration:DeleteMarkerCreated"));
}

TEST(Notifications, ValidConfigurationKeepsIdsAndGeneratesMissingOnes) {
  json doc = {{"QueueConfigurations", {queue({"s3:ObjectCreated:*"})}},
              {"TopicConfigurations",
               {{{"Id", "mine"}, {"TopicArn", "arn:aws:sns:us-east-1:000000000000:t"}, {"Events", {"s3:ObjectRemoved:*"}}}}},
              {"EventBridgeConfiguration", json::object()}};
  NotificationConfig c;
  ASSERT_FALSE(parse(doc, c));
  ASSERT_EQ(c.targets.size(), 2u);
  EXPECT_EQ(c.targets[0].kind, DestinationKind::Topic);
  EXPECT_EQ(c.targets[0].id, "mine");
  EXPECT_FALSE(c.targets[1].id.empty());
  EXPECT_TRUE(c.event_bridge);
  NotificationConfig again;
  ASSERT_FALSE(parse(doc, again));
  EXPECT_NE(again.targets[1].id, c.targets[1].id);
}

TEST(Notifications, EmptyDocumentClearsConfiguration) {
  NotificationConfig c;
  ASSERT_FALSE(parse(json::object(), c));
  EXPECT_TRUE(c.empty());
}

TEST(Notifications, UnknownEventIsInvalidArgument) {
  NotificationConfig c;
  auto err = parse({{"QueueConfigurations", {queue({"s3:ObjectCreated:Foo"})}}}, c);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, "InvalidArgument");
  EXPECT_EQ(err->message, "The event is not supported for notifications");
  EXPECT_EQ((*err->details)["ArgumentValue"], "s3:ObjectCreated:Foo");
}

TEST(Notifications, ShapeErrorsAreMalformedXml) {
  EXPECT_EQ(error_code({{"QueueConfigurations", {{{"Events", {"s3:ObjectCreated:*"}}}}}}).substr(0, 12), "MalformedXML");
  EXPECT_EQ(error_code({{"QueueConfigurations", {{{"QueueArn", "arn:aws:sqs:r:1:q"}}}}}).substr(0, 12), "MalformedXML");
  EXPECT_EQ(error_code({{"QueueConfigurations", {queue({})}}}).substr(0, 12), "MalformedXML");
  EXPECT_EQ(error_code({{"QueueConfigurations", "x"}}).substr(0, 12), "MalformedXML");
  EXPECT_EQ(error_code(json::array()).substr(0, 12), "MalformedXML");
  EXPECT_EQ(error_code({{"QueueConfigurations", {queue({"s3:ObjectCreated:*"}, key_filter({{{"Name", "prefix"}}}))}}})
                .substr(0, 12),
            "MalformedXML");
}

TEST(Notifications, ArnOfAnotherServiceIsRefused) {
  NotificationConfig c;
  auto err = parse({{"QueueConfigurations", {queue({"s3:ObjectCreated:*"}, nullptr, "arn:aws:sns:us-east-1:1:t")}}}, c);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "The ARN could not be parsed");
  EXPECT_EQ((*err->details)["ArgumentName"], "QueueArn");
  EXPECT_EQ(error_code({{"QueueConfigurations", {queue({"s3:ObjectCreated:*"}, nullptr, "arn:aws:sqs:")}}}),
            "InvalidArgument: The ARN could not be parsed");
}

TEST(Notifications, FilterRuleNames) {
  EXPECT_EQ(error_code({{"QueueConfigurations", {queue({"s3:ObjectCreated:*"}, key_filter({{{"Name", "middle"}, {"Value", "x"}}}))}}}),
            "InvalidArgument: filter rule name must be either prefix or suffix");
  EXPECT_EQ(error_code({{"QueueConfigurations",
                         {queue({"s3:ObjectCreated:*"},
                                key_filter({{{"Name", "prefix"}, {"Value", "a"}}, {{"Name", "Prefix"}, {"Value", "b"}}}))}}}),
            "InvalidArgument: Cannot specify more than one prefix rule in a filter.");
  EXPECT_EQ(error_code({{"QueueConfigurations",
                         {queue({"s3:ObjectCreated:*"},
                                key_filter({{{"Name", "suffix"}, {"Value", "a"}}, {{"Name", "suffix"}, {"Value", "b"}}}))}}}),
            "InvalidArgument: Cannot specify more than one suffix rule in a filter.");
  EXPECT_EQ(error_code({{"QueueConfigurations",
                         {queue({"s3:ObjectCreated:*"}, key_filter({{{"Name", "prefix"}, {"Value", std::string(1025, 'a')}}}))}}}),
            "InvalidArgument: Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation");
}

TEST(Notifications, OverlappingConfigurations) {
  const std::string overlap =
      "InvalidArgument: Configurations overlap. Configurations on the same bucket cannot share a common event type.";
  // same event, no filters
  EXPECT_EQ(error_code({{"QueueConfigurations", {queue({"s3:ObjectCreated:Put"}), queue({"s3:ObjectCreated:Put"})}}}),
            overlap);
  // wildcard against a specific event, across destination kinds
  EXPECT_EQ(error_code({{"QueueConfigurations", {queue({"s3:ObjectCreated:*"})}},
                        {"TopicConfigurations",
                         {{{"TopicArn", "arn:aws:sns:us-east-1:1:t"}, {"Events", {"s3:ObjectCreated:Copy"}}}}}}),
            overlap);
  // prefix nested in another prefix
  EXPECT_EQ(error_code({{"QueueConfigurations",
                         {queue({"s3:ObjectCreated:*"}, key_filter({{{"Name", "prefix"}, {"Value", "images/"}}})),
                          queue({"s3:ObjectCreated:*"}, key_filter({{{"Name", "prefix"}, {"Value", "images/2024/"}}}))}}}),
            overlap);
  // a prefix-only and a suffix-only rule can match the same key
  EXPECT_EQ(error_code({{"QueueConfigurations",
                         {queue({"s3:ObjectCreated:*"}, key_filter({{{"Name", "prefix"}, {"Value", "images/"}}})),
                          queue({"s3:ObjectCreated:*"}, key_filter({{{"Name", "suffix"}, {"Value", ".jpg"}}}))}}}),
            overlap);
}

TEST(Notifications, NonOverlappingConfigurationsAreAccepted) {
  EXPECT_EQ(error_code({{"QueueConfigurations", {queue({"s3:ObjectCreated:*"}), queue({"s3:ObjectRemoved:*"})}}}), "ok");
  EXPECT_EQ(error_code({{"QueueConfigurations",
                         {queue({"s3:ObjectCreated:*"}, key_filter({{{"Name", "prefix"}, {"Value", "images/"}}})),
                          queue({"s3:ObjectCreated:*"}, key_filter({{{"Name", "prefix"}, {"Value", "videos/"}}}))}}}),
            "ok");
  EXPECT_EQ(error_code({{"QueueConfigurations",
                         {queue({"s3:ObjectCreated:*"}, key_filter({{{"Name", "suffix"}, {"Value", ".jpg"}}})),
                          queue({"s3:ObjectCreated:*"}, key_filter({{{"Name", "suffix"}, {"Value", ".png"}}}))}}}),
            "ok");
  EXPECT_EQ(error_code({{"QueueConfigurations", {queue({"s3:ObjectCreated:Put"}), queue({"s3:ObjectCreated:Post"})}}}), "ok");
}

TEST(Notifications, DocumentRoundTrip) {
  json doc = {{"LambdaFunctionConfigurations",
               {{{"Id", "f"},
                 {"LambdaFunctionArn", "arn:aws:lambda:us-east-1:000000000000:function:fn"},
                 {"Events", {"s3:ObjectCreated:*"}},
                 {"Filter", key_filter({{{"Name", "suffix"}, {"Value", ".csv"}}, {{"Name", "prefix"}, {"Value", "in/"}}})}}}}};
  NotificationConfig c;
  ASSERT_FALSE(parse(doc, c));
  json out = notification_configuration_document(c);
  json expected = {{"LambdaFunctionConfigurations",
                    {{{"Id", "f"},
                      {"LambdaFunctionArn", "arn:aws:lambda:us-east-1:000000000000:function:fn"},
                      {"Events", {"s3:ObjectCreated:*"}},
                      {"Filter", key_filter({{{"Name", "Prefix"}, {"Value", "in/"}}, {{"Name", "Suffix"}, {"Value", ".csv"}}})}}}}};
  EXPECT_EQ(out, expected);
}

TEST(Notifications, MatchingTargets) {
  json doc = {{"QueueConfigurations",
               {queue({"s3:ObjectCreated:*"}, key_filter({{{"Name", "prefix"}, {"Value", "in/"}}, {{"Name", "suffix"}, {"Value", ".csv"}}})),
                queue({"s3:ObjectRemoved:Delete"})}}};
  NotificationConfig c;
  ASSERT_FALSE(parse(doc, c));
  EXPECT_EQ(matching_targets(c, "s3:ObjectCreated:Put", "in/store.csv").size(), 1u);
  EXPECT_TRUE(matching_targets(c, "s3:ObjectCreated:Put", "in/store.txt").empty());
  EXPECT_TRUE(matching_targets(c, "s3:ObjectCreated:Put", "out/store.csv").empty());
  EXPECT_TRUE(matching_targets(c, "s3:ObjectRemoved:DeleteMarkerCreated", "in/store.csv").empty());
  auto hit = matching_targets(c, "s3:ObjectRemoved:Delete", "anything");
  ASSERT_EQ(hit.size(), 1u);
  EXPECT_EQ(hit[0], &c.targets[1]);
}
