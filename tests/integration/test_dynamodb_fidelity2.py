"""More DynamoDB behaviours where an emulator commonly differs from AWS (issue 17): function
operand types, the legacy condition parameters, numbers, Query rules, capacity, validation
messages, Streams and multi-attribute index keys. boto3 without client-side validation, so that
the service's own answer is seen."""
import pytest
from botocore.exceptions import ClientError

from test_dynamodb_fidelity import error_of, raw_ddb, sorted_table, table  # noqa: F401  (fixture)


def test_attribute_type_of_a_path_names_every_type(raw_ddb):
    t = sorted_table(raw_ddb)
    code, msg = error_of(lambda: raw_ddb.scan(TableName=t, FilterExpression="attribute_type(n, sk)"))
    assert (code, msg) == ("ValidationException", "Invalid FilterExpression: Incorrect operand type for operator or "
                           "function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}")
    code, msg = error_of(lambda: raw_ddb.put_item(TableName=t, Item={"pk": {"S": "a"}, "sk": {"S": "1"}},
                                                  ConditionExpression="attribute_type(n, size(sk))"))
    assert msg.endswith("operator or function: attribute_type, operand type: N")
    code, msg = error_of(lambda: raw_ddb.query(TableName=t, KeyConditionExpression="pk = :p AND begins_with(sk, :v)",
                                               ExpressionAttributeValues={":p": {"S": "a"}, ":v": {"N": "1"}}))
    assert msg == ("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or "
                   "function: begins_with, operand type: N")


KEY = {"pk": {"S": "a"}}


def legacy_table(c):
    t = table(c, "legacy")
    c.put_item(TableName=t, Item={**KEY, "s": {"S": "abc"}, "n": {"N": "5"}, "ss": {"SS": ["x", "y"]},
                                  "ns": {"NS": ["1", "2"]}})
    return t


def expected_error(c, t, expected, **kw):
    return error_of(lambda: c.put_item(TableName=t, Item=KEY, Expected=expected, **kw))


@pytest.mark.parametrize("op,value", [("LE", {"SS": ["a"]}), ("LT", {"BOOL": True}), ("GT", {"L": []}),
                                      ("GE", {"NULL": True}), ("IN", {"M": {}}), ("CONTAINS", {"SS": ["x"]}),
                                      ("NOT_CONTAINS", {"L": []}), ("BEGINS_WITH", {"N": "1"})])
def test_expected_refuses_an_argument_type_its_operator_cannot_use(raw_ddb, op, value):
    t = legacy_table(raw_ddb)
    want = ("ValidationException", "One or more parameter values were invalid: ComparisonOperator %s is not valid "
            "for %s AttributeValue type" % (op, list(value)[0]))
    assert expected_error(raw_ddb, t, {"n": {"ComparisonOperator": op, "AttributeValueList": [value]}}) == want
    assert error_of(lambda: raw_ddb.scan(TableName=t, ScanFilter={
        "n": {"ComparisonOperator": op, "AttributeValueList": [value]}})) == want
    assert raw_ddb.get_item(TableName=t, Key=KEY)["Item"]["n"] == {"N": "5"}


def test_expected_between_and_in_arguments(raw_ddb):
    t = legacy_table(raw_ddb)
    assert expected_error(raw_ddb, t, {"n": {"ComparisonOperator": "BETWEEN",
                                             "AttributeValueList": [{"N": "9"}, {"N": "1"}]}}) == (
        "ValidationException", "The BETWEEN condition was provided a range where the lower bound is greater than the "
                               "upper bound")
    same = ("ValidationException", "One or more parameter values were invalid: AttributeValues inside "
                                   "AttributeValueList must be of same type")
    assert expected_error(raw_ddb, t, {"n": {"ComparisonOperator": "BETWEEN",
                                             "AttributeValueList": [{"N": "1"}, {"S": "9"}]}}) == same
    assert expected_error(raw_ddb, t, {"n": {"ComparisonOperator": "IN",
                                             "AttributeValueList": [{"N": "5"}, {"S": "5"}]}}) == same
    assert expected_error(raw_ddb, t, {"n": {"ComparisonOperator": "EQ"}}) == (
        "ValidationException", "One or more parameter values were invalid: Value or AttributeValueList must be used "
                               "with ComparisonOperator: EQ for Attribute: n")
    # In range / in the list: the write goes through.
    raw_ddb.put_item(TableName=t, Item={**KEY, "n": {"N": "5"}}, Expected={
        "n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "9"}]}})
    raw_ddb.put_item(TableName=t, Item={**KEY, "n": {"N": "5"}}, Expected={
        "n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "4"}, {"N": "5"}]}})


def test_expected_contains_on_sets_and_strings(raw_ddb):
    t = legacy_table(raw_ddb)
    item = raw_ddb.get_item(TableName=t, Key=KEY)["Item"]
    ok = [{"ss": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "x"}]}},
          {"ns": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"N": "2"}]}},
          {"s": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "bc"}]}},
          {"ss": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "z"}]}},
          {"s": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "zz"}]}}]
    for e in ok:
        raw_ddb.put_item(TableName=t, Item=item, Expected=e)
    for e in [{"ss": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "z"}]}},
              {"ns": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "1"}]}},
              {"s": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "ab"}]}}]:
        assert expected_error(raw_ddb, t, e)[0] == "ConditionalCheckFailedException"


def test_conditional_operator_needs_two_conditions(raw_ddb):
    t = legacy_table(raw_ddb)
    assert error_of(lambda: raw_ddb.put_item(TableName=t, Item=KEY, ConditionalOperator="OR")) == (
        "ValidationException", "ConditionalOperator cannot be used without Filter or Expected")
    one = ("ValidationException", "ConditionalOperator can only be used when Filter or Expected has two or more elements")
    assert expected_error(raw_ddb, t, {"n": {"ComparisonOperator": "NOT_NULL"}}, ConditionalOperator="OR") == one
    assert error_of(lambda: raw_ddb.scan(TableName=t, ScanFilter={"n": {"ComparisonOperator": "NOT_NULL"}},
                                         ConditionalOperator="AND")) == one
    assert error_of(lambda: raw_ddb.scan(TableName=t, ConditionalOperator="AND"))[1] == (
        "ConditionalOperator cannot be used without Filter or Expected")
    # An empty Expected is no condition at all.
    raw_ddb.put_item(TableName=t, Item={**KEY, "v": {"S": "new"}}, Expected={})
    raw_ddb.put_item(TableName=t, Item={**KEY, "v": {"S": "newer"}}, ConditionalOperator="OR", Expected={
        "n": {"ComparisonOperator": "NOT_NULL"}, "v": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "new"}]}})
    assert raw_ddb.get_item(TableName=t, Key=KEY)["Item"]["v"] == {"S": "newer"}


def test_query_filter_rules(raw_ddb):
    t = sorted_table(raw_ddb)
    raw_ddb.put_item(TableName=t, Item={"pk": {"S": "a"}, "sk": {"S": "2"}, "s": {"S": "abc"}, "n": {"N": "7"}})
    kc = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}

    def q(f):
        return lambda: raw_ddb.query(TableName=t, KeyConditions=kc, QueryFilter=f)
    for k in ("pk", "sk"):
        assert error_of(q({k: {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "1"}]}})) == (
            "ValidationException", "QueryFilter can only contain non-primary key attributes: Primary key attribute: " + k)
    assert error_of(q({"n": {"ComparisonOperator": "LT", "AttributeValueList": [{"M": {}}]}}))[1] == (
        "One or more parameter values were invalid: ComparisonOperator LT is not valid for M AttributeValue type")
    assert error_of(q({"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "9"}, {"N": "1"}]}}))[1] == (
        "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
    assert error_of(q({"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"S": "9"}]}}))[1] == (
        "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type")
    assert error_of(q({"s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"N": "1"}]}}))[1] == (
        "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type")
    out = raw_ddb.query(TableName=t, KeyConditions=kc,
                        QueryFilter={"s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "ab"}]}})
    assert [i["sk"]["S"] for i in out["Items"]] == ["2"] and out["ScannedCount"] == 2
    assert error_of(lambda: raw_ddb.query(TableName=t, KeyConditions={**kc, "sk": {
        "ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "9"}, {"S": "1"}]}}))[1] == (
        "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")


OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"


@pytest.mark.parametrize("expr,a,b", [("SET v = :a + :b", "1e50", "1"), ("SET v = :a - :b", "1e50", "1"),
                                      ("SET v = :a + :b", "0.1", "12345678901234567890123456789012345678"),
                                      ("SET v = :a + :b", "9e125", "9e125")])
def test_arithmetic_beyond_38_digits_is_an_overflow(raw_ddb, expr, a, b):
    t = table(raw_ddb, "nums")
    assert error_of(lambda: raw_ddb.update_item(TableName=t, Key=KEY, UpdateExpression=expr, ExpressionAttributeValues={
        ":a": {"N": a}, ":b": {"N": b}})) == ("ValidationException", OVERFLOW)
    assert "Item" not in raw_ddb.get_item(TableName=t, Key=KEY)


def test_add_keeps_38_digits_and_refuses_more(raw_ddb):
    t = table(raw_ddb, "nums")
    raw_ddb.put_item(TableName=t, Item={**KEY, "v": {"N": "99999999999999999999999999999999999999"}})
    out = raw_ddb.update_item(TableName=t, Key=KEY, UpdateExpression="ADD v :one",
                              ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW")
    assert out["Attributes"]["v"] == {"N": "1" + "0" * 38}
    raw_ddb.put_item(TableName=t, Item={**KEY, "v": {"N": "1e50"}})
    assert error_of(lambda: raw_ddb.update_item(TableName=t, Key=KEY, UpdateExpression="ADD v :one",
                                                ExpressionAttributeValues={":one": {"N": "1"}})) == (
        "ValidationException", OVERFLOW)
    assert error_of(lambda: raw_ddb.update_item(TableName=t, Key=KEY, AttributeUpdates={
        "v": {"Action": "ADD", "Value": {"N": "1"}}})) == ("ValidationException", OVERFLOW)
    assert error_of(lambda: raw_ddb.update_item(TableName=t, Key=KEY, UpdateExpression="SET w = :a - :b",
                                                ExpressionAttributeValues={":a": {"N": "2e-130"},
                                                                           ":b": {"N": "1.5e-130"}}))[1] == (
        "Number underflow. Attempting to store a number with magnitude smaller than supported range")


def indexed_table(c):
    c.create_table(TableName="idx", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "sk", "KeyType": "RANGE"}],
                   AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "g", "l")],
                   BillingMode="PAY_PER_REQUEST",
                   GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "KEYS_ONLY"}}],
                   LocalSecondaryIndexes=[{"IndexName": "byl", "KeySchema": [
                       {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                       "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    for i in range(3):
        c.put_item(TableName="idx", Item={"pk": {"S": "a"}, "sk": {"S": str(i)}, "g": {"S": "x"}, "l": {"S": str(i)},
                                          "v": {"S": "v"}})
    return "idx"


P = {":p": {"S": "a"}}


def test_query_select_rules(raw_ddb):
    t = indexed_table(raw_ddb)
    q = dict(TableName=t, KeyConditionExpression="pk = :p", ExpressionAttributeValues=P)
    apa = ("ValidationException", "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
    assert error_of(lambda: raw_ddb.query(**q, Select="ALL_PROJECTED_ATTRIBUTES")) == apa
    assert error_of(lambda: raw_ddb.scan(TableName=t, Select="ALL_PROJECTED_ATTRIBUTES")) == apa
    assert error_of(lambda: raw_ddb.query(**q, Select="SPECIFIC_ATTRIBUTES"))[1] == (
        "One or more parameter values were invalid: Must specify the AttributesToGet or ProjectionExpression when "
        "choosing to get SPECIFIC_ATTRIBUTES")
    assert error_of(lambda: raw_ddb.query(**q, Select="COUNT", ProjectionExpression="v"))[1] == (
        "One or more parameter values were invalid: Cannot specify the ProjectionExpression when choosing to get COUNT")
    assert error_of(lambda: raw_ddb.query(TableName=t, IndexName="byg", KeyConditionExpression="g = :x",
                                          ExpressionAttributeValues={":x": {"S": "x"}}, Select="ALL_ATTRIBUTES"))[1] == (
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary "
        "index byg because its projection type is not ALL")
    # A local index fetches the rest from the table.
    out = raw_ddb.query(TableName=t, IndexName="byl", KeyConditionExpression="pk = :p", ExpressionAttributeValues=P,
                        Select="ALL_ATTRIBUTES")
    assert out["Count"] == 3 and out["Items"][0]["v"] == {"S": "v"}
    out = raw_ddb.query(TableName=t, IndexName="byg", KeyConditionExpression="g = :x",
                        ExpressionAttributeValues={":x": {"S": "x"}}, Select="ALL_PROJECTED_ATTRIBUTES")
    assert out["Count"] == 3 and "v" not in out["Items"][0]
    assert raw_ddb.query(**q, Select="COUNT")["Count"] == 3


def test_query_start_key_must_lie_in_the_queried_partition(raw_ddb):
    t = indexed_table(raw_ddb)
    q = dict(TableName=t, KeyConditionExpression="pk = :p", ExpressionAttributeValues=P)
    outside = ("ValidationException", "The provided starting key is outside query boundaries based on provided conditions")
    assert error_of(lambda: raw_ddb.query(**q, ExclusiveStartKey={"pk": {"S": "b"}, "sk": {"S": "1"}})) == outside
    assert error_of(lambda: raw_ddb.query(TableName=t, IndexName="byg", KeyConditionExpression="g = :x",
                                          ExpressionAttributeValues={":x": {"S": "x"}}, ExclusiveStartKey={
                                              "g": {"S": "y"}, "pk": {"S": "a"}, "sk": {"S": "1"}})) == outside
    assert error_of(lambda: raw_ddb.query(**q, ExclusiveStartKey={"pk": {"S": "a"}})) == (
        "ValidationException", "The provided starting key is invalid: The provided key element does not match the schema")
    out = raw_ddb.query(**q, ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"S": "0"}})
    assert [i["sk"]["S"] for i in out["Items"]] == ["1", "2"]


def test_key_conditions_on_non_key_attributes(raw_ddb):
    t = indexed_table(raw_ddb)
    assert error_of(lambda: raw_ddb.query(TableName=t, KeyConditionExpression="pk = :p AND v = :p",
                                          ExpressionAttributeValues=P)) == (
        "ValidationException", "Query condition missed key schema element: sk")
    assert error_of(lambda: raw_ddb.query(TableName=t, KeyConditionExpression="v = :p", ExpressionAttributeValues=P))[1] == (
        "Query condition missed key schema element: pk")
    three = ("ValidationException", "Conditions can be of length 1 or 2 only")
    eq = {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}
    assert error_of(lambda: raw_ddb.query(TableName=t, KeyConditions={"pk": eq, "sk": eq, "v": eq})) == three
    assert error_of(lambda: raw_ddb.query(TableName=t, KeyConditionExpression="pk = :p AND sk = :p AND v = :p",
                                          ExpressionAttributeValues=P)) == three
    assert error_of(lambda: raw_ddb.query(TableName=t, KeyConditions={})) == three


def test_write_capacity_counts_each_index_write(raw_ddb):
    t = indexed_table(raw_ddb)
    item = {"pk": {"S": "b"}, "sk": {"S": "1"}, "g": {"S": "y"}, "l": {"S": "1"}}
    out = raw_ddb.put_item(TableName=t, Item=item, ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert out == {"TableName": t, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 1.0},
                   "GlobalSecondaryIndexes": {"byg": {"CapacityUnits": 1.0}},
                   "LocalSecondaryIndexes": {"byl": {"CapacityUnits": 1.0}}}
    # TOTAL counts the index writes too.
    assert raw_ddb.put_item(TableName=t, Item={**item, "l": {"S": "2"}},
                            ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"] == {"TableName": t, "CapacityUnits": 3.0}
    raw_ddb.put_item(TableName=t, Item=item)
    # A changed index key: a delete and a put in the index; an unchanged entry: no index write.
    out = raw_ddb.put_item(TableName=t, Item={**item, "g": {"S": "z"}}, ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"] == {"TableName": t, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 1.0},
                                       "GlobalSecondaryIndexes": {"byg": {"CapacityUnits": 2.0}}}
    out = raw_ddb.update_item(TableName=t, Key={"pk": {"S": "b"}, "sk": {"S": "1"}}, UpdateExpression="SET v = :v",
                              ExpressionAttributeValues={":v": {"S": "1"}}, ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"] == {"TableName": t, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}
    out = raw_ddb.batch_write_item(RequestItems={t: [{"DeleteRequest": {"Key": {"pk": {"S": "b"}, "sk": {"S": "1"}}}},
                                                     {"PutRequest": {"Item": {"pk": {"S": "c"}, "sk": {"S": "1"}}}}]},
                                   ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"] == [{"TableName": t, "CapacityUnits": 4.0, "Table": {"CapacityUnits": 2.0},
                                        "GlobalSecondaryIndexes": {"byg": {"CapacityUnits": 1.0}},
                                        "LocalSecondaryIndexes": {"byl": {"CapacityUnits": 1.0}}}]


def test_a_local_index_read_that_fetches_pays_for_the_table(raw_ddb):
    t = indexed_table(raw_ddb)
    q = dict(TableName=t, IndexName="byl", KeyConditionExpression="pk = :p", ExpressionAttributeValues=P,
             ReturnConsumedCapacity="INDEXES")
    assert raw_ddb.query(**q)["ConsumedCapacity"] == {
        "TableName": t, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.0},
        "LocalSecondaryIndexes": {"byl": {"CapacityUnits": 0.5}}}
    # Three items fetched from the table, each one eventually consistent read.
    for extra in ({"Select": "ALL_ATTRIBUTES"}, {"ProjectionExpression": "v"}):
        assert raw_ddb.query(**q, **extra)["ConsumedCapacity"] == {
            "TableName": t, "CapacityUnits": 2.0, "Table": {"CapacityUnits": 1.5},
            "LocalSecondaryIndexes": {"byl": {"CapacityUnits": 0.5}}}
    out = raw_ddb.scan(TableName=t, IndexName="byg", ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert out == {"TableName": t, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.0},
                   "GlobalSecondaryIndexes": {"byg": {"CapacityUnits": 0.5}}}


def _post(awan, target, body):
    import json
    import urllib.error
    import urllib.request
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + target,
               "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
                                "SignedHeaders=host, Signature=0"}
    try:
        with urllib.request.urlopen(urllib.request.Request(awan.endpoint + "/", data=json.dumps(body).encode(),
                                                           headers=headers)) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_base64_without_padding_is_refused(awan, raw_ddb):
    import json
    t = table(raw_ddb, "bin")
    status, body = _post(awan, "PutItem", {"TableName": t, "Item": {"pk": {"S": "a"}, "b": {"B": "YWI"}}})
    assert status == 400
    out = json.loads(body)
    assert out["__type"].endswith("SerializationException")
    assert out["message"] == "Base64 encoded length is expected a multiple of 4 bytes but found: 3"
    assert _post(awan, "PutItem", {"TableName": t, "Item": {"pk": {"S": "a"}, "b": {"BS": ["YWI="]}}})[0] == 200


def test_tag_and_untag_answer_with_an_empty_body(awan, raw_ddb):
    t = table(raw_ddb, "tagged")
    arn = raw_ddb.describe_table(TableName=t)["Table"]["TableArn"]
    assert _post(awan, "TagResource", {"ResourceArn": arn, "Tags": [{"Key": "k", "Value": "v"}]}) == (200, b"")
    assert raw_ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    assert _post(awan, "UntagResource", {"ResourceArn": arn, "TagKeys": ["k"]}) == (200, b"")
    assert raw_ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


def test_attribute_name_limits(raw_ddb):
    long_key = "k" * 256
    code, msg = error_of(lambda: raw_ddb.create_table(
        TableName="names", KeySchema=[{"AttributeName": long_key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": long_key, "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST"))
    assert code == "ValidationException" and msg.startswith("2 validation errors detected: ")
    assert "at 'keySchema.1.member.attributeName' failed to satisfy constraint: Member must have length less than " \
           "or equal to 255" in msg
    assert "at 'attributeDefinitions.1.member.attributeName'" in msg
    raw_ddb.create_table(TableName="names", KeySchema=[{"AttributeName": "k" * 255, "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "k" * 255, "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
    key = {"k" * 255: {"S": "a"}}
    raw_ddb.put_item(TableName="names", Item={**key, "x" * 65535: {"S": "v"}})
    assert error_of(lambda: raw_ddb.put_item(TableName="names", Item={**key, "x" * 65536: {"S": "v"}})) == (
        "ValidationException", "One or more parameter values were invalid: Attribute name is too large, must be less "
                               "than 65536 bytes")


def test_required_parameters_and_limits(raw_ddb):
    t = sorted_table(raw_ddb)
    assert error_of(lambda: raw_ddb.get_item(Key={"pk": {"S": "a"}})) == (
        "ValidationException", "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: "
                               "Member must not be null")
    assert error_of(lambda: raw_ddb.scan(TableName=t, Limit=0))[1] == (
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value "
        "greater than or equal to 1")
    assert error_of(lambda: raw_ddb.batch_get_item(RequestItems={t: {"Keys": [
        {"pk": {"S": str(i)}, "sk": {"S": "1"}} for i in range(101)]}}))[1] == (
        "1 validation error detected: Value at 'RequestItems.%s.member.Keys' failed to satisfy constraint: Member "
        "must have length less than or equal to 100" % t)
    # One name twice with one definition: AWS says the key has no definition; with two, the names clash.
    assert error_of(lambda: raw_ddb.create_table(
        TableName="dup", KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "a", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST"))[1] == (
        "Invalid KeySchema: Some index key attribute have no definition")
    assert error_of(lambda: raw_ddb.create_table(
        TableName="dup", KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "a", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST"))[1] == (
        "Both the Hash Key and the Range Key element in the KeySchema have the same name")
    cond = " AND ".join("attribute_not_exists(abcdefghij%d)" % i for i in range(200))
    code, msg = error_of(lambda: raw_ddb.put_item(TableName=t, Item={"pk": {"S": "a"}, "sk": {"S": "1"}},
                                                  ConditionExpression=cond))
    assert msg == ("Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression "
                   "size: %d" % len(cond))
    assert error_of(lambda: raw_ddb.transact_get_items(TransactItems=[{"Get": {"TableName": t, "Key": {
        "pk": {"S": "a"}}}}])) == ("ValidationException", "The provided key element does not match the schema")


def test_streams_refuse_malformed_arns_and_miss_well_formed_ones(awan, raw_ddb):
    import boto3
    import botocore.config
    s = boto3.client("dynamodbstreams", endpoint_url=awan.endpoint, region_name="us-east-1",
                     aws_access_key_id="test", aws_secret_access_key="test",
                     config=botocore.config.Config(parameter_validation=False))
    table(raw_ddb, "streamed", stream=True)
    bad = "kossaapaaasdafsdaasdasdasdasasdasfadfadfasdasdas"
    missing = "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2026-01-01T00:00:00.000"
    assert error_of(lambda: s.list_streams(ExclusiveStartStreamArn=bad))[0] == "ValidationException"
    assert error_of(lambda: s.describe_stream(StreamArn=bad))[0] == "ValidationException"
    assert error_of(lambda: s.get_shard_iterator(StreamArn=bad, ShardId="shardId-1", ShardIteratorType="LATEST"))[0] == (
        "ValidationException")
    assert error_of(lambda: s.describe_stream(StreamArn="abc")) == (
        "ValidationException", "1 validation error detected: Value 'abc' at 'streamArn' failed to satisfy constraint: "
                               "Member must have length greater than or equal to 37")
    assert error_of(lambda: s.describe_stream(StreamArn=missing)) == (
        "ResourceNotFoundException", "Requested resource not found: Stream: %s not found" % missing)
    assert error_of(lambda: s.list_streams(ExclusiveStartStreamArn=missing))[0] == "ResourceNotFoundException"
    arn = s.list_streams()["Streams"][0]["StreamArn"]
    assert s.describe_stream(StreamArn=arn)["StreamDescription"]["StreamArn"] == arn
    assert s.list_streams(ExclusiveStartStreamArn=arn)["Streams"] == []


MATCH_ATTRS = [("id", "S"), ("tour", "S"), ("reg", "S"), ("rnd", "S"), ("brk", "S"), ("seqn", "N")]
MULTI_KEYS = [{"AttributeName": "tour", "KeyType": "HASH"}, {"AttributeName": "reg", "KeyType": "HASH"},
              {"AttributeName": "rnd", "KeyType": "RANGE"}, {"AttributeName": "brk", "KeyType": "RANGE"},
              {"AttributeName": "seqn", "KeyType": "RANGE"}]


def matches_table(c, indexes=None, projection=None):
    kw = {}
    if indexes is not False:
        kw["GlobalSecondaryIndexes"] = indexes or [{"IndexName": "byTourReg", "KeySchema": MULTI_KEYS,
                                                    "Projection": projection or {"ProjectionType": "ALL"}}]
    c.create_table(TableName="matches", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in MATCH_ATTRS
                                         if indexes is not False or n == "id"],
                   BillingMode="PAY_PER_REQUEST", **kw)


def put_matches(c):
    n = 0
    for tour in ("W24", "S25"):
        for reg in ("NA", "EU"):
            for rnd in ("FINAL", "SEMI"):
                for brk in ("LOWER", "UPPER"):
                    for seq in (1, 2, 10):
                        n += 1
                        c.put_item(TableName="matches", Item={
                            "id": {"S": "m%d" % n}, "tour": {"S": tour}, "reg": {"S": reg}, "rnd": {"S": rnd},
                            "brk": {"S": brk}, "seqn": {"N": str(seq)}, "score": {"N": str(n)}})
    # Sparse: an item missing one of the key attributes is not in the index.
    c.put_item(TableName="matches", Item={"id": {"S": "partial"}, "tour": {"S": "W24"}, "reg": {"S": "NA"},
                                          "rnd": {"S": "SEMI"}})


TR = {":t": {"S": "W24"}, ":r": {"S": "NA"}}


def mq(c, cond, values=None, **kw):
    out = c.query(TableName="matches", IndexName="byTourReg", KeyConditionExpression="tour = :t AND reg = :r" + cond,
                  ExpressionAttributeValues={**TR, **(values or {})}, **kw)
    return [(i["rnd"]["S"], i["brk"]["S"], int(i["seqn"]["N"])) for i in out["Items"]]


def test_multi_attribute_gsi_keys_create_describe_and_query(raw_ddb):
    matches_table(raw_ddb)
    ix = raw_ddb.describe_table(TableName="matches")["Table"]["GlobalSecondaryIndexes"][0]
    assert ix["KeySchema"] == MULTI_KEYS
    put_matches(raw_ddb)
    everything = mq(raw_ddb, "")
    assert len(everything) == 12 and everything == sorted(everything)  # tuple order, numbers by value
    assert everything[:3] == [("FINAL", "LOWER", 1), ("FINAL", "LOWER", 2), ("FINAL", "LOWER", 10)]
    assert mq(raw_ddb, " AND rnd = :x", {":x": {"S": "SEMI"}}) == [x for x in everything if x[0] == "SEMI"]
    assert mq(raw_ddb, " AND rnd = :x AND brk = :b AND seqn > :n",
              {":x": {"S": "SEMI"}, ":b": {"S": "UPPER"}, ":n": {"N": "1"}}) == [("SEMI", "UPPER", 2), ("SEMI", "UPPER", 10)]
    assert mq(raw_ddb, " AND begins_with(rnd, :x)", {":x": {"S": "F"}}) == [x for x in everything if x[0] == "FINAL"]
    assert mq(raw_ddb, " AND rnd < :x", {":x": {"S": "SEMI"}}) == [x for x in everything if x[0] == "FINAL"]
    assert mq(raw_ddb, " AND rnd <= :x", {":x": {"S": "FINAL"}}, ScanIndexForward=False) == [
        x for x in reversed(everything) if x[0] == "FINAL"]
    assert mq(raw_ddb, " AND rnd = :x AND brk BETWEEN :a AND :b",
              {":x": {"S": "FINAL"}, ":a": {"S": "L"}, ":b": {"S": "LOWER"}}) == everything[:3]
    # Pages continue from the LastEvaluatedKey, which names every key attribute.
    first = raw_ddb.query(TableName="matches", IndexName="byTourReg", KeyConditionExpression="tour = :t AND reg = :r",
                          ExpressionAttributeValues=TR, Limit=5)
    assert set(first["LastEvaluatedKey"]) == {"id", "tour", "reg", "rnd", "brk", "seqn"}
    rest = raw_ddb.query(TableName="matches", IndexName="byTourReg", KeyConditionExpression="tour = :t AND reg = :r",
                         ExpressionAttributeValues=TR, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert len(first["Items"]) + len(rest["Items"]) == 12
    assert raw_ddb.scan(TableName="matches", IndexName="byTourReg")["Count"] == 48
    out = raw_ddb.execute_statement(Statement='SELECT * FROM "matches"."byTourReg" WHERE tour = ? AND reg = ?',
                                    Parameters=[{"S": "W24"}, {"S": "NA"}])
    assert len(out["Items"]) == 12


@pytest.mark.parametrize("cond,values,message", [
    ("", None, "Query condition missed key schema element: reg"),
    (" AND brk = :b", {":b": {"S": "UPPER"}}, "Query condition missed key schema element: rnd"),
    (" AND rnd > :x AND brk = :b", {":x": {"S": "A"}, ":b": {"S": "UPPER"}}, "Query key condition not supported"),
])
def test_multi_attribute_gsi_key_conditions_are_checked(raw_ddb, cond, values, message):
    matches_table(raw_ddb)
    expr = ("tour = :t" if not cond and values is None else "tour = :t AND reg = :r") + cond
    vals = {":t": {"S": "W24"}} if not cond and values is None else {**TR, **(values or {})}
    assert error_of(lambda: raw_ddb.query(TableName="matches", IndexName="byTourReg", KeyConditionExpression=expr,
                                          ExpressionAttributeValues=vals)) == ("ValidationException", message)


def test_multi_attribute_gsi_writes_projections_and_backfill(raw_ddb):
    import time
    matches_table(raw_ddb, indexes=False)
    put_matches(raw_ddb)
    raw_ddb.update_table(TableName="matches",
                         AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in MATCH_ATTRS],
                         GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "byTourReg", "KeySchema": MULTI_KEYS,
                                                                  "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
    for _ in range(100):
        ix = raw_ddb.describe_table(TableName="matches")["Table"]["GlobalSecondaryIndexes"][0]
        if ix["IndexStatus"] == "ACTIVE":
            break
        time.sleep(0.05)
    assert ix["IndexStatus"] == "ACTIVE" and ix["ItemCount"] == 48 and ix["KeySchema"] == MULTI_KEYS
    out = raw_ddb.query(TableName="matches", IndexName="byTourReg", KeyConditionExpression="tour = :t AND reg = :r",
                        ExpressionAttributeValues=TR)
    assert out["Count"] == 12 and set(out["Items"][0]) == {"id", "tour", "reg", "rnd", "brk", "seqn"}
    # A write with a key attribute of the wrong type is refused; removing one leaves the index.
    assert error_of(lambda: raw_ddb.put_item(TableName="matches", Item={"id": {"S": "x"}, "seqn": {"S": "1"}}))[1] == (
        "One or more parameter values were invalid: Type mismatch for Index Key seqn Expected: N Actual: S "
        "IndexName: byTourReg")
    raw_ddb.update_item(TableName="matches", Key={"id": {"S": "m1"}}, UpdateExpression="REMOVE brk")
    assert len(mq(raw_ddb, "")) == 11


@pytest.mark.parametrize("keys,message", [
    ([{"AttributeName": "tour", "KeyType": "HASH"}, {"AttributeName": "rnd", "KeyType": "RANGE"},
      {"AttributeName": "reg", "KeyType": "HASH"}],
     "One or more parameter values were invalid: All HASH key attributes must precede RANGE key attributes in the "
     "KeySchema"),
    ([{"AttributeName": "tour", "KeyType": "HASH"}, {"AttributeName": "tour", "KeyType": "HASH"},
      {"AttributeName": "rnd", "KeyType": "RANGE"}],
     "The KeySchema contains multiple key attributes with the same name"),
    ([{"AttributeName": a, "KeyType": "HASH"} for a in ("tour", "reg", "rnd", "brk", "seqn")],
     "One or more parameter values were invalid: The KeySchema exceeds the maximum allowed number of HASH key "
     "attributes"),
    ([{"AttributeName": "tour", "KeyType": "HASH"}] +
     [{"AttributeName": a, "KeyType": "RANGE"} for a in ("reg", "rnd", "brk", "seqn", "id")],
     "One or more parameter values were invalid: The KeySchema exceeds the maximum allowed number of RANGE key "
     "attributes"),
    ([{"AttributeName": "rnd", "KeyType": "RANGE"}, {"AttributeName": "tour", "KeyType": "HASH"}],
     "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
])
def test_multi_attribute_gsi_key_schemas_are_validated(raw_ddb, keys, message):
    assert error_of(lambda: matches_table(raw_ddb, indexes=[{"IndexName": "bad", "KeySchema": keys,
                                                             "Projection": {"ProjectionType": "ALL"}}])) == (
        "ValidationException", message)
    assert "matches" not in raw_ddb.list_tables()["TableNames"]
