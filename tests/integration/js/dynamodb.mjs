// DynamoDB through the AWS SDK for JavaScript v3 (newest), against AWAN_ENDPOINT: the SDK
// parses errors strictly and exposes modelled error members (Item, CancellationReasons).
import assert from "node:assert/strict";
import {
  DynamoDBClient, CreateTableCommand, DescribeTableCommand, DeleteTableCommand, PutItemCommand, GetItemCommand,
  UpdateItemCommand, DeleteItemCommand, QueryCommand, ScanCommand, BatchWriteItemCommand, BatchGetItemCommand,
  TransactWriteItemsCommand, TransactGetItemsCommand, paginateQuery, paginateScan, waitUntilTableExists,
  ConditionalCheckFailedException, TransactionCanceledException, ResourceNotFoundException, ResourceInUseException,
} from "@aws-sdk/client-dynamodb";

const endpoint = process.env.AWAN_ENDPOINT;
const ddb = new DynamoDBClient({
  endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1,
});
const TableName = "JsMusic";

async function rejects(promise, cls, check) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e.name}: ${e.message}`);
    assert.equal(e.$metadata.httpStatusCode, 400);
    if (check) check(e);
    return e;
  }
  assert.fail(`expected ${cls.name}`);
}

const created = await ddb.send(new CreateTableCommand({
  TableName, BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [{ AttributeName: "Artist", AttributeType: "S" }, { AttributeName: "Song", AttributeType: "S" },
    { AttributeName: "Year", AttributeType: "N" }],
  KeySchema: [{ AttributeName: "Artist", KeyType: "HASH" }, { AttributeName: "Song", KeyType: "RANGE" }],
  LocalSecondaryIndexes: [{
    IndexName: "ByYear", Projection: { ProjectionType: "ALL" },
    KeySchema: [{ AttributeName: "Artist", KeyType: "HASH" }, { AttributeName: "Year", KeyType: "RANGE" }],
  }],
}));
assert.equal(created.TableDescription.TableStatus, "CREATING");
assert.ok(created.TableDescription.CreationDateTime instanceof Date);
await waitUntilTableExists({ client: ddb, minDelay: 1, maxWaitTime: 10 }, { TableName });
await rejects(ddb.send(new CreateTableCommand({
  TableName, BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [{ AttributeName: "k", AttributeType: "S" }],
  KeySchema: [{ AttributeName: "k", KeyType: "HASH" }],
})), ResourceInUseException, (e) => assert.equal(e.message, `Table already exists: ${TableName}`));
await rejects(ddb.send(new DescribeTableCommand({ TableName: "Nope" })), ResourceNotFoundException,
  (e) => assert.equal(e.message, "Requested resource not found: Table: Nope not found"));

// Items.
const song = (artist, title, extra = {}) => ({ Artist: { S: artist }, Song: { S: title }, ...extra });
await ddb.send(new PutItemCommand({ TableName, Item: song("a", "s1", { Year: { N: "2001" }, Plays: { N: "1" } }) }));
const got = await ddb.send(new GetItemCommand({ TableName, Key: song("a", "s1"), ConsistentRead: true }));
assert.deepEqual(got.Item, song("a", "s1", { Year: { N: "2001" }, Plays: { N: "1" } }));
const upd = await ddb.send(new UpdateItemCommand({
  TableName, Key: song("a", "s1"), UpdateExpression: "ADD Plays :one", ExpressionAttributeValues: { ":one": { N: "1" } },
  ReturnValues: "ALL_NEW", ReturnItemCollectionMetrics: "SIZE",
}));
assert.deepEqual(upd.Attributes.Plays, { N: "2" });
assert.deepEqual(upd.ItemCollectionMetrics.ItemCollectionKey, { Artist: { S: "a" } });
assert.equal(upd.ItemCollectionMetrics.SizeEstimateRangeGB.length, 2);

// ConditionalCheckFailedException exposes the item with ReturnValuesOnConditionCheckFailure=ALL_OLD.
await rejects(ddb.send(new PutItemCommand({
  TableName, Item: song("a", "s1"), ConditionExpression: "attribute_not_exists(Artist)",
  ReturnValuesOnConditionCheckFailure: "ALL_OLD",
})), ConditionalCheckFailedException, (e) => {
  assert.equal(e.message, "The conditional request failed");
  assert.deepEqual(e.Item, song("a", "s1", { Year: { N: "2001" }, Plays: { N: "2" } }));
});
await rejects(ddb.send(new DeleteItemCommand({
  TableName, Key: song("a", "s1"), ConditionExpression: "Plays > :n", ExpressionAttributeValues: { ":n": { N: "5" } },
})), ConditionalCheckFailedException, (e) => assert.equal(e.Item, undefined));

// Validation errors arrive as ValidationException with AWS's text.
await rejects(ddb.send(new GetItemCommand({ TableName, Key: { Artist: { S: "a" } } })), Error, (e) => {
  assert.equal(e.name, "ValidationException");
  assert.equal(e.message, "The provided key element does not match the schema");
});
await rejects(ddb.send(new GetItemCommand({ TableName: "Nope", Key: song("a", "b") })), ResourceNotFoundException);

// Batches and pagination.
for (let i = 0; i < 4; i++) {
  const RequestItems = { [TableName]: [] };
  for (let j = 0; j < 25; j++) {
    const n = i * 25 + j;
    RequestItems[TableName].push({ PutRequest: { Item: song("p", `s${String(n).padStart(3, "0")}`, { Year: { N: String(1900 + n) } }) } });
  }
  const out = await ddb.send(new BatchWriteItemCommand({ RequestItems }));
  assert.deepEqual(out.UnprocessedItems, {});
}
let pages = 0, count = 0;
for await (const page of paginateQuery({ client: ddb, pageSize: 30 }, {
  TableName, KeyConditionExpression: "Artist = :a", ExpressionAttributeValues: { ":a": { S: "p" } },
})) {
  pages++;
  count += page.Count;
}
assert.equal(count, 100);
assert.equal(pages, 4);
const lsi = await ddb.send(new QueryCommand({
  TableName, IndexName: "ByYear", KeyConditionExpression: "Artist = :a AND #y BETWEEN :lo AND :hi",
  ExpressionAttributeNames: { "#y": "Year" }, ExpressionAttributeValues: { ":a": { S: "p" }, ":lo": { N: "1910" }, ":hi": { N: "1919" } },
  ScanIndexForward: false,
}));
assert.equal(lsi.Count, 10);
assert.deepEqual(lsi.Items[0].Year, { N: "1919" });
let scanned = 0;
for await (const page of paginateScan({ client: ddb, pageSize: 40 }, { TableName })) scanned += page.Count;
assert.equal(scanned, 101);
const scanOne = await ddb.send(new ScanCommand({ TableName, Select: "COUNT" }));
assert.equal(scanOne.Count, 101);
const batch = await ddb.send(new BatchGetItemCommand({
  RequestItems: { [TableName]: { Keys: [song("p", "s000"), song("p", "s099"), song("zz", "none")] } },
}));
assert.equal(batch.Responses[TableName].length, 2);
assert.deepEqual(batch.UnprocessedKeys, {});

// Transactions: CancellationReasons on the exception.
await ddb.send(new TransactWriteItemsCommand({
  TransactItems: [
    { Put: { TableName, Item: song("t", "1"), ConditionExpression: "attribute_not_exists(Artist)" } },
    { Update: { TableName, Key: song("a", "s1"), UpdateExpression: "SET Tagged = :t", ExpressionAttributeValues: { ":t": { BOOL: true } } } },
  ],
}));
const tget = await ddb.send(new TransactGetItemsCommand({
  TransactItems: [{ Get: { TableName, Key: song("t", "1") } }, { Get: { TableName, Key: song("a", "s1"), ProjectionExpression: "Tagged" } }],
}));
assert.deepEqual(tget.Responses.map((r) => r.Item), [song("t", "1"), { Tagged: { BOOL: true } }]);
await rejects(ddb.send(new TransactWriteItemsCommand({
  TransactItems: [
    { Put: { TableName, Item: song("t", "1"), ConditionExpression: "attribute_not_exists(Artist)", ReturnValuesOnConditionCheckFailure: "ALL_OLD" } },
    { Delete: { TableName, Key: song("a", "s1") } },
  ],
})), TransactionCanceledException, (e) => {
  assert.equal(e.message, "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]");
  assert.deepEqual(e.CancellationReasons, [
    { Code: "ConditionalCheckFailed", Message: "The conditional request failed", Item: song("t", "1") },
    { Code: "None" },
  ]);
});

const deleted = await ddb.send(new DeleteTableCommand({ TableName }));
assert.equal(deleted.TableDescription.TableStatus, "DELETING");
console.log("ok");
