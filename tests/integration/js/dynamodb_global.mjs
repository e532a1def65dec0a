// DynamoDB global tables (version 2019.11.21) through the AWS SDK for JavaScript v3, against
// AWAN_ENDPOINT: a replica is created, writes reach the other region, the replica is deleted.
import assert from "node:assert/strict";
import {
  DynamoDBClient, CreateTableCommand, UpdateTableCommand, DescribeTableCommand, PutItemCommand, GetItemCommand,
} from "@aws-sdk/client-dynamodb";

const endpoint = process.env.AWAN_ENDPOINT;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const east = new DynamoDBClient({ endpoint, region: "us-east-1", credentials });
const west = new DynamoDBClient({ endpoint, region: "eu-west-1", credentials });
const until = async (check) => {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("timed out");
};
const replicas = async () => (await east.send(new DescribeTableCommand({ TableName: "JsGlobal" }))).Table.Replicas ?? [];

await east.send(new CreateTableCommand({
  TableName: "JsGlobal",
  KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
  AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
  BillingMode: "PAY_PER_REQUEST",
}));
const up = await east.send(new UpdateTableCommand({
  TableName: "JsGlobal", ReplicaUpdates: [{ Create: { RegionName: "eu-west-1" } }],
}));
assert.equal(up.TableDescription.GlobalTableVersion, "2019.11.21");
await until(async () => (await replicas()).some((r) => r.ReplicaStatus === "ACTIVE"));

await east.send(new PutItemCommand({ TableName: "JsGlobal", Item: { id: { S: "1" }, v: { S: "east" } } }));
await until(async () => (await west.send(new GetItemCommand({ TableName: "JsGlobal", Key: { id: { S: "1" } } }))).Item);
await west.send(new PutItemCommand({ TableName: "JsGlobal", Item: { id: { S: "2" }, v: { S: "west" } } }));
await until(async () => (await east.send(new GetItemCommand({ TableName: "JsGlobal", Key: { id: { S: "2" } } }))).Item);
const w = await west.send(new DescribeTableCommand({ TableName: "JsGlobal" }));
assert.deepEqual(w.Table.Replicas.map((r) => r.RegionName), ["us-east-1"]);

await east.send(new UpdateTableCommand({ TableName: "JsGlobal", ReplicaUpdates: [{ Delete: { RegionName: "eu-west-1" } }] }));
await until(async () => (await replicas()).length === 0);
console.log("ok");
