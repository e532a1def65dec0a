// DynamoDB Streams through the AWS SDK for JavaScript v3, against AWAN_ENDPOINT.
import assert from "node:assert/strict";
import {
  DynamoDBClient, CreateTableCommand, PutItemCommand, DeleteItemCommand, UpdateItemCommand, DescribeTableCommand,
  UpdateTimeToLiveCommand, UpdateContinuousBackupsCommand, DescribeContinuousBackupsCommand,
  RestoreTableToPointInTimeCommand, CreateBackupCommand, RestoreTableFromBackupCommand, ScanCommand,
} from "@aws-sdk/client-dynamodb";
import {
  DynamoDBStreamsClient, ListStreamsCommand, DescribeStreamCommand, GetShardIteratorCommand, GetRecordsCommand,
} from "@aws-sdk/client-dynamodb-streams";

const endpoint = process.env.AWAN_ENDPOINT;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const ddb = new DynamoDBClient({ endpoint, region: "us-east-1", credentials });
const streams = new DynamoDBStreamsClient({ endpoint, region: "us-east-1", credentials });

const created = await ddb.send(new CreateTableCommand({
  TableName: "JsStream",
  KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
  AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
  BillingMode: "PAY_PER_REQUEST",
  StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
}));
const arn = created.TableDescription.LatestStreamArn;
assert.ok(arn.includes(":table/JsStream/stream/"));
const desc = await ddb.send(new DescribeTableCommand({ TableName: "JsStream" }));
assert.equal(desc.Table.LatestStreamArn, arn);

const listed = await streams.send(new ListStreamsCommand({ TableName: "JsStream" }));
assert.deepEqual(listed.Streams.map((s) => s.StreamArn), [arn]);
const sd = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
assert.equal(sd.StreamDescription.StreamStatus, "ENABLED");
const shardId = sd.StreamDescription.Shards[0].ShardId;
const iter = async (type, seq) => (await streams.send(new GetShardIteratorCommand({
  StreamArn: arn, ShardId: shardId, ShardIteratorType: type, SequenceNumber: seq,
}))).ShardIterator;

const horizon = await iter("TRIM_HORIZON");
await ddb.send(new PutItemCommand({ TableName: "JsStream", Item: { id: { S: "1" }, n: { N: "1" } } }));
await ddb.send(new PutItemCommand({ TableName: "JsStream", Item: { id: { S: "1" }, n: { N: "1" } } }));  // no change
await ddb.send(new UpdateItemCommand({
  TableName: "JsStream", Key: { id: { S: "1" } }, UpdateExpression: "ADD n :one",
  ExpressionAttributeValues: { ":one": { N: "1" } },
}));
await ddb.send(new DeleteItemCommand({ TableName: "JsStream", Key: { id: { S: "1" } } }));

const out = await streams.send(new GetRecordsCommand({ ShardIterator: horizon }));
assert.deepEqual(out.Records.map((r) => r.eventName), ["INSERT", "MODIFY", "REMOVE"]);
const [ins, mod, rem] = out.Records;
assert.equal(ins.eventSource, "aws:dynamodb");
assert.ok(ins.dynamodb.ApproximateCreationDateTime instanceof Date);
assert.deepEqual(ins.dynamodb.Keys, { id: { S: "1" } });
assert.deepEqual(mod.dynamodb.OldImage.n, { N: "1" });
assert.deepEqual(mod.dynamodb.NewImage.n, { N: "2" });
assert.equal(rem.dynamodb.NewImage, undefined);
assert.ok(out.NextShardIterator);

const seq = mod.dynamodb.SequenceNumber;
const at = await streams.send(new GetRecordsCommand({ ShardIterator: await iter("AT_SEQUENCE_NUMBER", seq) }));
assert.deepEqual(at.Records.map((r) => r.eventName), ["MODIFY", "REMOVE"]);
const after = await streams.send(new GetRecordsCommand({ ShardIterator: await iter("AFTER_SEQUENCE_NUMBER", seq) }));
assert.deepEqual(after.Records.map((r) => r.eventName), ["REMOVE"]);
const latest = await streams.send(new GetRecordsCommand({ ShardIterator: await iter("LATEST") }));
assert.equal(latest.Records.length, 0);

await assert.rejects(
  streams.send(new GetRecordsCommand({ ShardIterator: "bogus" })),
  (e) => e.name === "ValidationException",
);

// TTL: an expired item is deleted by POST /_awan/dynamodb/expire, with a service REMOVE record.
await ddb.send(new UpdateTimeToLiveCommand({
  TableName: "JsStream", TimeToLiveSpecification: { Enabled: true, AttributeName: "exp" },
}));
const now = Math.floor(Date.now() / 1000);
await ddb.send(new PutItemCommand({ TableName: "JsStream", Item: { id: { S: "old" }, exp: { N: String(now - 5) } } }));
await ddb.send(new PutItemCommand({ TableName: "JsStream", Item: { id: { S: "new" }, exp: { N: String(now + 3600) } } }));
const beforeSweep = await iter("LATEST");
const swept = await (await fetch(`${endpoint}/_awan/dynamodb/expire`, { method: "POST", headers: { "Content-Type": "application/json" } })).json();
assert.equal(swept.deleted, 1);
const ttlRecs = (await streams.send(new GetRecordsCommand({ ShardIterator: beforeSweep }))).Records;
assert.equal(ttlRecs.length, 1);
assert.equal(ttlRecs[0].eventName, "REMOVE");
assert.deepEqual(ttlRecs[0].userIdentity, { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" });

// PITR and backups
const ids = async (table) => (await ddb.send(new ScanCommand({ TableName: table }))).Items.map((i) => i.id.S).sort();
await ddb.send(new UpdateContinuousBackupsCommand({
  TableName: "JsStream", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
}));
const cb = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: "JsStream" }));
assert.equal(cb.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus, "ENABLED");
const backup = (await ddb.send(new CreateBackupCommand({ TableName: "JsStream", BackupName: "js-backup" })))
  .BackupDetails.BackupArn;
await ddb.send(new PutItemCommand({ TableName: "JsStream", Item: { id: { S: "later" } } }));
await ddb.send(new RestoreTableFromBackupCommand({ TargetTableName: "JsFromBackup", BackupArn: backup }));
assert.deepEqual(await ids("JsFromBackup"), ["new"]);
await ddb.send(new RestoreTableToPointInTimeCommand({
  SourceTableName: "JsStream", TargetTableName: "JsLatest", UseLatestRestorableTime: true,
}));
assert.deepEqual(await ids("JsLatest"), ["later", "new"]);
await assert.rejects(
  ddb.send(new RestoreTableToPointInTimeCommand({
    SourceTableName: "JsStream", TargetTableName: "JsOld", RestoreDateTime: new Date(Date.UTC(2020, 0, 1)),
  })),
  (e) => e.name === "InvalidRestoreTimeException",
);
console.log("ok");
