"""HTTP API parameter mapping against a running daemon: an HTTP_PROXY integration's
RequestParameters (headers, query strings, path) and ResponseParameters (headers, status code)
seen by a local backend and by the caller, ResponseParameters on an AWS_PROXY integration, and
CreateIntegration refusing malformed mappings."""
import http.server
import json
import threading

import pytest
from botocore.exceptions import ClientError

from test_apigateway_v2 import ECHO, code, fetch, function


@pytest.fixture
def v2(boto):
    return boto("apigatewayv2")


@pytest.fixture
def backend():
    class Backend(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Backend", "yes")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_http_proxy_request_and_response_parameters(awan, v2, backend):
    api = v2.create_api(Name="m", ProtocolType="HTTP")["ApiId"]
    integ = v2.create_integration(
        ApiId=api, IntegrationType="HTTP_PROXY", IntegrationMethod="GET", IntegrationUri=backend + "/up",
        PayloadFormatVersion="1.0",
        RequestParameters={"append:header.x-user": "$request.header.x-name", "remove:header.x-secret": "''",
                           "overwrite:querystring.page": "2", "append:querystring.stage": "${context.stage}",
                           "overwrite:path": "/v2/items/$request.path.id"},
        ResponseParameters={"200": {"overwrite:statuscode": "203", "append:header.x-mapped": "$response.header.x-backend",
                                    "remove:header.x-backend": "''"}})
    v2.create_route(ApiId=api, RouteKey="GET /items/{id}", Target="integrations/" + integ["IntegrationId"])
    v2.create_stage(ApiId=api, StageName="prod", AutoDeploy=True)
    status, headers, body = fetch(awan, "GET", f"{awan.endpoint}/_aws/execute-api/{api}/prod/items/7?page=1&q=x",
                                  headers={"x-name": "ann", "x-secret": "s"})
    assert status == 203, body
    assert headers.get("x-mapped") == "yes" and "X-Backend" not in headers and "x-backend" not in headers
    seen = json.loads(body)
    assert seen["path"] == "/v2/items/7?q=x&stage=prod&page=2"
    assert seen["headers"]["x-user"] == "ann" and "x-secret" not in seen["headers"]


def test_aws_proxy_response_parameters(awan, v2, boto):
    arn = function(boto, "echo-map", "app.handler", files={"app.py": ECHO})
    api = v2.create_api(Name="l", ProtocolType="HTTP")["ApiId"]
    integ = v2.create_integration(ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=arn, PayloadFormatVersion="2.0",
                                  ResponseParameters={"200": {"overwrite:header.x-echo": "mapped-${context.requestId}",
                                                              "overwrite:statuscode": "202"}})
    v2.create_route(ApiId=api, RouteKey="GET /e", Target="integrations/" + integ["IntegrationId"])
    v2.create_stage(ApiId=api, StageName="$default", AutoDeploy=True)
    status, headers, body = fetch(awan, "GET", f"{awan.endpoint}/_aws/execute-api/{api}/e")
    assert status == 202, body
    assert headers["x-echo"].startswith("mapped-") and headers["x-echo"] != "mapped-"


@pytest.mark.parametrize("params", [
    {"RequestParameters": {"replace:header.x": "v"}},
    {"RequestParameters": {"overwrite:statuscode": "200"}},
    {"RequestParameters": {"append:header.x": "${request.header.y"}},
    {"ResponseParameters": {"200": {"overwrite:path": "/x"}}},
    {"ResponseParameters": {"99": {"overwrite:statuscode": "200"}}},
])
def test_malformed_mappings_are_refused(v2, backend, params):
    api = v2.create_api(Name="bad", ProtocolType="HTTP")["ApiId"]
    with pytest.raises(ClientError) as e:
        v2.create_integration(ApiId=api, IntegrationType="HTTP_PROXY", IntegrationMethod="GET",
                              IntegrationUri=backend, PayloadFormatVersion="1.0", **params)
    assert code(e) == "BadRequestException"
