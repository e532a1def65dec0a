// API Gateway HTTP APIs through the AWS SDK for JavaScript v3 (restJson1): an API, an
// integration, a route and an auto-deployed stage, the invocation over plain HTTP, ExportApi,
// NotFoundException, and GoneException from the management API.
import assert from "node:assert/strict";
import {
  ApiGatewayV2Client, CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand,
  GetRoutesCommand, ExportApiCommand, GetApiCommand, DeleteApiCommand, NotFoundException,
} from "@aws-sdk/client-apigatewayv2";
import { ApiGatewayManagementApiClient, PostToConnectionCommand, GoneException } from "@aws-sdk/client-apigatewaymanagementapi";

const endpoint = process.env.AWAN_ENDPOINT;
const functionArn = process.argv[2];
const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const v2 = new ApiGatewayV2Client(config);

const { ApiId } = await v2.send(new CreateApiCommand({ Name: "js-api", ProtocolType: "HTTP" }));
const { IntegrationId, PayloadFormatVersion } = await v2.send(new CreateIntegrationCommand({
  ApiId, IntegrationType: "AWS_PROXY", IntegrationUri: functionArn,
}));
assert.equal(PayloadFormatVersion, "2.0");
const route = await v2.send(new CreateRouteCommand({ ApiId, RouteKey: "GET /stock/{id}", Target: `integrations/${IntegrationId}` }));
assert.equal(route.AuthorizationType, "NONE");
await v2.send(new CreateStageCommand({ ApiId, StageName: "prod", AutoDeploy: true }));
const { Items } = await v2.send(new GetRoutesCommand({ ApiId }));
assert.deepEqual(Items.map((r) => r.RouteKey), ["GET /stock/{id}"]);

const res = await fetch(`${endpoint}/_aws/execute-api/${ApiId}/prod/stock/9`);
assert.equal(res.status, 200);
assert.deepEqual(await res.json(), { alerts: 0 });
const missing = await fetch(`${endpoint}/_aws/execute-api/${ApiId}/prod/nothing`);
assert.equal(missing.status, 404);
assert.deepEqual(await missing.json(), { message: "Not Found" });

const exported = await v2.send(new ExportApiCommand({ ApiId, Specification: "OAS30", OutputType: "JSON" }));
const spec = JSON.parse(new TextDecoder().decode(exported.body));
assert.equal(spec.paths["/stock/{id}"].get["x-amazon-apigateway-integration"].uri, functionArn);

await v2.send(new DeleteApiCommand({ ApiId }));
await assert.rejects(v2.send(new GetApiCommand({ ApiId })), (e) => e instanceof NotFoundException && e.$metadata.httpStatusCode === 404);

const mgmt = new ApiGatewayManagementApiClient({ ...config, endpoint: `${endpoint}/_aws/execute-api/${ApiId}/prod` });
await assert.rejects(mgmt.send(new PostToConnectionCommand({ ConnectionId: "gone", Data: new TextEncoder().encode("x") })),
  (e) => e instanceof GoneException && e.$metadata.httpStatusCode === 410);
console.log("apigatewayv2.mjs ok");
