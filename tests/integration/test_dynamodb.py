"""DynamoDB against the running daemon with boto3, aws-cli v2 and the AWS SDK for JavaScript v3:
every operation's happy path and its error classes as the SDKs parse them."""
import json
import time
import zlib

import pytest
from botocore.exceptions import ClientError

TARGET = "DynamoDB_20120810."


@pytest.fixture
def ddb(boto):
    return boto("dynamodb")


def raw(awan, op, body):
    """POSTs an awsJson 1.0 body (bytes or a document); returns (status, headers, parsed body)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, headers, out = awan.request("POST", "/", data, {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": TARGET + op,
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
                         "SignedHeaders=host, Signature=0"})
    return status, headers, json.loads(out) if out else None


def err(exc):
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def make_table(ddb, name="Music", lsi=False, gsi=False):
    attrs = [{"AttributeName": "Artist", "AttributeType": "S"}, {"AttributeName": "Song", "AttributeType": "S"}]
    kw = {}
    if lsi:
        attrs.append({"AttributeName": "Year", "AttributeType": "N"})
        kw["LocalSecondaryIndexes"] = [{
            "IndexName": "ByYear",
            "KeySchema": [{"AttributeName": "Artist", "KeyType": "HASH"}, {"AttributeName": "Year", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}]
    if gsi:
        attrs.append({"AttributeName": "Genre", "AttributeType": "S"})
        kw["GlobalSecondaryIndexes"] = [{
            "IndexName": "ByGenre",
            "KeySchema": [{"AttributeName": "Genre", "KeyType": "HASH"}, {"AttributeName": "Song", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["Plays"]}}]
    return ddb.create_table(
        TableName=name, AttributeDefinitions=attrs,
        KeySchema=[{"AttributeName": "Artist", "KeyType": "HASH"}, {"AttributeName": "Song", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST", **kw)["TableDescription"]


def song(artist, title, **extra):
    item = {"Artist": {"S": artist}, "Song": {"S": title}}
    for k, v in extra.items():
        item[k] = {"N": str(v)} if isinstance(v, int) else {"S": v}
    return item


# ---------------------------------------------------------------- tables

def test_table_lifecycle(ddb):
    desc = make_table(ddb, gsi=True)
    assert desc["TableStatus"] == "CREATING"
    assert desc["TableArn"] == "arn:aws:dynamodb:us-east-1:000000000000:table/Music"
    ddb.get_waiter("table_exists").wait(TableName="Music", WaiterConfig={"Delay": 0.05, "MaxAttempts": 50})
    t = ddb.describe_table(TableName="Music")["Table"]
    assert t["TableStatus"] == "ACTIVE"
    assert t["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert ddb.list_tables()["TableNames"] == ["Music"]
    with pytest.raises(ClientError) as e:
        make_table(ddb)
    assert err(e) == ("ResourceInUseException", "Table already exists: Music")
    assert ddb.delete_table(TableName="Music")["TableDescription"]["TableStatus"] == "DELETING"
    with pytest.raises(ddb.exceptions.ResourceNotFoundException) as e:
        ddb.describe_table(TableName="Music")
    assert err(e) == ("ResourceNotFoundException", "Requested resource not found: Table: Music not found")
    assert ddb.list_tables()["TableNames"] == []


def test_list_tables_pagination(ddb):
    for i in range(5):
        ddb.create_table(TableName=f"tbl{i}", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    first = ddb.list_tables(Limit=2)
    assert first["TableNames"] == ["tbl0", "tbl1"] and first["LastEvaluatedTableName"] == "tbl1"
    names = [n for page in ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2})
             for n in page["TableNames"]]
    assert names == [f"tbl{i}" for i in range(5)]


def test_create_table_validation(ddb):
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName="bad", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "other", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    assert err(e) == ("ValidationException",
                      "One or more parameter values were invalid: Some index key attributes are not defined in "
                      "AttributeDefinitions. Keys: [other], AttributeDefinitions: [k]")
    with pytest.raises(ClientError) as e:
        ddb.create_table(TableName="bad", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
    assert err(e)[0] == "ValidationException"
    assert "ReadCapacityUnits and WriteCapacityUnits must both be specified" in err(e)[1]


def test_update_table_gsi_lifecycle(ddb):
    make_table(ddb)
    ddb.put_item(TableName="Music", Item=song("a", "s1", Genre="rock"))
    out = ddb.update_table(
        TableName="Music", AttributeDefinitions=[{"AttributeName": "Genre", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "ByGenre", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "Genre", "KeyType": "HASH"}]}}])["TableDescription"]
    assert out["TableStatus"] == "UPDATING"
    gsi = out["GlobalSecondaryIndexes"][0]
    assert gsi["IndexStatus"] == "CREATING" and gsi["Backfilling"] is False
    ddb.get_waiter("table_exists").wait(TableName="Music", WaiterConfig={"Delay": 0.05, "MaxAttempts": 50})
    t = ddb.describe_table(TableName="Music")["Table"]
    if t["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING":  # backfilling: not readable yet
        assert t["GlobalSecondaryIndexes"][0]["Backfilling"] is True
    deadline = time.monotonic() + 5
    while t["GlobalSecondaryIndexes"][0]["IndexStatus"] != "ACTIVE" and time.monotonic() < deadline:
        time.sleep(0.01)
        t = ddb.describe_table(TableName="Music")["Table"]
    assert t["TableStatus"] == "ACTIVE" and t["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    q = ddb.query(TableName="Music", IndexName="ByGenre", KeyConditionExpression="Genre = :g",
                  ExpressionAttributeValues={":g": {"S": "rock"}})
    assert q["Count"] == 1
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName="Music", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "Nope"}}])
    assert err(e)[0] == "ResourceNotFoundException"


def test_tags_ttl_limits_endpoints(ddb):
    arn = make_table(ddb)["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "a"}])
    ddb.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    ttl = ddb.update_time_to_live(TableName="Music", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert ttl["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "exp"}
    assert ddb.describe_time_to_live(TableName="Music")["TimeToLiveDescription"]["TimeToLiveStatus"] in ("ENABLED", "ENABLING")
    assert ddb.describe_limits()["TableMaxReadCapacityUnits"] == 40000
    assert ddb.describe_endpoints()["Endpoints"][0]["CachePeriodInMinutes"] == 1440


# ---------------------------------------------------------------- items

def test_item_crud_and_return_values(ddb):
    make_table(ddb)
    assert "Attributes" not in ddb.put_item(TableName="Music", Item=song("a", "s1", Plays=1), ReturnValues="ALL_OLD")
    old = ddb.put_item(TableName="Music", Item=song("a", "s1", Plays=2), ReturnValues="ALL_OLD")["Attributes"]
    assert old == song("a", "s1", Plays=1)
    got = ddb.get_item(TableName="Music", Key=song("a", "s1"), ConsistentRead=True)["Item"]
    assert got == song("a", "s1", Plays=2)
    proj = ddb.get_item(TableName="Music", Key=song("a", "s1"), ProjectionExpression="#p",
                        ExpressionAttributeNames={"#p": "Plays"})["Item"]
    assert proj == {"Plays": {"N": "2"}}
    upd = ddb.update_item(TableName="Music", Key=song("a", "s1"), UpdateExpression="SET Plays = Plays + :one, Tags = :t",
                          ExpressionAttributeValues={":one": {"N": "1"}, ":t": {"SS": ["x", "y"]}},
                          ReturnValues="UPDATED_NEW")["Attributes"]
    assert upd["Plays"] == {"N": "3"} and sorted(upd["Tags"]["SS"]) == ["x", "y"]
    upd = ddb.update_item(TableName="Music", Key=song("a", "s1"), UpdateExpression="REMOVE Tags",
                          ReturnValues="UPDATED_OLD")["Attributes"]
    assert sorted(upd["Tags"]["SS"]) == ["x", "y"]
    deleted = ddb.delete_item(TableName="Music", Key=song("a", "s1"), ReturnValues="ALL_OLD")["Attributes"]
    assert deleted == song("a", "s1", Plays=3)
    assert "Item" not in ddb.get_item(TableName="Music", Key=song("a", "s1"))
    # Numbers come back canonical; consumed capacity is reported.
    out = ddb.put_item(TableName="Music", Item={**song("a", "n"), "v": {"N": "00012.500"}}, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"] == {"TableName": "Music", "CapacityUnits": 1.0}
    assert ddb.get_item(TableName="Music", Key=song("a", "n"))["Item"]["v"] == {"N": "12.5"}


def test_conditional_check_failed(ddb):
    make_table(ddb)
    ddb.put_item(TableName="Music", Item=song("a", "s1", Plays=1))
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as e:
        ddb.put_item(TableName="Music", Item=song("a", "s1"), ConditionExpression="attribute_not_exists(Artist)")
    assert err(e) == ("ConditionalCheckFailedException", "The conditional request failed")
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.update_item(TableName="Music", Key=song("a", "s1"), UpdateExpression="SET Plays = :v",
                        ConditionExpression="Plays > :v", ExpressionAttributeValues={":v": {"N": "5"}})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.delete_item(TableName="Music", Key=song("a", "s1"), Expected={"Plays": {"Value": {"N": "9"}}})
    assert ddb.get_item(TableName="Music", Key=song("a", "s1"))["Item"]["Plays"] == {"N": "1"}


def test_conditional_check_failed_item_on_the_wire(awan, ddb):
    make_table(ddb)
    ddb.put_item(TableName="Music", Item=song("a", "s1", Plays=1))
    status, headers, body = raw(awan, "PutItem", {
        "TableName": "Music", "Item": song("a", "s1"), "ConditionExpression": "attribute_not_exists(Artist)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert status == 400
    assert body == {"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                    "message": "The conditional request failed", "Item": song("a", "s1", Plays=1)}
    assert headers["x-amz-crc32"]
    status, _, body = raw(awan, "UpdateItem", {
        "TableName": "Music", "Key": song("a", "s1"), "UpdateExpression": "SET Plays = :v", "ConditionExpression": "Plays > :v",
        "ExpressionAttributeValues": {":v": {"N": "5"}}, "ReturnValuesOnConditionCheckFailure": "NONE"})
    assert status == 400 and "Item" not in body


def test_validation_messages(ddb):
    make_table(ddb)
    cases = [
        (lambda: ddb.get_item(TableName="Music", Key={"Artist": {"S": "a"}}),
         "The provided key element does not match the schema"),
        (lambda: ddb.put_item(TableName="Music", Item={"Artist": {"S": "a"}}),
         "One or more parameter values were invalid: Missing the key Song in the item"),
        (lambda: ddb.put_item(TableName="Music", Item={"Artist": {"S": "a"}, "Song": {"N": "1"}}),
         "One or more parameter values were invalid: Type mismatch for key Song expected: S actual: N"),
        (lambda: ddb.put_item(TableName="Music", Item={**song("a", "b"), "x": {"N": "abc"}}),
         "The parameter cannot be converted to a numeric value: abc"),
        (lambda: ddb.update_item(TableName="Music", Key=song("a", "b"), UpdateExpression="SET Artist = :v",
                                 ExpressionAttributeValues={":v": {"S": "z"}}),
         "One or more parameter values were invalid: Cannot update attribute Artist. This attribute is part of the key"),
        (lambda: ddb.update_item(TableName="Music", Key=song("a", "b"), UpdateExpression="SET x = :v"),
         "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v"),
        (lambda: ddb.query(TableName="Music", KeyConditionExpression="Song = :s",
                           ExpressionAttributeValues={":s": {"S": "x"}}),
         "Query condition missed key schema element: Artist"),
        (lambda: ddb.scan(TableName="Music", ExpressionAttributeValues={":s": {"S": "x"}}),
         "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null"),
        (lambda: ddb.put_item(TableName="Music", Item={**song("a", "b"), "big": {"S": "x" * (400 * 1024)}}),
         "Item size has exceeded the maximum allowed size"),
    ]
    for call, message in cases:
        with pytest.raises(ClientError) as e:
            call()
        assert err(e) == ("ValidationException", message)
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName="Nope", Key=song("a", "b"))
    assert err(e) == ("ResourceNotFoundException", "Requested resource not found")


def test_serialization_exception(awan):
    status, headers, data = awan.request("POST", "/", b'{"TableName": "Music", "Key": {', {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": TARGET + "GetItem"})
    assert status == 400 and json.loads(data)["__type"] == "com.amazon.coral.service#SerializationException"
    assert int(headers["x-amz-crc32"]) == zlib.crc32(data)
    status, _, body = raw(awan, "GetItem", {"TableName": 5, "Key": {}})
    assert status == 400 and body["__type"].endswith("SerializationException")
    status, _, body = raw(awan, "PutItem", {"TableName": "Music", "Item": {"a": {"S": 1}}})
    assert status == 400 and body["__type"].endswith("SerializationException")
    status, _, body = raw(awan, "GetItem", {"TableName": "x"})
    assert status == 400 and body["__type"] == "com.amazon.coral.validate#ValidationException"


# ---------------------------------------------------------------- query, scan, pagination

def test_query_and_scan(ddb):
    make_table(ddb, lsi=True, gsi=True)
    for i in range(10):
        ddb.put_item(TableName="Music", Item=song("a", f"s{i:02}", Year=2000 + (i % 3), Genre="rock" if i % 2 else "pop",
                                                  Plays=i))
    ddb.put_item(TableName="Music", Item=song("b", "s00", Year=1999))
    q = ddb.query(TableName="Music", KeyConditionExpression="Artist = :a AND begins_with(Song, :p)",
                  ExpressionAttributeValues={":a": {"S": "a"}, ":p": {"S": "s0"}}, ScanIndexForward=False, Limit=3)
    assert [i["Song"]["S"] for i in q["Items"]] == ["s09", "s08", "s07"]
    assert q["LastEvaluatedKey"] == song("a", "s07")
    rest = ddb.query(TableName="Music", KeyConditionExpression="Artist = :a AND begins_with(Song, :p)",
                     ExpressionAttributeValues={":a": {"S": "a"}, ":p": {"S": "s0"}}, ScanIndexForward=False,
                     ExclusiveStartKey=q["LastEvaluatedKey"])
    assert rest["Count"] == 7 and "LastEvaluatedKey" not in rest
    f = ddb.query(TableName="Music", KeyConditionExpression="Artist = :a", FilterExpression="Plays >= :p",
                  ExpressionAttributeValues={":a": {"S": "a"}, ":p": {"N": "5"}}, Select="COUNT")
    assert f["Count"] == 5 and f["ScannedCount"] == 10 and "Items" not in f
    lsi = ddb.query(TableName="Music", IndexName="ByYear", KeyConditionExpression="Artist = :a AND #y = :y",
                    ExpressionAttributeNames={"#y": "Year"}, ExpressionAttributeValues={":a": {"S": "a"}, ":y": {"N": "2001"}})
    assert sorted(i["Song"]["S"] for i in lsi["Items"]) == ["s01", "s04", "s07"]
    gsi = ddb.query(TableName="Music", IndexName="ByGenre", KeyConditionExpression="Genre = :g",
                    ExpressionAttributeValues={":g": {"S": "rock"}})
    assert gsi["Count"] == 5
    assert set(gsi["Items"][0]) == {"Artist", "Song", "Genre", "Plays"}  # INCLUDE projection
    with pytest.raises(ClientError) as e:
        ddb.query(TableName="Music", IndexName="ByGenre", KeyConditionExpression="Genre = :g",
                  ExpressionAttributeValues={":g": {"S": "rock"}}, ConsistentRead=True)
    assert err(e) == ("ValidationException", "Consistent reads are not supported on global secondary indexes")
    s = ddb.scan(TableName="Music", FilterExpression="Artist = :b", ExpressionAttributeValues={":b": {"S": "b"}})
    assert s["Count"] == 1 and s["ScannedCount"] == 11
    segs = [ddb.scan(TableName="Music", Segment=i, TotalSegments=3)["Count"] for i in range(3)]
    assert sum(segs) == 11


def test_one_megabyte_pages(ddb):
    make_table(ddb)
    blob = "x" * 100_000
    with ddb_batch(ddb) as put:
        for i in range(25):
            put(song("big", f"s{i:02}", Data=blob))
    pages = list(ddb.get_paginator("query").paginate(
        TableName="Music", KeyConditionExpression="Artist = :a", ExpressionAttributeValues={":a": {"S": "big"}}))
    # 1 MB = 10.49 items of ~100 KB: AWS stops after the item that crosses the limit.
    assert [p["Count"] for p in pages] == [11, 11, 3]
    assert pages[0]["LastEvaluatedKey"] == song("big", "s10")
    scan_pages = list(ddb.get_paginator("scan").paginate(TableName="Music"))
    assert [p["Count"] for p in scan_pages] == [11, 11, 3]


class ddb_batch:
    """Writes items through BatchWriteItem, 25 at a time."""

    def __init__(self, ddb, table="Music"):
        self.ddb, self.table, self.items = ddb, table, []

    def __enter__(self):
        return self.items.append

    def __exit__(self, *exc):
        for i in range(0, len(self.items), 25):
            out = self.ddb.batch_write_item(RequestItems={
                self.table: [{"PutRequest": {"Item": it}} for it in self.items[i:i + 25]]})
            assert out["UnprocessedItems"] == {}


# ---------------------------------------------------------------- batches

def test_batch_get_and_write(ddb):
    make_table(ddb)
    out = ddb.batch_write_item(RequestItems={"Music": [{"PutRequest": {"Item": song("a", f"s{i}")}} for i in range(5)]})
    assert out["UnprocessedItems"] == {}
    got = ddb.batch_get_item(RequestItems={"Music": {"Keys": [song("a", "s1"), song("a", "s3"), song("a", "zz")],
                                                     "ProjectionExpression": "Song"}})
    assert sorted(i["Song"]["S"] for i in got["Responses"]["Music"]) == ["s1", "s3"]
    assert got["UnprocessedKeys"] == {}
    ddb.batch_write_item(RequestItems={"Music": [{"DeleteRequest": {"Key": song("a", "s1")}}]})
    assert ddb.scan(TableName="Music")["Count"] == 4
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={"Music": {"Keys": [song("a", "s1"), song("a", "s1")]}})
    assert err(e) == ("ValidationException", "Provided list of item keys contains duplicates")
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={"Music": [{"PutRequest": {"Item": song("a", f"s{i}")}} for i in range(26)]})
    assert err(e)[0] == "ValidationException" and "Member must have length less than or equal to 25" in err(e)[1]
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={"Music": {"Keys": [song("a", f"s{i}") for i in range(101)]}})
    assert err(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={"Nope": [{"PutRequest": {"Item": song("a", "b")}}]})
    assert err(e)[0] == "ResourceNotFoundException"


def test_batch_get_unprocessed_keys_over_16mb(ddb):
    make_table(ddb)
    blob = "y" * 390_000
    with ddb_batch(ddb) as put:
        for i in range(45):
            put(song("big", f"s{i:02}", Data=blob))
    keys = [song("big", f"s{i:02}") for i in range(45)]
    out = ddb.batch_get_item(RequestItems={"Music": {"Keys": keys}})
    got = len(out["Responses"]["Music"])
    unprocessed = out["UnprocessedKeys"]["Music"]["Keys"]
    assert 0 < got < 45 and got + len(unprocessed) == 45
    assert got * 390_000 <= 16 * 1024 * 1024
    again = ddb.batch_get_item(RequestItems=out["UnprocessedKeys"])
    assert len(again["Responses"]["Music"]) == len(unprocessed) and again["UnprocessedKeys"] == {}


# ---------------------------------------------------------------- transactions

def test_transactions(ddb):
    make_table(ddb)
    ddb.put_item(TableName="Music", Item=song("a", "s1", Plays=1))
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "Music", "Item": song("a", "s2"), "ConditionExpression": "attribute_not_exists(Artist)"}},
        {"Update": {"TableName": "Music", "Key": song("a", "s1"), "UpdateExpression": "ADD Plays :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
    ])
    got = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "Music", "Key": song("a", "s1")}},
                                                {"Get": {"TableName": "Music", "Key": song("a", "s2")}},
                                                {"Get": {"TableName": "Music", "Key": song("a", "zz")}}])
    assert [r.get("Item") for r in got["Responses"]] == [song("a", "s1", Plays=2), song("a", "s2"), None]
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as e:
        ddb.transact_write_items(TransactItems=[
            {"Delete": {"TableName": "Music", "Key": song("a", "s2")}},
            {"ConditionCheck": {"TableName": "Music", "Key": song("a", "s1"), "ConditionExpression": "Plays = :n",
                                "ExpressionAttributeValues": {":n": {"N": "5"}}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])
    r = e.value.response
    assert r["Error"]["Message"] == ("Transaction cancelled, please refer cancellation reasons for specific reasons "
                                     "[None, ConditionalCheckFailed]")
    assert r["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed", "Item": song("a", "s1", Plays=2)}]
    assert "Item" in ddb.get_item(TableName="Music", Key=song("a", "s2"))  # nothing applied
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"Delete": {"TableName": "Music", "Key": song("a", "s2")}},
            {"Put": {"TableName": "Music", "Item": song("a", "s2")}}])
    assert err(e) == ("ValidationException", "Transaction request cannot include multiple operations on one item")


def test_transaction_idempotency(ddb):
    make_table(ddb)
    items = [{"Update": {"TableName": "Music", "Key": song("a", "s1"), "UpdateExpression": "ADD Plays :one",
                         "ExpressionAttributeValues": {":one": {"N": "1"}}}}]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
    ddb.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
    assert ddb.get_item(TableName="Music", Key=song("a", "s1"))["Item"]["Plays"] == {"N": "1"}
    items[0]["Update"]["ExpressionAttributeValues"][":one"] = {"N": "2"}
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
    assert err(e)[0] == "IdempotentParameterMismatchException"


def test_item_collection_metrics(ddb):
    make_table(ddb, lsi=True)
    out = ddb.put_item(TableName="Music", Item=song("a", "s1", Year=2001), ReturnItemCollectionMetrics="SIZE")
    m = out["ItemCollectionMetrics"]
    assert m["ItemCollectionKey"] == {"Artist": {"S": "a"}}
    lo, hi = m["SizeEstimateRangeGB"]
    assert 0 <= lo <= hi
    out = ddb.batch_write_item(RequestItems={"Music": [{"PutRequest": {"Item": song("b", "s1")}}]},
                               ReturnItemCollectionMetrics="SIZE")
    assert out["ItemCollectionMetrics"]["Music"][0]["ItemCollectionKey"] == {"Artist": {"S": "b"}}
    make_table(ddb, name="Plain")
    out = ddb.put_item(TableName="Plain", Item=song("a", "s1"), ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in out


# ---------------------------------------------------------------- aws-cli v2 and the JS SDK

def test_aws_cli(aws):
    aws("dynamodb", "create-table", "--table-name", "Cli",
        "--attribute-definitions", "AttributeName=id,AttributeType=S",
        "--key-schema", "AttributeName=id,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
    aws("dynamodb", "wait", "table-exists", "--table-name", "Cli")
    aws("dynamodb", "put-item", "--table-name", "Cli", "--item", json.dumps({"id": {"S": "1"}, "n": {"N": "10"}}))
    got = aws("dynamodb", "get-item", "--table-name", "Cli", "--key", json.dumps({"id": {"S": "1"}}))
    assert got["Item"]["n"] == {"N": "10"}
    for i in range(2, 8):
        aws("dynamodb", "put-item", "--table-name", "Cli", "--item", json.dumps({"id": {"S": str(i)}}))
    # The CLI paginates on its own with --page-size.
    scanned = aws("dynamodb", "scan", "--table-name", "Cli", "--page-size", "2")
    assert scanned["Count"] == 7 and len(scanned["Items"]) == 7
    from conftest import AwsCliError
    with pytest.raises(AwsCliError) as e:
        aws("dynamodb", "put-item", "--table-name", "Cli", "--item", json.dumps({"id": {"S": "1"}}),
            "--condition-expression", "attribute_not_exists(id)")
    assert "ConditionalCheckFailedException" in e.value.stderr
    with pytest.raises(AwsCliError) as e:
        aws("dynamodb", "describe-table", "--table-name", "Missing")
    assert "ResourceNotFoundException" in e.value.stderr
    with pytest.raises(AwsCliError) as e:
        aws("dynamodb", "transact-write-items", "--transact-items", json.dumps([
            {"ConditionCheck": {"TableName": "Cli", "Key": {"id": {"S": "1"}}, "ConditionExpression": "attribute_not_exists(id)"}}]))
    assert "TransactionCanceledException" in e.value.stderr and "[ConditionalCheckFailed]" in e.value.stderr


def test_js_sdk(js):
    out = js("dynamodb.mjs")
    assert "ok" in out


def test_boto3_resource_api(awan):
    """The high-level boto3 resource: conditions builder, batch_writer, Python types."""
    import boto3
    from decimal import Decimal
    from boto3.dynamodb.conditions import Attr, Key
    res = boto3.resource("dynamodb", endpoint_url=awan.endpoint, region_name="us-east-1",
                         aws_access_key_id="test", aws_secret_access_key="test")
    table = res.create_table(
        TableName="Orders", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"},
                              {"AttributeName": "order", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"}, {"AttributeName": "order", "KeyType": "RANGE"}])
    table.wait_until_exists()
    with table.batch_writer() as w:
        for i in range(60):
            w.put_item(Item={"customer": f"c{i % 3}", "order": i, "total": Decimal(f"{i}.5"),
                             "tags": {"a", "b"}, "meta": {"open": i % 2 == 0, "lines": [1, "x", None]}})
    got = table.get_item(Key={"customer": "c1", "order": 4})["Item"]
    assert got["total"] == Decimal("4.5") and got["tags"] == {"a", "b"}
    assert got["meta"] == {"open": True, "lines": [Decimal(1), "x", None]}
    q = table.query(KeyConditionExpression=Key("customer").eq("c0") & Key("order").between(10, 30),
                    FilterExpression=Attr("meta.open").eq(True) & Attr("total").gt(Decimal(12)))
    assert [int(i["order"]) for i in q["Items"]] == [12, 18, 24, 30]
    s = table.scan(FilterExpression=Attr("tags").contains("a") & Attr("order").is_in([1, 2, 3]))
    assert s["Count"] == 3
    with pytest.raises(ClientError) as e:  # LINES is a reserved word
        table.update_item(Key={"customer": "c0", "order": 0}, UpdateExpression="SET meta.lines[0] = :v",
                          ExpressionAttributeValues={":v": 42})
    assert err(e)[1] == "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: lines"
    table.update_item(Key={"customer": "c0", "order": 0}, UpdateExpression="SET meta.#l[0] = :v REMOVE tags",
                      ExpressionAttributeNames={"#l": "lines"}, ExpressionAttributeValues={":v": 42})
    got = table.get_item(Key={"customer": "c0", "order": 0})["Item"]
    assert got["meta"]["lines"][0] == 42 and "tags" not in got
    with pytest.raises(ClientError) as e:
        table.put_item(Item={"customer": "c0", "order": 0}, ConditionExpression=Attr("customer").not_exists())
    assert err(e)[0] == "ConditionalCheckFailedException"
    table.delete()
