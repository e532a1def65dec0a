// SNS through the AWS SDK for JavaScript v3 (newest, awsQuery): topics, a filtered fan-out to
// SQS queues (served over SQS's JSON protocol), batches, a FIFO topic and error codes.
import assert from "node:assert/strict";
import {
  SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand, PublishBatchCommand,
  ListSubscriptionsByTopicCommand, GetTopicAttributesCommand, NotFoundException, InvalidParameterException,
} from "@aws-sdk/client-sns";
import {
  SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";

const endpoint = process.env.AWAN_ENDPOINT;
const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const sns = new SNSClient(config);
const sqs = new SQSClient(config);

async function queue(name, attrs = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attrs }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

async function receive(url, n) {
  const got = [];
  for (let i = 0; i < 20 && got.length < n; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ["All"],
    }));
    got.push(...(r.Messages ?? []));
  }
  return got;
}

const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "js-topic", Tags: [{ Key: "k", Value: "v" }] }));
assert.equal(TopicArn, "arn:aws:sns:us-east-1:000000000000:js-topic");
const all = await queue("js-all");
const only = await queue("js-only-berlin");
await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: all.arn }));
await sns.send(new SubscribeCommand({
  TopicArn, Protocol: "sqs", Endpoint: only.arn, ReturnSubscriptionArn: true,
  Attributes: { RawMessageDelivery: "true", FilterPolicy: JSON.stringify({ store: [{ "equals-ignore-case": "berlin" }] }) },
}));
const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
assert.equal(subs.Subscriptions.length, 2);

await sns.send(new PublishCommand({
  TopicArn, Message: "Berlin is out of stock of socks", Subject: "Inventory Alert!",
  MessageAttributes: { store: { DataType: "String", StringValue: "BERLIN" } },
}));
const batch = await sns.send(new PublishBatchCommand({
  TopicArn, PublishBatchRequestEntries: [
    { Id: "a", Message: "Paris 1", MessageAttributes: { store: { DataType: "String", StringValue: "Paris" } } },
    { Id: "b", Message: "Paris 2" },
  ],
}));
assert.equal(batch.Successful.length, 2);
assert.equal(batch.Failed?.length ?? 0, 0);

const enveloped = await receive(all.url, 3);
assert.equal(enveloped.length, 3);
const alert = enveloped.map((m) => JSON.parse(m.Body)).find((d) => d.Subject === "Inventory Alert!");
assert.equal(alert.Type, "Notification");
assert.equal(alert.Message, "Berlin is out of stock of socks");
assert.deepEqual(alert.MessageAttributes.store, { Type: "String", Value: "BERLIN" });
const raw = await receive(only.url, 1);
assert.deepEqual(raw.map((m) => m.Body), ["Berlin is out of stock of socks"]);
assert.equal(raw[0].MessageAttributes.store.StringValue, "BERLIN");

// FIFO topic → FIFO queue, in order.
const fifo = await sns.send(new CreateTopicCommand({
  Name: "js.fifo", Attributes: { FifoTopic: "true", ContentBasedDeduplication: "true" },
}));
const fq = await queue("js-q.fifo", { FifoQueue: "true" });
await sns.send(new SubscribeCommand({
  TopicArn: fifo.TopicArn, Protocol: "sqs", Endpoint: fq.arn, Attributes: { RawMessageDelivery: "true" },
}));
for (let i = 0; i < 5; i++) {
  const r = await sns.send(new PublishCommand({ TopicArn: fifo.TopicArn, Message: `f${i}`, MessageGroupId: "g" }));
  assert.ok(r.SequenceNumber);
}
const ordered = await receive(fq.url, 5);
assert.deepEqual(ordered.map((m) => m.Body), ["f0", "f1", "f2", "f3", "f4"]);

// Errors as the SDK's modeled exceptions.
await assert.rejects(sns.send(new GetTopicAttributesCommand({ TopicArn: TopicArn + "-gone" })),
  (e) => e instanceof NotFoundException && e.$metadata.httpStatusCode === 404);
await assert.rejects(sns.send(new PublishCommand({ TopicArn, Message: "" })),
  (e) => e instanceof InvalidParameterException && e.message === "Invalid parameter: Empty message");
console.log("sns.mjs ok");
