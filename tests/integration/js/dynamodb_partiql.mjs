// DynamoDB PartiQL, table management and tags through the AWS SDK for JavaScript v3 (newest),
// against AWAN_ENDPOINT: ExecuteStatement (parameters, pagination, modelled errors),
// BatchExecuteStatement (per-statement errors), ExecuteTransaction (cancellation reasons),
// ListTables pagination, UpdateTable, TagResource / ListTagsOfResource / UntagResource.
import assert from "node:assert/strict";
import {
  DynamoDBClient, CreateTableCommand, DeleteTableCommand, ListTablesCommand, UpdateTableCommand, DescribeTableCommand,
  ExecuteStatementCommand, BatchExecuteStatementCommand, ExecuteTransactionCommand, GetItemCommand,
  TagResourceCommand, UntagResourceCommand, ListTagsOfResourceCommand, paginateListTables,
  DuplicateItemException, ConditionalCheckFailedException, TransactionCanceledException, ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";

const endpoint = process.env.AWAN_ENDPOINT;
const ddb = new DynamoDBClient({
  endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1,
});

async function rejects(promise, cls, check) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls?.name}, got ${e.name}: ${e.message}`);
    assert.equal(e.$metadata.httpStatusCode, 400);
    if (check) check(e);
    return e;
  }
  assert.fail(`expected ${cls?.name}`);
}

const keyed = (name) => ({
  TableName: name, BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [{ AttributeName: "Artist", AttributeType: "S" }, { AttributeName: "Song", AttributeType: "S" }],
  KeySchema: [{ AttributeName: "Artist", KeyType: "HASH" }, { AttributeName: "Song", KeyType: "RANGE" }],
});
const created = await ddb.send(new CreateTableCommand(keyed("JsPartiql")));
const arn = created.TableDescription.TableArn;
for (const n of ["JsT1", "JsT2", "JsT3"]) await ddb.send(new CreateTableCommand(keyed(n)));

// ---- ExecuteStatement ----
await ddb.send(new ExecuteStatementCommand({
  Statement: "INSERT INTO JsPartiql VALUE {'Artist': ?, 'Song': ?, 'Plays': ?}",
  Parameters: [{ S: "A" }, { S: "One" }, { N: "3" }],
}));
await rejects(ddb.send(new ExecuteStatementCommand({
  Statement: "INSERT INTO JsPartiql VALUE {'Artist': 'A', 'Song': 'One'}",
})), DuplicateItemException, (e) => assert.equal(e.message, "Duplicate primary key exists in table"));
await rejects(ddb.send(new ExecuteStatementCommand({
  Statement: "UPDATE JsPartiql SET Plays = 1 WHERE Artist = 'B' AND Song = 'None'",
})), ConditionalCheckFailedException);
await rejects(ddb.send(new ExecuteStatementCommand({ Statement: "SELEKT * FROM JsPartiql" })), Error,
  (e) => {
    assert.equal(e.name, "ValidationException");
    assert.equal(e.message, "Statement wasn't well formed, can't be processed: Expected data manipulation");
  });
await rejects(ddb.send(new ExecuteStatementCommand({ Statement: "SELECT * FROM Nope" })), ResourceNotFoundException);

await ddb.send(new ExecuteStatementCommand({ Statement: "UPDATE JsPartiql SET Plays = Plays + 2 WHERE Artist = 'A' AND Song = 'One'" }));
const sel = await ddb.send(new ExecuteStatementCommand({ Statement: "SELECT Plays FROM JsPartiql WHERE Artist = 'A'" }));
assert.deepEqual(sel.Items, [{ Plays: { N: "5" } }]);

for (let i = 0; i < 5; i++) {
  await ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO JsPartiql VALUE {'Artist': 'P', 'Song': 's${i}'}` }));
}
const seen = [];
let NextToken;
let pages = 0;
do {
  const page = await ddb.send(new ExecuteStatementCommand({
    Statement: "SELECT Song FROM JsPartiql WHERE Artist = 'P'", Limit: 2, NextToken,
  }));
  pages++;
  seen.push(...page.Items.map((i) => i.Song.S));
  NextToken = page.NextToken;
} while (NextToken);
assert.equal(pages, 3);
assert.deepEqual(seen, ["s0", "s1", "s2", "s3", "s4"]);

// ---- BatchExecuteStatement: errors per statement, not for the call ----
const batch = await ddb.send(new BatchExecuteStatementCommand({
  Statements: [
    { Statement: "INSERT INTO JsPartiql VALUE {'Artist': 'A', 'Song': 'Two'}" },
    { Statement: "INSERT INTO JsPartiql VALUE {'Artist': 'A', 'Song': 'One'}" },
    { Statement: "DELETE FROM JsPartiql WHERE Artist = 'P' AND Song = ?", Parameters: [{ S: "s0" }] },
  ],
}));
assert.equal(batch.Responses.length, 3);
assert.equal(batch.Responses[0].Error, undefined);
assert.equal(batch.Responses[1].Error.Code, "DuplicateItem");
assert.equal(batch.Responses[2].Error, undefined);
const gone = await ddb.send(new GetItemCommand({ TableName: "JsPartiql", Key: { Artist: { S: "P" }, Song: { S: "s0" } } }));
assert.equal(gone.Item, undefined);

// ---- ExecuteTransaction: all or nothing, with reasons ----
const cancelled = await rejects(ddb.send(new ExecuteTransactionCommand({
  TransactStatements: [
    { Statement: "INSERT INTO JsPartiql VALUE {'Artist': 'T', 'Song': 'new'}" },
    { Statement: "INSERT INTO JsPartiql VALUE {'Artist': 'A', 'Song': 'One'}" },
  ],
})), TransactionCanceledException);
assert.deepEqual(cancelled.CancellationReasons.map((r) => r.Code), ["None", "DuplicateItem"]);
const notWritten = await ddb.send(new GetItemCommand({ TableName: "JsPartiql", Key: { Artist: { S: "T" }, Song: { S: "new" } } }));
assert.equal(notWritten.Item, undefined);
const tx = await ddb.send(new ExecuteTransactionCommand({
  TransactStatements: [
    { Statement: "EXISTS(SELECT * FROM JsPartiql WHERE Artist = 'A' AND Song = 'One' AND Plays = 5)" },
    { Statement: "INSERT INTO JsPartiql VALUE {'Artist': 'T', 'Song': 'new'}" },
  ],
  ClientRequestToken: "js-token-1",
}));
assert.equal(tx.Responses.length, 2);

// ---- ListTables pagination ----
const first = await ddb.send(new ListTablesCommand({ Limit: 2 }));
assert.deepEqual(first.TableNames, ["JsPartiql", "JsT1"]);
assert.equal(first.LastEvaluatedTableName, "JsT1");
const names = [];
for await (const page of paginateListTables({ client: ddb, pageSize: 2 }, {})) names.push(...page.TableNames);
assert.deepEqual(names.filter((n) => n.startsWith("Js")), ["JsPartiql", "JsT1", "JsT2", "JsT3"]);

// ---- UpdateTable ----
const upd = await ddb.send(new UpdateTableCommand({
  TableName: "JsT1", BillingMode: "PROVISIONED", ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 7 },
}));
assert.equal(upd.TableDescription.ProvisionedThroughput.WriteCapacityUnits, 7);
const desc = await ddb.send(new DescribeTableCommand({ TableName: "JsT1" }));
assert.equal(desc.Table.BillingModeSummary.BillingMode, "PROVISIONED");
assert.equal(desc.Table.ProvisionedThroughput.ReadCapacityUnits, 5);

// ---- Tags ----
await ddb.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "env", Value: "test" }, { Key: "team", Value: "x" }] }));
let tags = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
assert.deepEqual(tags.Tags.map((t) => t.Key).sort(), ["env", "team"]);
await ddb.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["team"] }));
tags = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
assert.deepEqual(tags.Tags, [{ Key: "env", Value: "test" }]);

for (const n of ["JsPartiql", "JsT1", "JsT2", "JsT3"]) await ddb.send(new DeleteTableCommand({ TableName: n }));
console.log("ok");
