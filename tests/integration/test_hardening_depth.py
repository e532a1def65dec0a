"""Nesting limits against the running daemon: deeply nested expressions, PartiQL statements,
JSON, XML and CBOR bodies and AttributeValues are each answered with a 400, and the daemon stays
up (/_awan/health answers after every request)."""
import json

import pytest

TARGET = "DynamoDB_20120810."
AUTH = ("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{svc}/aws4_request, "
        "SignedHeaders=host, Signature=0")


def post(awan, body, headers, path="/", method="POST"):
    status, _, out = awan.request(method, path, body, headers)
    return status, out


def ddb(awan, op, body, content_type="application/x-amz-json-1.0"):
    """POSTs a DynamoDB awsJson 1.0 request; returns (status, parsed body or raw bytes)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, out = post(awan, data, {"Content-Type": content_type, "X-Amz-Target": TARGET + op,
                                    "Authorization": AUTH.format(svc="dynamodb")})
    try:
        return status, json.loads(out)
    except ValueError:
        return status, out


def assert_alive(awan):
    status, _, _ = awan.request("GET", "/_awan/health")
    assert status == 200


def assert_validation(awan, status, body, fragment):
    assert status == 400, body
    assert body["__type"] == "com.amazon.coral.validate#ValidationException", body
    assert fragment in body["message"], body
    assert_alive(awan)


@pytest.fixture
def table(awan):
    status, body = ddb(awan, "CreateTable", {
        "TableName": "Deep", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    assert status == 200, body
    return "Deep"


def nested_condition(depth):
    return "(" * depth + "a = :v" + ")" * depth


# ---------------------------------------------------------------- expressions

def test_update_item_condition_of_4096_open_parentheses(awan, table):
    status, body = ddb(awan, "UpdateItem", {
        "TableName": table, "Key": {"pk": {"S": "k"}}, "UpdateExpression": "SET a = :v",
        "ConditionExpression": "(" * 4096, "ExpressionAttributeValues": {":v": {"S": "x"}}})
    assert_validation(awan, status, body, "Invalid ConditionExpression: The expression is nested too deeply")


def test_put_item_deep_condition_expression(awan, table):
    status, body = ddb(awan, "PutItem", {
        "TableName": table, "Item": {"pk": {"S": "k"}}, "ConditionExpression": nested_condition(2000),
        "ExpressionAttributeValues": {":v": {"S": "x"}}})
    assert_validation(awan, status, body, "Invalid ConditionExpression: The expression is nested too deeply")


def test_put_item_condition_of_many_nots(awan, table):
    status, body = ddb(awan, "PutItem", {
        "TableName": table, "Item": {"pk": {"S": "k"}}, "ConditionExpression": "NOT " * 1000 + "a = :v",
        "ExpressionAttributeValues": {":v": {"S": "x"}}})
    assert_validation(awan, status, body, "Invalid ConditionExpression: The expression is nested too deeply")


def test_scan_deep_filter_expression(awan, table):
    status, body = ddb(awan, "Scan", {
        "TableName": table, "FilterExpression": nested_condition(2000),
        "ExpressionAttributeValues": {":v": {"S": "x"}}})
    assert_validation(awan, status, body, "Invalid FilterExpression: The expression is nested too deeply")


def test_query_deep_key_condition_expression(awan, table):
    status, body = ddb(awan, "Query", {
        "TableName": table, "KeyConditionExpression": "(" * 2000 + "pk = :v" + ")" * 2000,
        "ExpressionAttributeValues": {":v": {"S": "x"}}})
    assert_validation(awan, status, body, "Invalid KeyConditionExpression: The expression is nested too deeply")


def test_update_item_deep_update_expression(awan, table):
    status, body = ddb(awan, "UpdateItem", {
        "TableName": table, "Key": {"pk": {"S": "k"}},
        "UpdateExpression": "SET a = " + "(" * 2000 + ":v" + ")" * 2000,
        "ExpressionAttributeValues": {":v": {"S": "x"}}})
    assert_validation(awan, status, body, "Invalid UpdateExpression: The expression is nested too deeply")


def test_update_item_deeply_nested_functions(awan, table):
    status, body = ddb(awan, "UpdateItem", {
        "TableName": table, "Key": {"pk": {"S": "k"}},
        "UpdateExpression": "SET a = " + "if_not_exists(a," * 240 + ":v" + ")" * 240,
        "ExpressionAttributeValues": {":v": {"S": "x"}}})
    assert_validation(awan, status, body, "Invalid UpdateExpression: The expression is nested too deeply")


def test_get_item_deep_projection_expression(awan, table):
    status, body = ddb(awan, "GetItem", {
        "TableName": table, "Key": {"pk": {"S": "k"}}, "ProjectionExpression": "a" + ".a" * 2000})
    assert_validation(awan, status, body, "Invalid ProjectionExpression: The document path has too many nesting levels")


# ---------------------------------------------------------------- PartiQL

@pytest.mark.parametrize("statement", [
    "SELECT * FROM Deep WHERE " + "(" * 4000 + "a = 1" + ")" * 4000,
    "SELECT * FROM Deep WHERE " + "NOT " * 2000 + "a = 1",
    "SELECT * FROM Deep WHERE a = " + "(" * 4000 + "1" + ")" * 4000,
    "INSERT INTO Deep VALUE {'pk': 'k', 'a': " + "[" * 4000 + "]" * 4000 + "}",
    "INSERT INTO Deep VALUE {'pk': 'k', 'a': " + "{'a': " * 1300 + "1" + "}" * 1300 + "}",
], ids=["parentheses", "nots", "operand_parentheses", "list_literal", "map_literal"])
def test_execute_statement_deep_partiql(awan, table, statement):
    status, body = ddb(awan, "ExecuteStatement", {"Statement": statement})
    assert status == 400, body
    assert body["__type"] == "com.amazon.coral.validate#ValidationException", body
    assert_alive(awan)


# ---------------------------------------------------------------- bodies

DEEP = 100_000


@pytest.mark.parametrize("body", [b"[" * DEEP + b"]" * DEEP, b'{"a":' * DEEP + b"1" + b"}" * DEEP],
                         ids=["arrays", "objects"])
@pytest.mark.parametrize("op", ["PutItem", "ExecuteStatement", "TransactWriteItems", "CreateTable"])
def test_dynamodb_deep_json_body(awan, op, body):
    status, out = ddb(awan, op, body)
    assert status == 400, out
    assert out["__type"] == "com.amazon.coral.service#SerializationException", out
    assert "nested too deeply" in out["message"], out
    assert_alive(awan)


@pytest.mark.parametrize("body", [b"[" * DEEP + b"]" * DEEP, b'{"a":' * DEEP + b"1" + b"}" * DEEP],
                         ids=["arrays", "objects"])
def test_iam_deep_json_body(awan, body):
    status, _ = post(awan, body, {"Content-Type": "application/x-amz-json-1.1",
                                  "Authorization": AUTH.format(svc="iam")})
    assert status == 400
    assert_alive(awan)


def nested_value(levels, kind="M"):
    """The JSON text of an AttributeValue of `levels` levels (levels - 1 M or L wrappers)."""
    if kind == "M":
        return '{"M":{"a":' * (levels - 1) + '{"S":"leaf"}' + "}}" * (levels - 1)
    return '{"L":[' * (levels - 1) + '{"S":"leaf"}' + "]}" * (levels - 1)


def put_item_body(table, value):
    return ('{"TableName":"%s","Item":{"pk":{"S":"k"},"a":%s}}' % (table, value)).encode()


@pytest.mark.parametrize("kind", ["M", "L"])
def test_put_item_attribute_value_of_32_levels(awan, table, kind):
    status, out = ddb(awan, "PutItem", put_item_body(table, nested_value(32, kind)))
    assert status == 200, out
    assert_alive(awan)


@pytest.mark.parametrize("kind", ["M", "L"])
@pytest.mark.parametrize("levels", [33, 60])
def test_put_item_attribute_value_beyond_32_levels(awan, table, kind, levels):
    status, out = ddb(awan, "PutItem", put_item_body(table, nested_value(levels, kind)))
    assert_validation(awan, status, out, "Nesting Levels have exceeded supported limits: "
                                         "Attributes in the item have nested levels beyond supported limit")


@pytest.mark.parametrize("kind", ["M", "L"])
def test_put_item_attribute_value_of_10000_levels(awan, table, kind):
    status, out = ddb(awan, "PutItem", put_item_body(table, nested_value(10_000, kind)))
    assert status == 400, out
    assert out["__type"] == "com.amazon.coral.service#SerializationException", out
    assert "nested too deeply" in out["message"], out
    assert_alive(awan)


def test_condition_value_of_10000_levels(awan, table):
    body = ('{"TableName":"%s","Item":{"pk":{"S":"k"}},"ConditionExpression":"a = :v",'
            '"ExpressionAttributeValues":{":v":%s}}' % (table, nested_value(10_000))).encode()
    status, out = ddb(awan, "PutItem", body)
    assert status == 400, out
    assert out["__type"] == "com.amazon.coral.service#SerializationException", out
    assert_alive(awan)


def test_deep_xml_body(awan):
    body = b"<Tagging>" + b"<TagSet>" * DEEP + b"</TagSet>" * DEEP + b"</Tagging>"
    status, out = post(awan, body, {"Content-Type": "application/xml",
                                    "Authorization": AUTH.format(svc="s3")}, path="/bucket?tagging", method="PUT")
    assert status == 400
    assert b"<Code>MalformedXML</Code>" in out
    assert_alive(awan)


def test_deep_cbor_body(awan):
    # A CBOR array of arrays, DEEP levels; DynamoDB here speaks JSON only: not even UTF-8.
    status, out = ddb(awan, "PutItem", b"\x81" * DEEP + b"\x01", content_type="application/x-amz-cbor-1.1")
    assert status == 400, out
    assert out["__type"] == "com.amazon.coral.service#SerializationException", out
    assert out["message"] == "Invalid UTF-8 start byte 0x81", out
    assert_alive(awan)


# ---------------------------------------------------------------- messages and numbers

def test_truncated_json_says_end_of_input(awan):
    status, out = ddb(awan, "GetItem", b'{"TableName": "Deep", "Key": {')
    assert status == 400
    assert out == {"__type": "com.amazon.coral.service#SerializationException", "message": "Unexpected end-of-input"}


def test_invalid_utf8_is_named(awan):
    status, out = ddb(awan, "GetItem", b'{"TableName": "\xff"}')
    assert status == 400
    assert out["message"] == "Invalid UTF-8 start byte 0xff"


def test_limit_beyond_64_bits_is_not_wrapped(awan, table):
    status, out = ddb(awan, "Scan", b'{"TableName": "Deep", "Limit": 99999999999999999999999999999}')
    assert status == 400
    assert out == {"__type": "com.amazon.coral.service#SerializationException",
                   "message": "NUMBER_VALUE cannot be converted to Integer"}


def test_iam_max_items_beyond_64_bits_is_not_wrapped(awan):
    status, out = post(awan, b"Action=ListUsers&Version=2010-05-08&MaxItems=99999999999999999999999999999",
                       {"Content-Type": "application/x-www-form-urlencoded",
                        "Authorization": AUTH.format(svc="iam")})
    assert status == 400
    assert b"<Code>InvalidParameterValue</Code>" in out
    assert b"-9223372036854775808" not in out
