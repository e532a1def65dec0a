// SQS through the AWS SDK for JavaScript v3 (newest): the JSON protocol, its MD5 checks of
// bodies and attributes, batches, long polling and error codes.
import assert from "node:assert/strict";
import {
  SQSClient, CreateQueueCommand, SendMessageCommand, SendMessageBatchCommand, ReceiveMessageCommand,
  DeleteMessageCommand, GetQueueAttributesCommand, GetQueueUrlCommand, QueueDoesNotExist,
  StartMessageMoveTaskCommand, ListMessageMoveTasksCommand,
} from "@aws-sdk/client-sqs";

const endpoint = process.env.AWAN_ENDPOINT;
const sqs = new SQSClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });

const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-queue" }));
assert.ok(QueueUrl.endsWith("/000000000000/js-queue"));

// The SDK verifies MD5OfMessageBody and MD5OfMessageAttributes itself.
const sent = await sqs.send(new SendMessageCommand({
  QueueUrl, MessageBody: "from js", MessageAttributes: {
    kind: { DataType: "String", StringValue: "test" },
    raw: { DataType: "Binary", BinaryValue: Uint8Array.from([1, 2, 3]) },
  },
}));
assert.ok(sent.MessageId);
const batch = await sqs.send(new SendMessageBatchCommand({
  QueueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `batch ${i}` })),
}));
assert.equal(batch.Successful.length, 10);

const got = await sqs.send(new ReceiveMessageCommand({
  QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"],
}));
assert.equal(got.Messages.length, 10);
const first = got.Messages.find((m) => m.MessageId === sent.MessageId);
assert.ok(first, "the first message comes first");
assert.deepEqual([...first.MessageAttributes.raw.BinaryValue], [1, 2, 3]);
assert.equal(first.Attributes.ApproximateReceiveCount, "1");
for (const m of got.Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));

// A long poll served by a send from the same client.
const { QueueUrl: pollUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-poll" }));
const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: pollUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }));
await new Promise((r) => setTimeout(r, 200));
await sqs.send(new SendMessageCommand({ QueueUrl: pollUrl, MessageBody: "late" }));
const woke = await waiting;
assert.deepEqual(woke.Messages.map((m) => m.Body), ["late"]);

// A dead-letter queue and a message move task back to the source (newer SDKs only).
const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-dlq" }));
const dlqArn = "arn:aws:sqs:us-east-1:000000000000:js-dlq";
const { QueueUrl: srcUrl } = await sqs.send(new CreateQueueCommand({
  QueueName: "js-src", Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) },
}));
await sqs.send(new SendMessageCommand({ QueueUrl: srcUrl, MessageBody: "poison" }));
await sqs.send(new ReceiveMessageCommand({ QueueUrl: srcUrl, VisibilityTimeout: 0 }));
assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: srcUrl }))).Messages, undefined);
const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
assert.ok(TaskHandle);
let task;
for (let i = 0; i < 100; i++) {
  [task] = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results;
  if (task.Status === "COMPLETED") break;
  await new Promise((r) => setTimeout(r, 20));
}
assert.equal(task.Status, "COMPLETED");
assert.equal(task.ApproximateNumberOfMessagesMoved, 1);
const back = await sqs.send(new ReceiveMessageCommand({ QueueUrl: srcUrl }));
assert.equal(back.Messages[0].Body, "poison");

const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
assert.equal(a.Attributes.QueueArn, "arn:aws:sqs:us-east-1:000000000000:js-queue");

await assert.rejects(sqs.send(new GetQueueUrlCommand({ QueueName: "nope" })), (e) => e instanceof QueueDoesNotExist);
console.log("sqs js ok");
