"""Awan's Python runtime client: runs a python3.x function's handler against the Lambda Runtime
API of its execution environment (emulators/lambda/runtime_api.cpp). Standard library only."""

import decimal
import http.client
import importlib
import importlib.abc
import importlib.util
import json
import logging
import os
import sys
import time
import traceback

API_PREFIX = "/2018-06-01/runtime"


class RuntimeApi:
    """One kept-alive connection to the Runtime API (a new one if the listener closed it)."""

    def __init__(self, address):
        self.address = address
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.address, timeout=None)
            try:
                self.conn.request(method, API_PREFIX + path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                return response, response.read()
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise

    def next(self):
        response, body = self.request("GET", "/invocation/next")
        return response.headers, body

    def respond(self, request_id, payload):
        self.request("POST", "/invocation/%s/response" % request_id, payload,
                     {"Content-Type": "application/json"})

    def fail(self, request_id, error):
        self.request("POST", "/invocation/%s/error" % request_id, json.dumps(error),
                     {"Content-Type": "application/json",
                      "Lambda-Runtime-Function-Error-Type": error["errorType"]})

    def fail_init(self, error):
        self.request("POST", "/init/error", json.dumps(error),
                     {"Content-Type": "application/json",
                      "Lambda-Runtime-Function-Error-Type": error["errorType"]})


class CognitoIdentity:
    def __init__(self, data):
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")


class Client:
    def __init__(self, data):
        self.installation_id = data.get("installation_id")
        self.app_title = data.get("app_title")
        self.app_version_name = data.get("app_version_name")
        self.app_version_code = data.get("app_version_code")
        self.app_package_name = data.get("app_package_name")


class ClientContext:
    def __init__(self, data):
        self.client = Client(data["client"]) if data.get("client") else None
        self.custom = data.get("custom")
        self.env = data.get("env")


class LambdaContext:
    """The context object AWS passes a Python handler."""

    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = CognitoIdentity(_json_header(headers, "Lambda-Runtime-Cognito-Identity") or {})
        client_context = _json_header(headers, "Lambda-Runtime-Client-Context")
        self.client_context = ClientContext(client_context) if client_context else None

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def __repr__(self):
        return "LambdaContext([aws_request_id=%s,function_name=%s,function_version=%s]" % (
            self.aws_request_id, self.function_name, self.function_version)


def _json_header(headers, name):
    text = headers.get(name)
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def error_document(exc, error_type=None):
    """AWS's shape for an exception: errorMessage, errorType, stackTrace (formatted frames)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": traceback.format_list(frames),
    }


def log_error(doc):
    trace = "".join(doc.get("stackTrace", []))
    text = "[ERROR] %s: %s" % (doc["errorType"], doc["errorMessage"])
    if trace:
        text += "\rTraceback (most recent call last):\r" + trace.replace("\n", "\r")
    print(text, file=sys.stderr, flush=True)


# ---- the SDK reaches Awan: the host sets AWS_ENDPOINT_URL (newer botocore reads it); older
# releases (Debian's boto3 1.26) ignore it, so their clients get it as their endpoint_url ----

def _wrap_create_client(session_class):
    original = session_class.create_client
    if getattr(original, "_awan_endpoint", False):
        return

    def create_client(self, service_name, *args, **kwargs):
        endpoint = os.environ.get("AWS_ENDPOINT_URL")
        # endpoint_url is create_client's sixth parameter (after region_name, api_version,
        # use_ssl, verify); boto3 passes it by name.
        if endpoint and len(args) < 5 and kwargs.get("endpoint_url") is None:
            kwargs["endpoint_url"] = endpoint
        return original(self, service_name, *args, **kwargs)

    create_client._awan_endpoint = True
    session_class.create_client = create_client


def _patch_botocore_session(module):
    import botocore.configprovider as configprovider
    variables = getattr(configprovider, "BOTOCORE_DEFAUT_SESSION_VARIABLES", {})
    if "ignore_configured_endpoint_urls" in variables:
        return  # this botocore reads AWS_ENDPOINT_URL itself
    _wrap_create_client(module.Session)


class _BotocoreSessionHook(importlib.abc.MetaPathFinder):
    """Patches botocore.session when (if ever) the function imports it: no cost otherwise."""

    def find_spec(self, name, path, target=None):
        if name != "botocore.session":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            try:
                _patch_botocore_session(module)
            except Exception as exc:  # the SDK still works, against AWS's endpoints
                print("[WARNING] Awan could not point botocore at AWS_ENDPOINT_URL: %s" % exc,
                      file=sys.stderr)

        loader.exec_module = exec_and_patch
        return spec


def install_endpoint_hook():
    if not os.environ.get("AWS_ENDPOINT_URL"):
        return
    if "botocore.session" in sys.modules:
        _patch_botocore_session(sys.modules["botocore.session"])
    else:
        sys.meta_path.insert(0, _BotocoreSessionHook())


# ---- logging as AWS's Python runtime formats it ----

class RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


def install_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
        "%Y-%m-%dT%H:%M:%S"))
    handler.formatter.converter = time.gmtime
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


# ---- the handler ----

class InitError(Exception):
    def __init__(self, doc):
        super().__init__(doc["errorMessage"])
        self.doc = doc


def setup_sys_path():
    task = os.environ.get("LAMBDA_TASK_ROOT", "/var/task")
    opt = os.environ.get("AWAN_OPT_DIR", "/opt")
    version = "python%d.%d" % sys.version_info[:2]
    for entry in reversed([task, os.path.join(opt, "python", "lib", version, "site-packages"),
                           os.path.join(opt, "python")]):
        if entry not in sys.path:
            sys.path.insert(0, entry)


def load_handler(spec):
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as exc:
        raise InitError({"errorMessage": "Bad handler '%s': %s" % (spec, exc),
                         "errorType": "Runtime.MalformedHandlerName", "stackTrace": []})
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InitError({"errorMessage": "Unable to import module '%s': %s" % (module_name, exc),
                         "errorType": "Runtime.ImportModuleError", "stackTrace": []})
    except SyntaxError as exc:
        raise InitError({"errorMessage": "Syntax error in module '%s': %s" % (module_name, exc),
                         "errorType": "Runtime.UserCodeSyntaxError", "stackTrace": []})
    except Exception as exc:
        raise InitError(error_document(exc))
    handler = getattr(module, function_name, None)
    if handler is None:
        raise InitError({"errorMessage": "Handler '%s' missing on module '%s'" % (function_name, module_name),
                         "errorType": "Runtime.HandlerNotFound", "stackTrace": []})
    return handler


def _json_default(value):
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def handle_one(api, handler, headers, body):
    context = LambdaContext(headers)
    request_id = context.aws_request_id
    RequestIdFilter.request_id = request_id
    trace = headers.get("Lambda-Runtime-Trace-Id")
    if trace:
        os.environ["_X_AMZN_TRACE_ID"] = trace
    try:
        event = json.loads(body) if body else None
        result = handler(event, context)
        try:
            payload = json.dumps(result, default=_json_default)
        except (TypeError, ValueError) as exc:
            doc = {"errorMessage": "Unable to marshal response: %s" % exc,
                   "errorType": "Runtime.MarshalError", "requestId": request_id, "stackTrace": []}
            log_error(doc)
            flush()
            api.fail(request_id, doc)
            return
        flush()
        api.respond(request_id, payload)
    except Exception as exc:
        doc = error_document(exc)
        doc["requestId"] = request_id
        log_error(doc)
        flush()
        api.fail(request_id, doc)


def flush():
    sys.stdout.flush()
    sys.stderr.flush()


def main():
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    install_endpoint_hook()
    install_logging()
    setup_sys_path()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except InitError as exc:
        log_error(exc.doc)
        flush()
        api.fail_init(exc.doc)
        sys.exit(1)
    while True:
        headers, body = api.next()
        handle_one(api, handler, headers, body)


if __name__ == "__main__":
    main()
