// Step Functions through the AWS SDK for JavaScript v3 (awsJson1.0): a state machine run to its
// end, its history, versions and an alias with weighted routing, executions through the alias,
// ValidateStateMachineDefinition, TestState, RedriveExecution, StartSyncExecution, and the SDK's typed
// errors.
import assert from "node:assert/strict";
import {
  SFNClient, CreateStateMachineCommand, StartExecutionCommand, DescribeExecutionCommand, GetExecutionHistoryCommand,
  PublishStateMachineVersionCommand, ListStateMachineVersionsCommand, UpdateStateMachineCommand,
  CreateStateMachineAliasCommand, DescribeStateMachineAliasCommand, UpdateStateMachineAliasCommand,
  ListStateMachineAliasesCommand, DeleteStateMachineAliasCommand, DeleteStateMachineVersionCommand,
  DescribeStateMachineCommand, DescribeStateMachineForExecutionCommand, ValidateStateMachineDefinitionCommand,
  TestStateCommand, RedriveExecutionCommand, StartSyncExecutionCommand, ListExecutionsCommand,
  StateMachineDoesNotExist, ConflictException, ExecutionNotRedrivable, ResourceNotFound,
} from "@aws-sdk/client-sfn";

const endpoint = process.env.AWAN_ENDPOINT;
const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const sfn = new SFNClient(config);
// StartSyncExecution and TestState carry the model's "sync-" host prefix, which does not
// resolve for a local endpoint: this client leaves it off.
const sync = new SFNClient({ ...config, disableHostPrefix: true });
const roleArn = "arn:aws:iam::000000000000:role/sfn-role";
const pass = (result) => JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", Result: result, End: true } } });

async function finished(executionArn) {
  for (let i = 0; i < 200; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== "RUNNING") return d;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${executionArn} did not finish`);
}

// A state machine, run, history.
const definition = JSON.stringify({
  StartAt: "Greet",
  States: {
    Greet: { Type: "Pass", Parameters: { "greeting.$": "States.Format('hello {}', $.who)" }, Next: "Done" },
    Done: { Type: "Succeed" },
  },
});
const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "js-hello", definition, roleArn }));
const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ who: "js" }) }));
const run = await finished(executionArn);
assert.equal(run.status, "SUCCEEDED");
assert.deepEqual(JSON.parse(run.output), { greeting: "hello js" });
assert.ok(run.startDate instanceof Date);
const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
assert.deepEqual(events.map((e) => e.type), [
  "ExecutionStarted", "PassStateEntered", "PassStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded",
]);
assert.deepEqual(events.map((e) => e.id), [1, 2, 3, 4, 5, 6]);
assert.equal(events[1].previousEventId, 1);
assert.equal(events[1].stateEnteredEventDetails.name, "Greet");
const reversed = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2 }));
assert.equal(reversed.events[0].type, "ExecutionSucceeded");
assert.ok(reversed.nextToken);

// Versions and aliases.
const machine = await sfn.send(new CreateStateMachineCommand({
  name: "js-versions", definition: pass("one"), roleArn, publish: true, versionDescription: "first",
}));
assert.equal(machine.stateMachineVersionArn, `${machine.stateMachineArn}:1`);
const sm = machine.stateMachineArn;
const updated = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: sm, definition: pass("two") }));
const v2 = await sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: sm, revisionId: updated.revisionId }));
assert.equal(v2.stateMachineVersionArn, `${sm}:2`);
const same = await sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: sm }));
assert.equal(same.stateMachineVersionArn, `${sm}:2`);
await assert.rejects(sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: sm, revisionId: "stale" })),
  (e) => e instanceof ConflictException);
const versions = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: sm }));
assert.deepEqual(versions.stateMachineVersions.map((v) => v.stateMachineVersionArn), [`${sm}:2`, `${sm}:1`]);
const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${sm}:1` }));
assert.equal(described.description, "first");
assert.equal(JSON.parse(described.definition).States.P.Result, "one");

const alias = await sfn.send(new CreateStateMachineAliasCommand({
  name: "live", description: "production", routingConfiguration: [{ stateMachineVersionArn: `${sm}:1`, weight: 100 }],
}));
assert.equal(alias.stateMachineAliasArn, `${sm}:live`);
const viaAlias = await sfn.send(new StartExecutionCommand({ stateMachineArn: alias.stateMachineAliasArn }));
const aliasRun = await finished(viaAlias.executionArn);
assert.equal(aliasRun.output, '"one"');
assert.equal(aliasRun.stateMachineAliasArn, alias.stateMachineAliasArn);
assert.equal(aliasRun.stateMachineVersionArn, `${sm}:1`);
const ran = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: viaAlias.executionArn }));
assert.equal(ran.stateMachineArn, `${sm}:1`);
await sfn.send(new UpdateStateMachineAliasCommand({
  stateMachineAliasArn: alias.stateMachineAliasArn,
  routingConfiguration: [{ stateMachineVersionArn: `${sm}:1`, weight: 20 }, { stateMachineVersionArn: `${sm}:2`, weight: 80 }],
}));
const outputs = new Set();
for (let i = 0; i < 30; i++) {
  const { executionArn: arn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: alias.stateMachineAliasArn }));
  outputs.add((await finished(arn)).output);
}
assert.ok(outputs.has('"two"'));
const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: alias.stateMachineAliasArn }));
assert.equal(listed.executions.length, 31);
const aliasDoc = await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn }));
assert.equal(aliasDoc.routingConfiguration.length, 2);
assert.ok(aliasDoc.updateDate instanceof Date);
const aliases = await sfn.send(new ListStateMachineAliasesCommand({ stateMachineArn: sm }));
assert.deepEqual(aliases.stateMachineAliases.map((a) => a.stateMachineAliasArn), [alias.stateMachineAliasArn]);
await assert.rejects(sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${sm}:1` })),
  (e) => e instanceof ConflictException);
await sfn.send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn }));
await assert.rejects(sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn })),
  (e) => e instanceof ResourceNotFound);
await sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${sm}:1` }));
await assert.rejects(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${sm}:1` })),
  (e) => e instanceof StateMachineDoesNotExist);

// ValidateStateMachineDefinition and TestState.
const invalid = await sfn.send(new ValidateStateMachineDefinitionCommand({
  definition: JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", Next: "B" } } }),
}));
assert.equal(invalid.result, "FAIL");
assert.equal(invalid.diagnostics[0].severity, "ERROR");
assert.equal(invalid.diagnostics[0].code, "MISSING_TRANSITION_TARGET");
assert.equal(invalid.diagnostics[0].location, "/States/A/Next");
const valid = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition }));
assert.equal(valid.result, "OK");
assert.deepEqual(valid.diagnostics, []);
const tested = await sync.send(new TestStateCommand({
  definition: JSON.stringify({ Type: "Pass", Parameters: { "n.$": "States.MathAdd($.n, 1)" }, Next: "Later" }),
  input: JSON.stringify({ n: 41 }), inspectionLevel: "DEBUG", roleArn,
}));
assert.equal(tested.status, "SUCCEEDED");
assert.equal(tested.nextState, "Later");
assert.deepEqual(JSON.parse(tested.output), { n: 42 });
assert.equal(tested.inspectionData.afterParameters, '{"n":42}');
const failing = await sync.send(new TestStateCommand({ definition: JSON.stringify({ Type: "Fail", Error: "Nope", Cause: "why" }) }));
assert.equal(failing.status, "FAILED");
assert.equal(failing.error, "Nope");

// RedriveExecution: a FAILED execution; a SUCCEEDED one is not redrivable.
const failer = await sfn.send(new CreateStateMachineCommand({
  name: "js-fails", roleArn, definition: JSON.stringify({ StartAt: "F", States: { F: { Type: "Fail", Error: "E" } } }),
}));
const { executionArn: failedArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: failer.stateMachineArn }));
const failedRun = await finished(failedArn);
assert.equal(failedRun.status, "FAILED");
assert.equal(failedRun.redriveStatus, "REDRIVABLE");
const redrive = await sfn.send(new RedriveExecutionCommand({ executionArn: failedArn }));
assert.ok(redrive.redriveDate instanceof Date);
const redriven = await finished(failedArn);
assert.equal(redriven.redriveCount, 1);
const redriveHistory = await sfn.send(new GetExecutionHistoryCommand({ executionArn: failedArn }));
const redrivenEvent = redriveHistory.events.find((e) => e.type === "ExecutionRedriven");
assert.equal(redrivenEvent.executionRedrivenEventDetails.redriveCount, 1);
await assert.rejects(sfn.send(new RedriveExecutionCommand({ executionArn })), (e) => e instanceof ExecutionNotRedrivable);

// StartSyncExecution.
const express = await sfn.send(new CreateStateMachineCommand({ name: "js-express", type: "EXPRESS", definition: pass("fast"), roleArn }));
const answer = await sync.send(new StartSyncExecutionCommand({ stateMachineArn: express.stateMachineArn, input: "{}" }));
assert.equal(answer.status, "SUCCEEDED");
assert.equal(answer.output, '"fast"');

console.log("stepfunctions.mjs ok");
