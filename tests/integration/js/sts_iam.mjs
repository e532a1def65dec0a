// STS and IAM through the AWS SDK for JavaScript v3 (newest), against AWAN_ENDPOINT.
import assert from "node:assert/strict";
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import {
  IAMClient, CreateRoleCommand, GetRoleCommand, ListRolesCommand, DeleteRoleCommand,
  PutRolePolicyCommand, DeleteRolePolicyCommand,
} from "@aws-sdk/client-iam";

const endpoint = process.env.AWAN_ENDPOINT;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const sts = new STSClient({ endpoint, region: "us-east-1", credentials });
const iam = new IAMClient({ endpoint, region: "us-east-1", credentials });

const ident = await sts.send(new GetCallerIdentityCommand({}));
assert.equal(ident.Account, "000000000000");
assert.equal(ident.Arn, "arn:aws:iam::000000000000:root");

const assumed = await sts.send(new AssumeRoleCommand({
  RoleArn: "arn:aws:iam::123456789012:role/js", RoleSessionName: "js-session",
}));
assert.ok(assumed.Credentials.AccessKeyId.startsWith("ASIA"));
assert.ok(assumed.Credentials.Expiration instanceof Date);
const asRole = new STSClient({
  endpoint, region: "us-east-1",
  credentials: {
    accessKeyId: assumed.Credentials.AccessKeyId,
    secretAccessKey: assumed.Credentials.SecretAccessKey,
    sessionToken: assumed.Credentials.SessionToken,
  },
});
const ident2 = await asRole.send(new GetCallerIdentityCommand({}));
assert.equal(ident2.Arn, "arn:aws:sts::123456789012:assumed-role/js/js-session");

const trust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const created = await iam.send(new CreateRoleCommand({
  RoleName: "js-role", AssumeRolePolicyDocument: trust, Tags: [{ Key: "team", Value: "inventory" }],
}));
assert.equal(created.Role.Arn, "arn:aws:iam::000000000000:role/js-role");
assert.ok(created.Role.CreateDate instanceof Date);
const got = await iam.send(new GetRoleCommand({ RoleName: "js-role" }));
assert.equal(JSON.parse(decodeURIComponent(got.Role.AssumeRolePolicyDocument)).Statement[0].Action, "sts:AssumeRole");
assert.deepEqual(got.Role.Tags, [{ Key: "team", Value: "inventory" }]);
await iam.send(new PutRolePolicyCommand({
  RoleName: "js-role", PolicyName: "p",
  PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }),
}));
await assert.rejects(iam.send(new DeleteRoleCommand({ RoleName: "js-role" })), (e) => {
  assert.equal(e.name, "DeleteConflictException");
  assert.equal(e.$metadata.httpStatusCode, 409);
  return true;
});
await iam.send(new DeleteRolePolicyCommand({ RoleName: "js-role", PolicyName: "p" }));
await iam.send(new DeleteRoleCommand({ RoleName: "js-role" }));
const roles = await iam.send(new ListRolesCommand({}));
assert.equal(roles.Roles.length, 0);
await assert.rejects(iam.send(new GetRoleCommand({ RoleName: "js-role" })), (e) => {
  assert.equal(e.name, "NoSuchEntityException");
  return true;
});
console.log("ok");
