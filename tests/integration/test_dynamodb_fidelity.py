"""DynamoDB behaviours where an emulator commonly differs from AWS (issue 17), one test per
behaviour, with boto3 (client-side validation off, so that the service's own answer is seen)."""
import re

import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import make_boto3


@pytest.fixture
def raw_ddb(awan):
    """A client that sends what it is given (no parameter validation)."""
    import boto3
    return boto3.client("dynamodb", endpoint_url=awan.endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=botocore.config.Config(parameter_validation=False))


def table(c, name="fid", stream=False):
    kw = {}
    if stream:
        kw["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    c.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   BillingMode="PAY_PER_REQUEST", **kw)
    return name


def records(awan, c, name):
    s = make_boto3(awan.endpoint, "dynamodbstreams")
    arn = c.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = s.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return [r["eventName"] for r in s.get_records(ShardIterator=it)["Records"]]


def error_of(fn):
    with pytest.raises(ClientError) as e:
        fn()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def test_update_with_only_removals_does_not_create_the_item(awan, raw_ddb):
    t = table(raw_ddb, stream=True)
    out = raw_ddb.update_item(TableName=t, Key={"pk": {"S": "a"}}, UpdateExpression="REMOVE x, y.z",
                              ReturnValues="ALL_NEW")
    assert "Attributes" not in out
    raw_ddb.update_item(TableName=t, Key={"pk": {"S": "b"}}, UpdateExpression="DELETE s :v",
                        ExpressionAttributeValues={":v": {"SS": ["x"]}})
    raw_ddb.update_item(TableName=t, Key={"pk": {"S": "c"}}, AttributeUpdates={"x": {"Action": "DELETE"}})
    for k in "abc":
        assert "Item" not in raw_ddb.get_item(TableName=t, Key={"pk": {"S": k}})
    assert records(awan, raw_ddb, t) == []
    # Any SET or ADD still creates it; so does an update with no actions at all.
    raw_ddb.update_item(TableName=t, Key={"pk": {"S": "d"}}, UpdateExpression="REMOVE x SET y = :one",
                        ExpressionAttributeValues={":one": {"N": "1"}})
    raw_ddb.update_item(TableName=t, Key={"pk": {"S": "e"}})
    assert raw_ddb.get_item(TableName=t, Key={"pk": {"S": "d"}})["Item"] == {"pk": {"S": "d"}, "y": {"N": "1"}}
    assert raw_ddb.get_item(TableName=t, Key={"pk": {"S": "e"}})["Item"] == {"pk": {"S": "e"}}
    assert records(awan, raw_ddb, t) == ["INSERT", "INSERT"]
    # On an existing item REMOVE modifies it.
    raw_ddb.update_item(TableName=t, Key={"pk": {"S": "d"}}, UpdateExpression="REMOVE y")
    assert raw_ddb.get_item(TableName=t, Key={"pk": {"S": "d"}})["Item"] == {"pk": {"S": "d"}}


def test_list_tags_of_a_missing_table_is_access_denied(raw_ddb):
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/nope"
    code, msg = error_of(lambda: raw_ddb.list_tags_of_resource(ResourceArn=arn))
    assert code == "AccessDeniedException"
    assert "dynamodb:ListTagsOfResource" in msg and arn in msg
    t = table(raw_ddb)
    arn = raw_ddb.describe_table(TableName=t)["Table"]["TableArn"]
    assert raw_ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


def test_update_time_to_live_with_an_empty_attribute_name(raw_ddb):
    t = table(raw_ddb)
    code, msg = error_of(lambda: raw_ddb.update_time_to_live(
        TableName=t, TimeToLiveSpecification={"Enabled": True, "AttributeName": ""}))
    assert code == "ValidationException"
    assert msg == ("1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to "
                   "satisfy constraint: Member must have length greater than or equal to 1")
    assert raw_ddb.describe_time_to_live(TableName=t)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"


def test_batch_write_with_an_empty_request_list(raw_ddb):
    t = table(raw_ddb)
    code, msg = error_of(lambda: raw_ddb.batch_write_item(RequestItems={t: []}))
    assert code == "ValidationException"
    assert "Map value must satisfy constraint" in msg and "greater than or equal to 1" in msg


def test_batch_write_over_25_requests(raw_ddb):
    a, b = table(raw_ddb, "bw_a"), table(raw_ddb, "bw_b")
    puts = [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(26)]
    code, msg = error_of(lambda: raw_ddb.batch_write_item(RequestItems={a: puts}))
    assert code == "ValidationException"
    # AWS prints the map as Java renders it: {table=[com.amazonaws.dynamodb.v20120810.WriteRequest@<hash>, ...]}
    assert re.fullmatch(r"1 validation error detected: Value '\{bw_a=\[(com\.amazonaws\.dynamodb\.v20120810\."
                        r"WriteRequest@[0-9a-f]{1,8}(, )?){26}\]\}' at 'requestItems' failed to satisfy constraint: "
                        r"Map value must satisfy constraint: \[Member must have length less than or equal to 25, "
                        r"Member must have length greater than or equal to 1\]", msg), msg
    # Each table within 25 but more than 25 in all: the batch's own limit.
    code, msg = error_of(lambda: raw_ddb.batch_write_item(RequestItems={a: puts[:13], b: puts[13:]}))
    assert (code, msg) == ("ValidationException", "Too many items requested for the BatchWriteItem call")
    assert raw_ddb.scan(TableName=a)["Count"] == 0 and raw_ddb.scan(TableName=b)["Count"] == 0


def sorted_table(c):
    c.create_table(TableName="ord", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "sk", "KeyType": "RANGE"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "S"}],
                   BillingMode="PAY_PER_REQUEST")
    c.put_item(TableName="ord", Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "5"}})
    return "ord"


@pytest.mark.parametrize("op,value", [("<", {"L": []}), ("<=", {"M": {}}), (">", {"SS": ["x"]}),
                                      (">=", {"BOOL": True}), ("<", {"NULL": True}), (">", {"NS": ["1"]})])
def test_ordering_an_unorderable_constant_is_a_validation_error(raw_ddb, op, value):
    t = sorted_table(raw_ddb)
    kind = list(value)[0]
    want = ("Incorrect operand type for operator or function; operator or function: %s, operand type: %s"
            % (op, kind))
    code, msg = error_of(lambda: raw_ddb.put_item(TableName=t, Item={"pk": {"S": "a"}, "sk": {"S": "1"}},
                                                  ConditionExpression="n %s :v" % op,
                                                  ExpressionAttributeValues={":v": value}))
    assert (code, msg) == ("ValidationException", "Invalid ConditionExpression: " + want)
    code, msg = error_of(lambda: raw_ddb.scan(TableName=t, FilterExpression="n %s :v" % op,
                                              ExpressionAttributeValues={":v": value}))
    assert (code, msg) == ("ValidationException", "Invalid FilterExpression: " + want)
    code, msg = error_of(lambda: raw_ddb.query(TableName=t, KeyConditionExpression="pk = :p AND sk %s :v" % op,
                                               ExpressionAttributeValues={":p": {"S": "a"}, ":v": value}))
    assert (code, msg) == ("ValidationException", "Invalid KeyConditionExpression: " + want)
    # The item is untouched.
    assert raw_ddb.get_item(TableName=t, Key={"pk": {"S": "a"}, "sk": {"S": "1"}})["Item"]["n"] == {"N": "5"}


def test_between_an_unorderable_constant_is_a_validation_error(raw_ddb):
    t = sorted_table(raw_ddb)
    code, msg = error_of(lambda: raw_ddb.put_item(
        TableName=t, Item={"pk": {"S": "a"}, "sk": {"S": "1"}}, ConditionExpression="n BETWEEN :a AND :b",
        ExpressionAttributeValues={":a": {"L": []}, ":b": {"L": []}}))
    assert code == "ValidationException"
    assert msg.endswith("operator or function: BETWEEN, operand type: L")
    # Equality on lists is fine: a failed condition.
    code, _ = error_of(lambda: raw_ddb.put_item(TableName=t, Item={"pk": {"S": "a"}, "sk": {"S": "1"}},
                                               ConditionExpression="n = :v", ExpressionAttributeValues={":v": {"L": []}}))
    assert code == "ConditionalCheckFailedException"


def provisioned(c, name="prov"):
    c.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    return name


def test_update_table_with_unchanged_throughput_is_refused(raw_ddb):
    t = provisioned(raw_ddb)
    code, msg = error_of(lambda: raw_ddb.update_table(
        TableName=t, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}))
    assert code == "ValidationException"
    assert msg.startswith("The provisioned throughput for the table will not change. The requested value equals the "
                          "current value. Current ReadCapacityUnits provisioned for the table: 5. Requested "
                          "ReadCapacityUnits: 5.")
    out = raw_ddb.update_table(TableName=t, ProvisionedThroughput={"ReadCapacityUnits": 6, "WriteCapacityUnits": 5})
    assert out["TableDescription"]["ProvisionedThroughput"]["ReadCapacityUnits"] == 6


@pytest.mark.parametrize("units", [0, -1])
def test_throughput_below_one_is_refused(raw_ddb, units):
    t = provisioned(raw_ddb)
    want = ("1 validation error detected: Value '%d' at 'provisionedThroughput.readCapacityUnits' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1" % units)
    assert error_of(lambda: raw_ddb.update_table(
        TableName=t, ProvisionedThroughput={"ReadCapacityUnits": units, "WriteCapacityUnits": 5})) == (
        "ValidationException", want)
    assert error_of(lambda: raw_ddb.create_table(
        TableName="other", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": units, "WriteCapacityUnits": 5})) == ("ValidationException", want)


def test_update_table_with_nothing_to_update_is_refused(raw_ddb):
    t = provisioned(raw_ddb)
    code, msg = error_of(lambda: raw_ddb.update_table(TableName=t))
    assert code == "ValidationException"
    assert msg.startswith("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled")


def gsi_table(c, index):
    return c.create_table(TableName="gsi", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                {"AttributeName": "g", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST", GlobalSecondaryIndexes=[index])


@pytest.mark.parametrize("index,message", [
    ({"IndexName": "ab", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}},
     "1 validation error detected: Value 'ab' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy "
     "constraint: Member must have length greater than or equal to 3"),
    ({"IndexName": "a b", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}},
     "1 validation error detected: Value 'a b' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy "
     "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    ({"IndexName": "idx", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
      "Projection": {"ProjectionType": "ALL", "NonKeyAttributes": ["x"]}},
     "One or more parameter values were invalid: ProjectionType is ALL, but NonKeyAttributes is specified"),
    ({"IndexName": "idx", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {}},
     "One or more parameter values were invalid: Unknown ProjectionType: null"),
    ({"IndexName": "idx", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "SOME"}},
     "1 validation error detected: Value 'SOME' at 'globalSecondaryIndexes.1.member.projection.projectionType' failed "
     "to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]"),
    ({"IndexName": "idx", "KeySchema": [{"AttributeName": "g", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}},
     "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
])
def test_index_definitions_are_validated(raw_ddb, index, message):
    assert error_of(lambda: gsi_table(raw_ddb, index)) == ("ValidationException", message)
    assert "gsi" not in raw_ddb.list_tables()["TableNames"]


def test_empty_attributes_to_get_is_refused(raw_ddb):
    t = sorted_table(raw_ddb)
    want = ("ValidationException", "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy "
                                   "constraint: Member must have length greater than or equal to 1")
    assert error_of(lambda: raw_ddb.get_item(TableName=t, Key={"pk": {"S": "a"}, "sk": {"S": "1"}},
                                             AttributesToGet=[])) == want
    assert error_of(lambda: raw_ddb.scan(TableName=t, AttributesToGet=[])) == want
    assert error_of(lambda: raw_ddb.query(TableName=t, AttributesToGet=[],
                                          KeyConditions={"pk": {"AttributeValueList": [{"S": "a"}],
                                                                "ComparisonOperator": "EQ"}})) == want


def test_large_answers_are_compressed_for_clients_that_accept_it(awan, raw_ddb):
    import gzip
    import json
    import urllib.request
    import zlib
    t = sorted_table(raw_ddb)
    raw_ddb.put_item(TableName=t, Item={"pk": {"S": "a"}, "sk": {"S": "2"}, "big": {"S": "x" * 6000}})
    body = json.dumps({"TableName": t}).encode()

    def scan(accept):
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.Scan",
                   "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
                                    "SignedHeaders=host, Signature=0"}
        if accept:
            headers["Accept-Encoding"] = accept
        with urllib.request.urlopen(urllib.request.Request(awan.endpoint + "/", data=body, headers=headers)) as r:
            return dict(r.headers), r.read()

    h, raw = scan("gzip")
    assert h["Content-Encoding"] == "gzip"
    assert int(h["x-amz-crc32"]) == zlib.crc32(raw)  # over the bytes sent
    assert json.loads(gzip.decompress(raw))["Count"] == 2
    h, raw = scan("deflate")
    assert h["Content-Encoding"] == "deflate"
    assert json.loads(zlib.decompress(raw))["Count"] == 2
    h, raw = scan("gzip;q=0, identity")
    assert "Content-Encoding" not in h
    assert int(h["x-amz-crc32"]) == zlib.crc32(raw)
    h, raw = scan(None)
    assert "Content-Encoding" not in h and json.loads(raw)["Count"] == 2
    # Small answers are not compressed.
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.DescribeTable",
               "Accept-Encoding": "gzip",
               "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
                                "SignedHeaders=host, Signature=0"}
    with urllib.request.urlopen(urllib.request.Request(awan.endpoint + "/", data=body, headers=headers)) as r:
        assert "Content-Encoding" not in r.headers
    # boto3 and the SDKs still read large answers.
    assert raw_ddb.scan(TableName=t)["Count"] == 2


def _post(awan, target, body, encoding):
    import json
    import urllib.error
    import urllib.request
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + target,
               "Content-Encoding": encoding,
               "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
                                "SignedHeaders=host, Signature=0"}
    try:
        with urllib.request.urlopen(urllib.request.Request(awan.endpoint + "/", data=body, headers=headers)) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def test_gzip_request_bodies_are_accepted(awan, raw_ddb):
    import gzip
    import json
    t = sorted_table(raw_ddb)
    item = {"pk": {"S": "z"}, "sk": {"S": "1"}, "text": {"S": "compressible " * 500}}
    status, _ = _post(awan, "PutItem", gzip.compress(json.dumps({"TableName": t, "Item": item}).encode()), "gzip")
    assert status == 200
    assert raw_ddb.get_item(TableName=t, Key={"pk": {"S": "z"}, "sk": {"S": "1"}})["Item"] == item
    status, out = _post(awan, "PutItem", b"not gzip", "gzip")  # DynamoDB: 500 (test_dynamodb_fidelity3.py)
    assert status == 500 and out["__type"].endswith("InternalServerError")
    # A small body inflating beyond DynamoDB's 16 MB request limit is refused, not inflated.
    bomb = gzip.compress(b" " * (17 * 1024 * 1024))
    assert len(bomb) < 100_000
    status, _ = _post(awan, "PutItem", bomb, "gzip")
    assert status == 413


def test_index_keys_have_the_key_size_limits(raw_ddb):
    raw_ddb.create_table(TableName="ixk", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                               {"AttributeName": "g", "AttributeType": "S"},
                                               {"AttributeName": "r", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST",
                         GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [
                             {"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}],
                             "Projection": {"ProjectionType": "ALL"}}])
    code, msg = error_of(lambda: raw_ddb.put_item(TableName="ixk", Item={"pk": {"S": "a"}, "g": {"S": "x" * 2049}}))
    assert code == "ValidationException" and "Size of hashkey has exceeded the maximum size limit of2048 bytes" in msg
    code, msg = error_of(lambda: raw_ddb.put_item(TableName="ixk", Item={"pk": {"S": "a"}, "g": {"S": "x"},
                                                                         "r": {"S": "y" * 1025}}))
    assert code == "ValidationException" and "range keys has exceeded the size limit of 1024 bytes" in msg
    raw_ddb.put_item(TableName="ixk", Item={"pk": {"S": "a"}, "g": {"S": "x" * 2048}, "r": {"S": "y" * 1024}})
    assert "Item" in raw_ddb.get_item(TableName="ixk", Key={"pk": {"S": "a"}})


def test_gsi_backfill_skips_items_it_cannot_index(raw_ddb):
    import time
    t = table(raw_ddb, "backfill")
    raw_ddb.put_item(TableName=t, Item={"pk": {"S": "ok"}, "g": {"S": "v"}})
    raw_ddb.put_item(TableName=t, Item={"pk": {"S": "long"}, "g": {"S": "v" * 2049}})
    raw_ddb.put_item(TableName=t, Item={"pk": {"S": "empty"}, "g": {"S": ""}})
    raw_ddb.update_table(TableName=t, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "byg", "KeySchema": [
                             {"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}])
    for _ in range(100):
        idx = raw_ddb.describe_table(TableName=t)["Table"]["GlobalSecondaryIndexes"][0]
        if idx["IndexStatus"] == "ACTIVE":
            break
        time.sleep(0.05)
    assert idx["IndexStatus"] == "ACTIVE"
    assert idx["ItemCount"] == 1
    items = raw_ddb.scan(TableName=t, IndexName="byg")["Items"]
    assert [i["pk"]["S"] for i in items] == ["ok"]


def test_an_empty_table_name_is_one_error(raw_ddb):
    code, msg = error_of(lambda: raw_ddb.describe_table(TableName=""))
    assert (code, msg) == ("ValidationException", "1 validation error detected: Value '' at 'tableName' failed to "
                                                  "satisfy constraint: Member must have length greater than or equal to 1")
    code, msg = error_of(lambda: raw_ddb.get_item(TableName="", Key={"pk": {"S": "a"}}))
    assert msg.startswith("1 validation error detected: Value '' at 'tableName'")


def test_batch_get_item_capacity_rounds_each_item(raw_ddb):
    small = table(raw_ddb, "small")
    big = table(raw_ddb, "large")
    for i in range(10):
        raw_ddb.put_item(TableName=small, Item={"pk": {"S": str(i)}})
    raw_ddb.put_item(TableName=big, Item={"pk": {"S": "b"}, "v": {"S": "x" * 10000}})
    out = raw_ddb.batch_get_item(RequestItems={
        small: {"Keys": [{"pk": {"S": str(i)}} for i in range(10)] + [{"pk": {"S": "missing"}}]},
        big: {"Keys": [{"pk": {"S": "b"}}], "ConsistentRead": True}}, ReturnConsumedCapacity="TOTAL")
    caps = {c["TableName"]: c["CapacityUnits"] for c in out["ConsumedCapacity"]}
    # Eleven eventually consistent reads of at most 4 KB (one key has no item): 0.5 each;
    # one strongly consistent read of 10 KB: 3 units.
    assert caps == {small: 5.5, big: 3.0}


def test_transaction_capacity_with_indexes(raw_ddb):
    gsi_table(raw_ddb, {"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"}})
    plain = table(raw_ddb, "plain")
    raw_ddb.put_item(TableName=plain, Item={"pk": {"S": "c"}, "v": {"S": "x" * 3000}})
    out = raw_ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "gsi", "Item": {"pk": {"S": "a"}, "g": {"S": "one"}, "v": {"S": "x" * 1500}}}},
        {"Put": {"TableName": "gsi", "Item": {"pk": {"S": "b"}}}},  # no index key: the index is not written
        {"ConditionCheck": {"TableName": plain, "Key": {"pk": {"S": "c"}}, "ConditionExpression": "attribute_exists(pk)"}},
    ], ReturnConsumedCapacity="INDEXES")
    caps = {c["TableName"]: c for c in out["ConsumedCapacity"]}
    # Transactional writes cost twice a plain write (2 KB -> 2 x 2, 1 KB -> 2 x 1); the index is
    # maintained after the transaction at a plain write's cost (2 KB -> 2).
    assert caps["gsi"] == {"TableName": "gsi", "CapacityUnits": 8.0, "WriteCapacityUnits": 8.0,
                           "Table": {"CapacityUnits": 6.0, "WriteCapacityUnits": 6.0},
                           "GlobalSecondaryIndexes": {"byg": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}}}
    assert caps[plain] == {"TableName": plain, "CapacityUnits": 6.0, "WriteCapacityUnits": 6.0,
                           "Table": {"CapacityUnits": 6.0, "WriteCapacityUnits": 6.0}}
    total = raw_ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "gsi", "Item": {"pk": {"S": "d"}, "g": {"S": "two"}}}}], ReturnConsumedCapacity="TOTAL")
    assert total["ConsumedCapacity"] == [{"TableName": "gsi", "CapacityUnits": 3.0, "WriteCapacityUnits": 3.0}]
    got = raw_ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": "gsi", "Key": {"pk": {"S": "a"}}}},
        {"Get": {"TableName": plain, "Key": {"pk": {"S": "c"}}}}], ReturnConsumedCapacity="INDEXES")
    caps = {c["TableName"]: c for c in got["ConsumedCapacity"]}
    # Transactional reads cost twice a strongly consistent read (each item under 4 KB: 2).
    assert caps["gsi"] == {"TableName": "gsi", "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0,
                           "Table": {"CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}}
    assert caps[plain]["CapacityUnits"] == 2.0
    assert "ConsumedCapacity" not in raw_ddb.transact_get_items(
        TransactItems=[{"Get": {"TableName": plain, "Key": {"pk": {"S": "c"}}}}])


@pytest.mark.parametrize("attr,value", [("s", {"N": "1"}), ("n", {"SS": ["x"]}), ("ss", {"NS": ["1"]})])
def test_legacy_add_with_a_mismatched_type(raw_ddb, attr, value):
    t = table(raw_ddb, "legacy")
    key = {"pk": {"S": "a"}}
    raw_ddb.put_item(TableName=t, Item={**key, "s": {"S": "str"}, "n": {"N": "1"}, "ss": {"SS": ["a"]}})
    assert error_of(lambda: raw_ddb.update_item(TableName=t, Key=key, AttributeUpdates={
        attr: {"Action": "ADD", "Value": value}})) == (
        "ValidationException", "One or more parameter values were invalid: Type mismatch for attribute to update")
    # The expression form keeps its own wording.
    code, msg = error_of(lambda: raw_ddb.update_item(TableName=t, Key=key, UpdateExpression="ADD #a :v",
                                                     ExpressionAttributeNames={"#a": attr},
                                                     ExpressionAttributeValues={":v": value}))
    assert msg == "An operand in the update expression has an incorrect data type"
