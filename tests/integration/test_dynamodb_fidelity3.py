"""DynamoDB behaviours where an emulator commonly differs from AWS (issue 17), third part: index
definitions in UpdateTable, projections, attribute definitions, transactions that remove from a
missing item, required parameters, request encodings and capacity shapes. boto3 without
client-side validation, so that the service's own answer is seen."""
import re

import pytest

from test_dynamodb_fidelity import error_of, raw_ddb, records, table  # noqa: F401  (fixture)

G = {"AttributeName": "g", "KeyType": "HASH"}
G_DEF = [{"AttributeName": "g", "AttributeType": "S"}]


def create_index(c, t, index, defs=G_DEF):
    return c.update_table(TableName=t, AttributeDefinitions=defs, GlobalSecondaryIndexUpdates=[{"Create": index}])


@pytest.mark.parametrize("index,message", [
    ({"IndexName": "ab", "KeySchema": [G], "Projection": {"ProjectionType": "ALL"}},
     "1 validation error detected: Value 'ab' at 'globalSecondaryIndexUpdates.1.member.create.indexName' failed to "
     "satisfy constraint: Member must have length greater than or equal to 3"),
    ({"IndexName": "a b", "KeySchema": [G], "Projection": {"ProjectionType": "ALL"}},
     "1 validation error detected: Value 'a b' at 'globalSecondaryIndexUpdates.1.member.create.indexName' failed to "
     "satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    ({"IndexName": "idx", "KeySchema": [G], "Projection": {"ProjectionType": "SOME"}},
     "1 validation error detected: Value 'SOME' at 'globalSecondaryIndexUpdates.1.member.create.projection."
     "projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]"),
    ({"IndexName": "idx", "KeySchema": [G], "Projection": {"ProjectionType": "INCLUDE"}},
     "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified"),
    ({"IndexName": "idx", "KeySchema": [G], "Projection": {"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["x"]}},
     "One or more parameter values were invalid: ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified"),
    ({"IndexName": "idx", "KeySchema": [{"AttributeName": "g", "KeyType": "RANGE"}],
      "Projection": {"ProjectionType": "ALL"}},
     "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
    ({"KeySchema": [G], "Projection": {"ProjectionType": "ALL"}},
     "1 validation error detected: Value null at 'globalSecondaryIndexUpdates.1.member.create.indexName' failed to "
     "satisfy constraint: Member must not be null"),
])
def test_update_table_validates_a_created_index_as_create_table_does(raw_ddb, index, message):
    t = table(raw_ddb, "upd")
    assert error_of(lambda: create_index(raw_ddb, t, index)) == ("ValidationException", message)
    assert "GlobalSecondaryIndexes" not in raw_ddb.describe_table(TableName=t)["Table"]


def test_update_table_attribute_definitions_of_a_created_index(raw_ddb):
    t = table(raw_ddb, "upd")
    idx = {"IndexName": "byg", "KeySchema": [G], "Projection": {"ProjectionType": "ALL"}}
    # The definitions must be sent (AWS: also when the table already defines the attribute).
    assert error_of(lambda: raw_ddb.update_table(TableName=t, GlobalSecondaryIndexUpdates=[{"Create": idx}])) == (
        "ValidationException", "One or more parameter values were invalid: AttributeDefinitions is not specified "
                               "for index: byg")
    # One attribute defined as S and as N.
    assert error_of(lambda: create_index(raw_ddb, t, idx, G_DEF + [{"AttributeName": "g", "AttributeType": "N"}])) == (
        "ValidationException", "Attribute Name is duplicated: g")
    # The table's key redefined with another type.
    by_pk = {"IndexName": "bypk", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}
    code, msg = error_of(lambda: create_index(raw_ddb, t, by_pk, [{"AttributeName": "pk", "AttributeType": "N"}]))
    assert (code, msg) == ("ValidationException", "One or more parameter values were invalid: Attributes cannot be "
                           "redefined. Please check that your attribute has the same type as previously defined. "
                           "Existing schema: Schema:[SchemaElement: key{pk:S:HASH}] "
                           "New schema: Schema:[SchemaElement: key{pk:N:HASH}]")
    assert error_of(lambda: create_index(raw_ddb, t, idx, [{"AttributeName": "x", "AttributeType": "S"}])) == (
        "ValidationException", "One or more parameter values were invalid: Some index key attributes are not defined "
                               "in AttributeDefinitions. Keys: [g], AttributeDefinitions: [x]")
    assert raw_ddb.describe_table(TableName=t)["Table"]["AttributeDefinitions"] == [
        {"AttributeName": "pk", "AttributeType": "S"}]
    # Accepted: definitions the index does not use are ignored (not added to the table's).
    create_index(raw_ddb, t, idx, G_DEF + [{"AttributeName": "unused", "AttributeType": "B"},
                                           {"AttributeName": "pk", "AttributeType": "N"}])
    d = raw_ddb.describe_table(TableName=t)["Table"]
    assert d["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "g", "AttributeType": "S"}]
    # An attribute an index already uses cannot change its type either.
    idx2 = {"IndexName": "byg2", "KeySchema": [G], "Projection": {"ProjectionType": "ALL"}}
    code, msg = error_of(lambda: create_index(raw_ddb, t, idx2, [{"AttributeName": "g", "AttributeType": "N"}]))
    assert "Attributes cannot be redefined" in msg
    assert "Existing schema: Schema:[SchemaElement: key{g:S:HASH}]" in msg


def gsi_table(c, projection):
    return c.create_table(TableName="proj", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                {"AttributeName": "g", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST",
                          GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [G], "Projection": projection}])


@pytest.mark.parametrize("projection,message", [
    ({"ProjectionType": "INCLUDE"},
     "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified"),
    ({"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b", "a"]},
     "One or more parameter values were invalid: Duplicate element in NonKeyAttributes: a"),
    ({"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["a"]},
     "One or more parameter values were invalid: ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified"),
    ({"ProjectionType": "INCLUDE", "NonKeyAttributes": []},
     "1 validation error detected: Value '[]' at 'globalSecondaryIndexes.1.member.projection.nonKeyAttributes' "
     "failed to satisfy constraint: Member must have length greater than or equal to 1"),
])
def test_projection_rules(raw_ddb, projection, message):
    assert error_of(lambda: gsi_table(raw_ddb, projection)) == ("ValidationException", message)
    assert "proj" not in raw_ddb.list_tables()["TableNames"]


def test_a_key_schema_of_three_elements_prints_the_java_list(raw_ddb):
    code, msg = error_of(lambda: raw_ddb.create_table(
        TableName="three", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": n, "KeyType": k} for n, k in (("a", "HASH"), ("b", "RANGE"), ("c", "RANGE"))],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in "abc"]))
    assert code == "ValidationException"
    element = r"com\.amazonaws\.dynamodb\.v20120810\.KeySchemaElement@[0-9a-f]+"
    assert re.fullmatch(r"1 validation error detected: Value '\[" + element + ", " + element + ", " + element +
                        r"\]' at 'keySchema' failed to satisfy constraint: Member must have length less than or "
                        r"equal to 2", msg), msg


@pytest.mark.parametrize("second_type", ["S", "N"])
def test_an_attribute_defined_twice(raw_ddb, second_type):
    assert error_of(lambda: raw_ddb.create_table(
        TableName="twice", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "pk", "AttributeType": second_type}])) == (
        "ValidationException", "Attribute Name is duplicated: pk")


def test_transact_update_of_only_removals_does_not_create_the_item(awan, raw_ddb):
    t = table(raw_ddb, "txr", stream=True)
    key = {"pk": {"S": "a"}}
    raw_ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": t, "Key": key, "UpdateExpression": "REMOVE x"}},
        {"Update": {"TableName": t, "Key": {"pk": {"S": "b"}}, "UpdateExpression": "DELETE s :v",
                    "ExpressionAttributeValues": {":v": {"SS": ["q"]}}}}])
    assert "Item" not in raw_ddb.get_item(TableName=t, Key=key)
    assert "Item" not in raw_ddb.get_item(TableName=t, Key={"pk": {"S": "b"}})
    assert records(awan, raw_ddb, t) == []
    # A SET among them creates it; on an existing item REMOVE modifies it.
    raw_ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": t, "Key": key, "UpdateExpression": "REMOVE x SET y = :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
    raw_ddb.transact_write_items(TransactItems=[{"Update": {"TableName": t, "Key": key, "UpdateExpression": "REMOVE y"}}])
    assert raw_ddb.get_item(TableName=t, Key=key)["Item"] == key
    assert records(awan, raw_ddb, t) == ["INSERT", "MODIFY"]


def test_a_missing_table_name(raw_ddb):
    required = ("ValidationException", "The parameter 'TableName' is required but was not present in the request")
    keys = dict(KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    # Checked before the model's constraints (the key schema's here).
    assert error_of(lambda: raw_ddb.create_table(**keys, ProvisionedThroughput={"ReadCapacityUnits": 0})) == required
    assert error_of(lambda: raw_ddb.describe_table()) == required
    assert error_of(lambda: raw_ddb.delete_table()) == required
    assert error_of(lambda: raw_ddb.update_table(BillingMode="PAY_PER_REQUEST")) == required
    assert error_of(lambda: raw_ddb.describe_time_to_live()) == required
    # The item operations name the member instead.
    assert error_of(lambda: raw_ddb.put_item(Item={"pk": {"S": "a"}})) == (
        "ValidationException", "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: "
                               "Member must not be null")


def _post_encoded(awan, body, encoding):
    import json
    import urllib.error
    import urllib.request
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.PutItem",
               "Content-Encoding": encoding,
               "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
                                "SignedHeaders=host, Signature=0"}
    try:
        with urllib.request.urlopen(urllib.request.Request(awan.endpoint + "/", data=body, headers=headers)) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_request_content_encodings(awan, raw_ddb):
    import json
    import zlib
    t = table(raw_ddb, "enc")
    item = {"pk": {"S": "d"}, "text": {"S": "deflated " * 200}}
    # deflate (zlib) bodies are inflated, as gzip ones.
    status, _ = _post_encoded(awan, zlib.compress(json.dumps({"TableName": t, "Item": item}).encode()), "deflate")
    assert status == 200
    assert raw_ddb.get_item(TableName=t, Key={"pk": {"S": "d"}})["Item"] == item
    # DynamoDB answers 500 to a coding it does not support, to a body that does not inflate and to an
    # empty one, and writes nothing.
    plain = json.dumps({"TableName": t, "Item": {"pk": {"S": "x"}}}).encode()
    for body, encoding in ((plain, "br"), (plain, "compress"), (plain, "gzip"), (plain, "deflate"),
                           (b"", "gzip"), (b"", "deflate")):
        status, out = _post_encoded(awan, body, encoding)
        assert (status, out["__type"].split("#")[-1]) == (500, "InternalServerError"), encoding
        assert out["message"] == "Internal server error"
    assert "Item" not in raw_ddb.get_item(TableName=t, Key={"pk": {"S": "x"}})
