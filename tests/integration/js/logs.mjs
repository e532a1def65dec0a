// CloudWatch Logs through the AWS SDK for JavaScript v3 (newest): groups, streams, events, the
// GetLogEvents and FilterLogEvents paginators, and error classes.
import assert from "node:assert/strict";
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand,
  DescribeLogGroupsCommand, FilterLogEventsCommand, ResourceAlreadyExistsException, ResourceNotFoundException,
  paginateGetLogEvents, paginateFilterLogEvents,
} from "@aws-sdk/client-cloudwatch-logs";

const endpoint = process.env.AWAN_ENDPOINT;
const logs = new CloudWatchLogsClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });

await logs.send(new CreateLogGroupCommand({ logGroupName: "js-group", logGroupClass: "STANDARD" }));
await assert.rejects(logs.send(new CreateLogGroupCommand({ logGroupName: "js-group" })), ResourceAlreadyExistsException);
await logs.send(new CreateLogStreamCommand({ logGroupName: "js-group", logStreamName: "s" }));
const t = Date.now();
const put = await logs.send(new PutLogEventsCommand({
  logGroupName: "js-group", logStreamName: "s",
  logEvents: Array.from({ length: 25 }, (_, i) => ({ timestamp: t + i, message: `event ${i}` })),
}));
assert.equal(put.nextSequenceToken.length, 56);

const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "js-" }));
assert.equal(logGroups[0].logGroupArn, "arn:aws:logs:us-east-1:000000000000:log-group:js-group");
assert.equal(logGroups[0].arn, "arn:aws:logs:us-east-1:000000000000:log-group:js-group:*");
assert.equal(logGroups[0].logGroupClass, "STANDARD");

const seen = [];
// As against AWS, the GetLogEvents paginator needs stopOnSameToken to end.
for await (const page of paginateGetLogEvents({ client: logs, pageSize: 10, stopOnSameToken: true }, { logGroupName: "js-group", logStreamName: "s", startFromHead: true })) {
  seen.push(...page.events.map((e) => e.message));
}
assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => `event ${i}`));

const filtered = [];
for await (const page of paginateFilterLogEvents({ client: logs, pageSize: 3 }, { logGroupName: "js-group", filterPattern: "\"event 1\"" })) {
  filtered.push(...page.events.map((e) => e.message));
}
assert.deepEqual(filtered, ["event 1", ...Array.from({ length: 10 }, (_, i) => `event 1${i}`)]);

await assert.rejects(logs.send(new FilterLogEventsCommand({ logGroupName: "nope" })), ResourceNotFoundException);
console.log("ok");
