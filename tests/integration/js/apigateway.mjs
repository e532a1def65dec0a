// API Gateway REST APIs through the AWS SDK for JavaScript v3 (restJson1): an API, a resource,
// a MOCK method and a Lambda proxy method, a model with a request validator, a customized
// gateway response, a deployment, invocations over plain HTTP, paging with the SDK's paginator
// and NotFoundException.
import assert from "node:assert/strict";
import {
  APIGatewayClient, CreateRestApiCommand, GetResourcesCommand, CreateResourceCommand, PutMethodCommand,
  PutIntegrationCommand, PutMethodResponseCommand, PutIntegrationResponseCommand, CreateDeploymentCommand,
  CreateModelCommand, CreateRequestValidatorCommand, PutGatewayResponseCommand, GetGatewayResponseCommand,
  GetRestApiCommand, DeleteRestApiCommand, NotFoundException, paginateGetRestApis,
} from "@aws-sdk/client-api-gateway";

const endpoint = process.env.AWAN_ENDPOINT;
const functionArn = process.argv[2];
const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const apigw = new APIGatewayClient(config);

const { id: restApiId } = await apigw.send(new CreateRestApiCommand({ name: "js-rest" }));
const { items } = await apigw.send(new GetResourcesCommand({ restApiId }));
const root = items.find((r) => r.path === "/");
const hello = await apigw.send(new CreateResourceCommand({ restApiId, parentId: root.id, pathPart: "hello" }));
assert.equal(hello.path, "/hello");

// GET /hello: MOCK.
const get = { restApiId, resourceId: hello.id, httpMethod: "GET" };
await apigw.send(new PutMethodCommand({ ...get, authorizationType: "NONE" }));
await apigw.send(new PutIntegrationCommand({ ...get, type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 200}' } }));
await apigw.send(new PutMethodResponseCommand({ ...get, statusCode: "200" }));
await apigw.send(new PutIntegrationResponseCommand({
  ...get, statusCode: "200", responseTemplates: { "application/json": '{"hello": "$context.stage"}' },
}));

// POST /hello: a validated body, then the Lambda function (AWS_PROXY).
await apigw.send(new CreateModelCommand({
  restApiId, name: "Greeting", contentType: "application/json",
  schema: JSON.stringify({ type: "object", required: ["name"], properties: { name: { type: "string" } } }),
}));
const validator = await apigw.send(new CreateRequestValidatorCommand({ restApiId, name: "body", validateRequestBody: true }));
const post = { restApiId, resourceId: hello.id, httpMethod: "POST" };
await apigw.send(new PutMethodCommand({
  ...post, authorizationType: "NONE", requestValidatorId: validator.id, requestModels: { "application/json": "Greeting" },
}));
await apigw.send(new PutIntegrationCommand({
  ...post, type: "AWS_PROXY", integrationHttpMethod: "POST",
  uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
}));

await apigw.send(new PutGatewayResponseCommand({
  restApiId, responseType: "MISSING_AUTHENTICATION_TOKEN", statusCode: "404",
  responseParameters: { "gatewayresponse.header.x-awan": "'js'" },
  responseTemplates: { "application/json": '{"missing": "$context.path"}' },
}));
const gr = await apigw.send(new GetGatewayResponseCommand({ restApiId, responseType: "MISSING_AUTHENTICATION_TOKEN" }));
assert.equal(gr.defaultResponse, false);
await apigw.send(new CreateDeploymentCommand({ restApiId, stageName: "prod" }));

const base = `${endpoint}/_aws/execute-api/${restApiId}/prod`;
let res = await fetch(`${base}/hello`);
assert.equal(res.status, 200);
assert.deepEqual(await res.json(), { hello: "prod" });
res = await fetch(`${base}/hello`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
assert.equal(res.status, 400);
assert.deepEqual(await res.json(), { message: "Invalid request body" });
res = await fetch(`${base}/hello`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"name": "js"}' });
assert.equal(res.status, 200);
const event = await res.json();
assert.equal(event.httpMethod, "POST");
assert.equal(event.resource, "/hello");
assert.equal(JSON.parse(event.body).name, "js");
res = await fetch(`${base}/nowhere`);
assert.equal(res.status, 404);
assert.equal(res.headers.get("x-awan"), "js");
assert.deepEqual(await res.json(), { missing: "/prod/nowhere" });

// Paging: three more APIs, two per page.
for (const name of ["p1", "p2", "p3"]) await apigw.send(new CreateRestApiCommand({ name }));
const names = [];
let pages = 0;
for await (const page of paginateGetRestApis({ client: apigw, pageSize: 2 }, {})) {
  pages += 1;
  names.push(...page.items.map((a) => a.name));
}
assert.equal(pages, 2);
assert.deepEqual(names.sort(), ["js-rest", "p1", "p2", "p3"]);

await apigw.send(new DeleteRestApiCommand({ restApiId }));
await assert.rejects(apigw.send(new GetRestApiCommand({ restApiId })),
  (e) => e instanceof NotFoundException && e.$metadata.httpStatusCode === 404);
console.log("apigateway.mjs ok");
