// TestState's `mock` and `stateConfiguration` through the AWS SDK for JavaScript v3: a mocked
// result processed by ResultSelector/ResultPath (JSONPath) and Output (JSONata), a mocked error
// through Retry (retrierRetryCount) and Catch, fieldValidationMode STRICT / PRESENT / NONE against
// the called API's output shape, a mocked Map judged by mapIterationFailureCount, a mocked
// Parallel error with errorCausedByState, and the ValidationExceptions of misplaced fields.
import assert from "node:assert/strict";
import { SFNClient, TestStateCommand, ValidationException } from "@aws-sdk/client-sfn";

const endpoint = process.env.AWAN_ENDPOINT;
// TestState carries the model's "sync-" host prefix: left off for a local endpoint.
const sfn = new SFNClient({
  endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, disableHostPrefix: true,
});
const roleArn = "arn:aws:iam::000000000000:role/sfn-role";
const fn = "arn:aws:lambda:us-east-1:000000000000:function:never-called";
const test = (state, extra = {}) =>
  sfn.send(new TestStateCommand({ definition: JSON.stringify(state), roleArn, inspectionLevel: "DEBUG", ...extra }));
const refused = async (state, extra, text) => {
  await assert.rejects(test(state, extra), (e) => {
    assert.ok(e instanceof ValidationException, `${e.name}: ${e.message}`);
    assert.ok(e.message.includes(text), e.message);
    return true;
  });
};

// A mocked Lambda result (the function does not exist): ResultSelector and ResultPath apply.
const invoke = {
  Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Next: "Ship",
  Parameters: { FunctionName: fn, "Payload.$": "$.order" },
  ResultSelector: { "total.$": "$.Payload.total" }, ResultPath: "$.priced",
};
let r = await test(invoke, {
  input: JSON.stringify({ order: { id: 7 } }),
  mock: { result: JSON.stringify({ StatusCode: 200, Payload: { total: 42 } }) },
});
assert.equal(r.status, "SUCCEEDED");
assert.equal(r.nextState, "Ship");
assert.deepEqual(JSON.parse(r.output), { order: { id: 7 }, priced: { total: 42 } });
assert.deepEqual(JSON.parse(r.inspectionData.afterParameters), { FunctionName: fn, Payload: { id: 7 } });
assert.deepEqual(JSON.parse(r.inspectionData.result), { StatusCode: 200, Payload: { total: 42 } });
assert.deepEqual(JSON.parse(r.inspectionData.afterResultSelector), { total: 42 });
assert.deepEqual(JSON.parse(r.inspectionData.afterResultPath), { order: { id: 7 }, priced: { total: 42 } });

// JSONata: Output and Assign over $states.result of the mock.
r = await test({
  QueryLanguage: "JSONata", Type: "Task", Resource: "arn:aws:states:::lambda:invoke", End: true,
  Arguments: { FunctionName: fn, Payload: "{% $states.input %}" },
  Output: "{% $states.result.Payload.n * 2 %}", Assign: { seen: "{% $states.result.Payload.n %}" },
}, { input: "{}", mock: { result: JSON.stringify({ Payload: { n: 21 } }) } });
assert.equal(r.status, "SUCCEEDED");
assert.equal(r.output, "42");
assert.deepEqual(JSON.parse(r.inspectionData.variables), { seen: 21 });

// A mocked error: RETRIABLE while the retrier has attempts left, caught once they are used up,
// FAILED without a catcher.
const retried = {
  ...invoke, ResultSelector: undefined,
  Retry: [{ ErrorEquals: ["Other"], MaxAttempts: 5 }, { ErrorEquals: ["Lambda.TooManyRequestsException"], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 3 }],
  Catch: [{ ErrorEquals: ["States.ALL"], Next: "Sorry", ResultPath: "$.error" }],
};
const throttled = { errorOutput: { error: "Lambda.TooManyRequestsException", cause: "slow down" } };
const order = JSON.stringify({ order: { id: 7 } });
r = await test(retried, { input: order, mock: throttled });
assert.equal(r.status, "RETRIABLE");
assert.equal(r.error, "Lambda.TooManyRequestsException");
assert.equal(r.cause, "slow down");
assert.deepEqual(r.inspectionData.errorDetails, { retryIndex: 1, retryBackoffIntervalSeconds: 2 });
r = await test(retried, { input: order, mock: throttled, stateConfiguration: { retrierRetryCount: 2 } });
assert.equal(r.status, "RETRIABLE");
assert.equal(r.inspectionData.errorDetails.retryBackoffIntervalSeconds, 18);  // 2 s * 3^2
r = await test(retried, { input: order, mock: throttled, stateConfiguration: { retrierRetryCount: 3 } });
assert.equal(r.status, "CAUGHT_ERROR");
assert.equal(r.nextState, "Sorry");
assert.deepEqual(JSON.parse(r.output), { order: { id: 7 }, error: { Error: "Lambda.TooManyRequestsException", Cause: "slow down" } });
assert.deepEqual(r.inspectionData.errorDetails, { catchIndex: 0 });
r = await test({ ...invoke, ResultSelector: undefined }, { input: order, mock: { errorOutput: { error: "Boom" } } });
assert.equal(r.status, "FAILED");
assert.equal(r.error, "Boom");
// The mock stands for the call only: Parameters are still evaluated before it.
r = await test(invoke, { input: "{}", mock: { result: "{}" } });
assert.equal(r.status, "FAILED");
assert.equal(r.error, "States.ParameterPathFailure");
assert.equal(r.nextState, undefined);

// fieldValidationMode against SendMessageBatch's output (Successful and Failed are required).
const batch = {
  Type: "Task", Resource: "arn:aws:states:::aws-sdk:sqs:sendMessageBatch", End: true,
  Parameters: { QueueUrl: "http://q", Entries: [{ Id: "1", MessageBody: "x" }] },
};
const partial = JSON.stringify({ Successful: [{ Id: "1", MessageId: "m", MD5OfMessageBody: "d" }] });
await refused(batch, { mock: { result: partial } }, "'Failed' is missing");
await refused(batch, { mock: { result: partial, fieldValidationMode: "STRICT" } }, "'Failed' is missing");
r = await test(batch, { mock: { result: partial, fieldValidationMode: "PRESENT" } });
assert.equal(r.status, "SUCCEEDED");
assert.deepEqual(JSON.parse(r.output), JSON.parse(partial));
const wrongType = JSON.stringify({ Successful: "all of them", Failed: [] });
await refused(batch, { mock: { result: wrongType, fieldValidationMode: "PRESENT" } }, "'Successful' must be an array");
await refused(batch, { mock: { result: JSON.stringify({ Extra: 1 }), fieldValidationMode: "PRESENT" } }, "'Extra' is not in the API's response");
r = await test(batch, { mock: { result: wrongType, fieldValidationMode: "NONE" } });
assert.equal(r.status, "SUCCEEDED");
assert.deepEqual(JSON.parse(r.output), { Successful: "all of them", Failed: [] });
await refused(batch, { mock: { result: "{}", fieldValidationMode: "LOOSE" } }, "[STRICT, PRESENT, NONE]");

// A mocked inline Map: its items and limits in the inspection data; mapIterationFailureCount
// judged against ToleratedFailureCount.
const map = {
  Type: "Map", ItemsPath: "$.orders", ItemSelector: { "id.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index" },
  MaxConcurrency: 2, ToleratedFailureCount: 1, End: true,
  ItemProcessor: { StartAt: "Each", States: { Each: { Type: "Pass", End: true } } },
};
const orders = JSON.stringify({ orders: ["a", "b", "c"] });
r = await test(map, { input: orders, mock: { result: '["A","B","C"]' }, stateConfiguration: { mapIterationFailureCount: 1 } });
assert.equal(r.status, "SUCCEEDED");
assert.deepEqual(JSON.parse(r.output), ["A", "B", "C"]);
assert.deepEqual(JSON.parse(r.inspectionData.afterItemsPath), ["a", "b", "c"]);
assert.deepEqual(JSON.parse(r.inspectionData.afterItemSelector), [{ id: "a", i: 0 }, { id: "b", i: 1 }, { id: "c", i: 2 }]);
assert.equal(r.inspectionData.maxConcurrency, 2);
assert.equal(r.inspectionData.toleratedFailureCount, 1);
r = await test(map, { input: orders, mock: { result: '["A","B","C"]' }, stateConfiguration: { mapIterationFailureCount: 2 } });
assert.equal(r.status, "FAILED");
assert.equal(r.error, "States.ExceedToleratedFailureThreshold");
await refused(map, { input: orders, mock: { result: '{"not":"an array"}' } }, "must be a JSON array");
await refused(map, { input: orders }, "only supported when a mock is specified");

// A mocked Parallel error caused by a state of a branch; Catch applies to it.
const parallel = {
  Type: "Parallel", Next: "After",
  Branches: [{ StartAt: "Charge", States: { Charge: { Type: "Task", Resource: fn, End: true } } },
             { StartAt: "Notify", States: { Notify: { Type: "Pass", End: true } } }],
};
const declined = { errorOutput: { error: "Card.Declined", cause: "insufficient funds" } };
r = await test(parallel, { input: "{}", mock: declined, stateConfiguration: { errorCausedByState: "Charge" } });
assert.equal(r.status, "FAILED");
assert.equal(r.error, "Card.Declined");
assert.equal(r.cause, "insufficient funds");
r = await test({ ...parallel, Catch: [{ ErrorEquals: ["Card.Declined"], Next: "Refund" }] },
  { input: "{}", mock: declined, stateConfiguration: { errorCausedByState: "Charge" } });
assert.equal(r.status, "CAUGHT_ERROR");
assert.equal(r.nextState, "Refund");
assert.deepEqual(JSON.parse(r.output), { Error: "Card.Declined", Cause: "insufficient funds" });
r = await test(parallel, { input: JSON.stringify({ k: 1 }), mock: { result: '[{"charged":true},{"k":1}]' } });
assert.equal(r.status, "SUCCEEDED");
assert.equal(r.nextState, "After");
assert.deepEqual(JSON.parse(r.output), [{ charged: true }, { k: 1 }]);
await refused(parallel, { mock: declined, stateConfiguration: { errorCausedByState: "Elsewhere" } }, "is not a state");
await refused(parallel, { mock: { result: "[]" }, stateConfiguration: { errorCausedByState: "Charge" } }, "mock.errorOutput");

// Refused: a mock on a Pass, both result and errorOutput, errorOutput without error,
// Map-only configuration on a Task, a negative retry count.
await refused({ Type: "Pass", End: true }, { mock: { result: "1" } }, "State type 'Pass' is not supported when a mock is specified");
await refused(invoke, { mock: { result: "{}", errorOutput: { error: "E" } } }, "only one of the following fields: [result, errorOutput]");
await refused(invoke, { mock: { errorOutput: { cause: "c" } } }, "error field is required");
await refused(invoke, { mock: { result: "{}" }, stateConfiguration: { mapIterationFailureCount: 1 } }, "only be specified for a Map");
await refused(invoke, { mock: { result: "{nope" } }, "not valid JSON");

console.log("stepfunctions_test_state.mjs ok");
