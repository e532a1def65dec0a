"""DynamoDB behaviours where an emulator commonly differs from AWS (issue 17), third part: index
definitions in UpdateTable, projections, attribute definitions, transactions that remove from a
missing item, required parameters, request encodings and capacity shapes. boto3 without
client-side validation, so that the service's own answer is seen."""
import re

import pytest

from test_dynamodb_fidelity import _post, error_of, raw_ddb, records, table  # noqa: F401  (fixture)

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
    # An attribute an index already uses cannot change its type either (once that index is built).
    wait_built(raw_ddb, t, "byg")
    idx2 = {"IndexName": "byg2", "KeySchema": [G], "Projection": {"ProjectionType": "ALL"}}
    code, msg = error_of(lambda: create_index(raw_ddb, t, idx2, [{"AttributeName": "g", "AttributeType": "N"}]))
    assert "Attributes cannot be redefined" in msg
    assert "Existing schema: Schema:[SchemaElement: key{g:S:HASH}]" in msg


def wait_built(c, t, name):
    import time
    for _ in range(100):
        if all(i["IndexStatus"] == "ACTIVE" for i in c.describe_table(TableName=t)["Table"]["GlobalSecondaryIndexes"]
               if i["IndexName"] == name):
            return
        time.sleep(0.02)
    raise AssertionError("index %s still building" % name)


def test_global_secondary_index_update_rules(raw_ddb):
    t = table(raw_ddb, "gsiu")
    idx = lambda n: {"Create": {"IndexName": n, "KeySchema": [G], "Projection": {"ProjectionType": "ALL"}}}
    limit = ("LimitExceededException",
             "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")
    ut = lambda *u: raw_ddb.update_table(TableName=t, AttributeDefinitions=G_DEF, GlobalSecondaryIndexUpdates=list(u))
    assert error_of(lambda: ut(idx("one"), idx("two"))) == limit
    assert error_of(lambda: ut({})) == (
        "ValidationException", "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, "
                               "GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null")
    assert error_of(lambda: ut({**idx("one"), "Delete": {"IndexName": "x"}})) == (
        "ValidationException", "One or more parameter values were invalid: Only one global secondary index action is "
                               "allowed per GlobalSecondaryIndexUpdate object")
    assert error_of(lambda: ut({"Delete": {"IndexName": "one"}}, idx("one"))) == (
        "ValidationException", "One or more parameter values were invalid: Only one global secondary index update per "
                               "index is allowed simultaneously. Index: one")
    assert "GlobalSecondaryIndexes" not in raw_ddb.describe_table(TableName=t)["Table"]
    ut(idx("one"))
    # Nothing else is created or deleted while it is built; then a name in use is refused.
    assert error_of(lambda: ut(idx("two"))) == limit
    wait_built(raw_ddb, t, "one")
    assert error_of(lambda: ut(idx("one"))) == ("ValidationException",
                                                "Attempting to create an index which already exists")
    assert error_of(lambda: ut(idx("two"), {"Delete": {"IndexName": "one"}})) == limit
    ut(idx("two"))
    assert sorted(i["IndexName"] for i in raw_ddb.describe_table(TableName=t)["Table"]["GlobalSecondaryIndexes"]) == [
        "one", "two"]


def test_a_created_index_throughput_follows_the_billing_mode(raw_ddb):
    raw_ddb.create_table(TableName="prov3", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    idx = {"IndexName": "byg", "KeySchema": [G], "Projection": {"ProjectionType": "ALL"}}
    assert error_of(lambda: create_index(raw_ddb, "prov3", idx)) == (
        "ValidationException", "One or more parameter values were invalid: ProvisionedThroughput must be specified "
                               "for index: byg")
    t = table(raw_ddb, "ppr3")
    pt = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    assert error_of(lambda: create_index(raw_ddb, t, {**idx, "ProvisionedThroughput": pt})) == (
        "ValidationException", "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                               "WriteCapacityUnits can be specified for index: byg when BillingMode is PAY_PER_REQUEST")
    create_index(raw_ddb, "prov3", {**idx, "ProvisionedThroughput": pt})
    d = raw_ddb.describe_table(TableName="prov3")["Table"]["GlobalSecondaryIndexes"][0]
    assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 1


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


def test_request_content_encodings(awan, raw_ddb):
    import json
    import zlib
    t = table(raw_ddb, "enc")
    item = {"pk": {"S": "d"}, "text": {"S": "deflated " * 200}}
    # deflate (zlib) bodies are inflated, as gzip ones.
    status, _ = _post(awan, "PutItem", zlib.compress(json.dumps({"TableName": t, "Item": item}).encode()), "deflate")
    assert status == 200
    assert raw_ddb.get_item(TableName=t, Key={"pk": {"S": "d"}})["Item"] == item
    # DynamoDB answers 500 to a coding it does not support, to a body that does not inflate and to an
    # empty one, and writes nothing.
    plain = json.dumps({"TableName": t, "Item": {"pk": {"S": "x"}}}).encode()
    for body, encoding in ((plain, "br"), (plain, "compress"), (plain, "gzip"), (plain, "deflate"),
                           (b"", "gzip"), (b"", "deflate")):
        status, out = _post(awan, "PutItem", body, encoding)
        assert (status, out["__type"].split("#")[-1]) == (500, "InternalServerError"), encoding
        assert out["message"] == "Internal server error"
    assert "Item" not in raw_ddb.get_item(TableName=t, Key={"pk": {"S": "x"}})


def ord_table(c):
    c.create_table(TableName="ord3", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                                {"AttributeName": "sk", "KeyType": "RANGE"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "S"}],
                   BillingMode="PAY_PER_REQUEST")
    c.put_item(TableName="ord3", Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "5"}, "s": {"S": "abc"}})
    return "ord3"


WANT_TYPE = "Incorrect operand type for operator or function; operator or function: %s, operand type: %s"


@pytest.mark.parametrize("low,high,kind", [({"M": {}}, {"M": {}}, "M"), ({"N": "1"}, {"SS": ["x"]}, "SS"),
                                           ({"NULL": True}, {"N": "9"}, "NULL")])
def test_between_unorderable_constants_in_filter_and_key_conditions(raw_ddb, low, high, kind):
    t = ord_table(raw_ddb)
    values = {":a": low, ":b": high}
    assert error_of(lambda: raw_ddb.scan(TableName=t, FilterExpression="n BETWEEN :a AND :b",
                                         ExpressionAttributeValues=values)) == (
        "ValidationException", "Invalid FilterExpression: " + WANT_TYPE % ("BETWEEN", kind))
    assert error_of(lambda: raw_ddb.query(TableName=t, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                                          ExpressionAttributeValues={":p": {"S": "a"}, **values})) == (
        "ValidationException", "Invalid KeyConditionExpression: " + WANT_TYPE % ("BETWEEN", kind))


def test_begins_with_operand_types_in_a_condition(raw_ddb):
    t = ord_table(raw_ddb)
    key = {"pk": {"S": "a"}, "sk": {"S": "1"}}

    def put(cond, value):
        return error_of(lambda: raw_ddb.put_item(TableName=t, Item=key, ConditionExpression=cond,
                                                 ExpressionAttributeValues={":v": value}))
    for value, kind in (({"N": "1"}, "N"), ({"L": []}, "L"), ({"BOOL": True}, "BOOL"), ({"SS": ["a"]}, "SS")):
        assert put("begins_with(s, :v)", value) == (
            "ValidationException", "Invalid ConditionExpression: " + WANT_TYPE % ("begins_with", kind))
    assert put("begins_with(:v, s)", {"N": "1"}) == (
        "ValidationException", "Invalid ConditionExpression: " + WANT_TYPE % ("begins_with", "N"))
    # A path of another type, or a binary prefix of a string, is only a false condition.
    assert put("begins_with(n, :v)", {"S": "5"})[0] == "ConditionalCheckFailedException"
    assert put("begins_with(s, :v)", {"B": b"a"})[0] == "ConditionalCheckFailedException"
    raw_ddb.put_item(TableName=t, Item=key, ConditionExpression="begins_with(s, :v)",
                     ExpressionAttributeValues={":v": {"S": "ab"}})


def test_expected_in_that_fails(raw_ddb):
    t = ord_table(raw_ddb)
    item = {"pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "6"}}
    assert error_of(lambda: raw_ddb.put_item(TableName=t, Item=item, Expected={
        "n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"N": "2"}]}})) == (
        "ConditionalCheckFailedException", "The conditional request failed")
    assert error_of(lambda: raw_ddb.put_item(TableName=t, Item=item, Expected={  # a missing attribute is not IN
        "nope": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "5"}]}}))[0] == "ConditionalCheckFailedException"
    assert raw_ddb.get_item(TableName=t, Key={"pk": {"S": "a"}, "sk": {"S": "1"}})["Item"]["n"] == {"N": "5"}
    raw_ddb.put_item(TableName=t, Item=item, Expected={
        "n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "2"}, {"N": "5"}]}})
    assert raw_ddb.get_item(TableName=t, Key={"pk": {"S": "a"}, "sk": {"S": "1"}})["Item"]["n"] == {"N": "6"}


def test_batch_get_item_member_constraints(raw_ddb):
    t = ord_table(raw_ddb)
    key = {"pk": {"S": "a"}, "sk": {"S": "1"}}
    base = "1 validation error detected: Value at 'RequestItems.%s.member." % t
    assert error_of(lambda: raw_ddb.batch_get_item(RequestItems={t: {"Keys": [key], "AttributesToGet": []}})) == (
        "ValidationException", base + "AttributesToGet' failed to satisfy constraint: Member must have length greater "
                                      "than or equal to 1")
    assert error_of(lambda: raw_ddb.batch_get_item(RequestItems={t: {"Keys": []}})) == (
        "ValidationException", base + "Keys' failed to satisfy constraint: Member must have length greater than or "
                                      "equal to 1")
    assert error_of(lambda: raw_ddb.batch_get_item(RequestItems={})) == (
        "ValidationException", "1 validation error detected: Value at 'RequestItems' failed to satisfy constraint: "
                               "Member must have length greater than or equal to 1")
    got = raw_ddb.batch_get_item(RequestItems={t: {"Keys": [key], "AttributesToGet": ["n"]}})
    assert got["Responses"][t] == [{"n": {"N": "5"}}]


def test_consumed_capacity_of_a_table_without_indexes(raw_ddb):
    # As DynamoDB answers (no ReadCapacityUnits / WriteCapacityUnits split outside transactions).
    t = ord_table(raw_ddb)
    key = {"pk": {"S": "a"}, "sk": {"S": "1"}}
    assert raw_ddb.scan(TableName=t, ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"] == {
        "TableName": t, "CapacityUnits": 0.5}
    assert raw_ddb.scan(TableName=t, ReturnConsumedCapacity="INDEXES", ConsistentRead=True)["ConsumedCapacity"] == {
        "TableName": t, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}
    assert raw_ddb.get_item(TableName=t, Key=key, ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"] == {
        "TableName": t, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.5}}
    assert raw_ddb.put_item(TableName=t, Item={"pk": {"S": "b"}, "sk": {"S": "1"}},
                            ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"] == {
        "TableName": t, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}
    assert raw_ddb.query(TableName=t, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}},
                         ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"] == {
        "TableName": t, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.5}}


def test_a_local_index_key_too_long_is_refused_at_write(raw_ddb):
    raw_ddb.create_table(TableName="lsik", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                                      {"AttributeName": "sk", "KeyType": "RANGE"}],
                         AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "l")],
                         BillingMode="PAY_PER_REQUEST",
                         LocalSecondaryIndexes=[{"IndexName": "byl", "KeySchema": [
                             {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                             "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    key = {"pk": {"S": "a"}, "sk": {"S": "1"}}
    assert error_of(lambda: raw_ddb.put_item(TableName="lsik", Item={**key, "l": {"S": "x" * 1025}})) == (
        "ValidationException", "One or more parameter values were invalid: Aggregated size of all range keys has "
                               "exceeded the size limit of 1024 bytes")
    assert error_of(lambda: raw_ddb.update_item(TableName="lsik", Key=key, UpdateExpression="SET l = :v",
                                                ExpressionAttributeValues={":v": {"S": "x" * 1025}}))[0] == (
        "ValidationException")
    assert "Item" not in raw_ddb.get_item(TableName="lsik", Key=key)
    raw_ddb.put_item(TableName="lsik", Item={**key, "l": {"S": "x" * 1024}})
    assert raw_ddb.query(TableName="lsik", IndexName="byl", KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": {"S": "a"}})["Count"] == 1


def test_a_local_index_of_three_key_elements_is_refused(raw_ddb):
    code, msg = error_of(lambda: raw_ddb.create_table(
        TableName="lsi3", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "l", "m")],
        LocalSecondaryIndexes=[{"IndexName": "byl", "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"},
            {"AttributeName": "m", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]))
    assert code == "ValidationException"
    assert re.fullmatch(r"1 validation error detected: Value '\[(com\.amazonaws\.dynamodb\.v20120810\.KeySchemaElement@"
                        r"[0-9a-f]+(, )?){3}\]' at 'localSecondaryIndexes\.1\.member\.keySchema' failed to satisfy "
                        r"constraint: Member must have length less than or equal to 2", msg), msg


def test_a_multi_attribute_index_with_an_include_projection(raw_ddb):
    raw_ddb.create_table(
        TableName="games", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t}
                              for n, t in (("id", "S"), ("tour", "S"), ("reg", "S"), ("rnd", "N"))],
        GlobalSecondaryIndexes=[{"IndexName": "byTour", "KeySchema": [
            {"AttributeName": "tour", "KeyType": "HASH"}, {"AttributeName": "reg", "KeyType": "HASH"},
            {"AttributeName": "rnd", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["score"]}}])
    for i, rnd in enumerate(("3", "1", "2")):
        raw_ddb.put_item(TableName="games", Item={"id": {"S": "g%d" % i}, "tour": {"S": "t"}, "reg": {"S": "eu"},
                                                  "rnd": {"N": rnd}, "score": {"N": str(10 * i)},
                                                  "notes": {"S": "not projected"}})
    raw_ddb.put_item(TableName="games", Item={"id": {"S": "other"}, "tour": {"S": "t"}, "reg": {"S": "us"},
                                              "rnd": {"N": "1"}})
    out = raw_ddb.query(TableName="games", IndexName="byTour",
                        KeyConditionExpression="tour = :t AND reg = :r AND rnd >= :n",
                        ExpressionAttributeValues={":t": {"S": "t"}, ":r": {"S": "eu"}, ":n": {"N": "2"}})
    assert out["Items"] == [
        {"id": {"S": "g2"}, "tour": {"S": "t"}, "reg": {"S": "eu"}, "rnd": {"N": "2"}, "score": {"N": "20"}},
        {"id": {"S": "g0"}, "tour": {"S": "t"}, "reg": {"S": "eu"}, "rnd": {"N": "3"}, "score": {"N": "0"}}]
    assert error_of(lambda: raw_ddb.query(
        TableName="games", IndexName="byTour", Select="ALL_ATTRIBUTES", KeyConditionExpression="tour = :t AND reg = :r",
        ExpressionAttributeValues={":t": {"S": "t"}, ":r": {"S": "eu"}}))[0] == "ValidationException"
