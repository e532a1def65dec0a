"""DynamoDB Streams through boto3 (dynamodb + dynamodbstreams clients) and the JS SDK v3."""
import time

import pytest
from botocore.exceptions import ClientError

KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
ATTRS = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]


def create(ddb, name, view="NEW_AND_OLD_IMAGES"):
    kw = dict(TableName=name, KeySchema=KEYS, AttributeDefinitions=ATTRS, BillingMode="PAY_PER_REQUEST")
    if view:
        kw["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
    return ddb.create_table(**kw)["TableDescription"]


def item(pk, sk, v):
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}, "v": {"S": v}}


def shard_of(streams, arn):
    d = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert len(d["Shards"]) == 1
    return d["Shards"][0]["ShardId"]


def iterator(streams, arn, kind, seq=None):
    kw = dict(StreamArn=arn, ShardId=shard_of(streams, arn), ShardIteratorType=kind)
    if seq:
        kw["SequenceNumber"] = seq
    return streams.get_shard_iterator(**kw)["ShardIterator"]


@pytest.fixture
def clients(boto):
    return boto("dynamodb"), boto("dynamodbstreams")


def test_describe_table_and_stream(clients):
    ddb, streams = clients
    desc = create(ddb, "Orders")
    arn = desc["LatestStreamArn"]
    assert arn.startswith("arn:aws:dynamodb:us-east-1:000000000000:table/Orders/stream/")
    assert arn.endswith(desc["LatestStreamLabel"])
    assert ddb.describe_table(TableName="Orders")["Table"]["StreamSpecification"] == {
        "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    d = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert d["StreamStatus"] == "ENABLED"
    assert d["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert d["TableName"] == "Orders"
    assert d["KeySchema"] == KEYS
    assert d["Shards"][0]["ShardId"].startswith("shardId-")
    assert "EndingSequenceNumber" not in d["Shards"][0]["SequenceNumberRange"]
    listed = streams.list_streams(TableName="Orders")["Streams"]
    assert listed == [{"StreamArn": arn, "TableName": "Orders", "StreamLabel": desc["LatestStreamLabel"]}]
    with pytest.raises(ClientError) as e:
        streams.describe_stream(StreamArn=arn.replace("Orders", "Nope"))
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_records_every_iterator_type(clients):
    ddb, streams = clients
    arn = create(ddb, "Orders")["LatestStreamArn"]
    horizon = iterator(streams, arn, "TRIM_HORIZON")
    ddb.put_item(TableName="Orders", Item=item("a", 1, "x"))
    ddb.put_item(TableName="Orders", Item=item("a", 1, "x"))  # no change: no record
    ddb.update_item(TableName="Orders", Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                    UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"S": "y"}})
    ddb.delete_item(TableName="Orders", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    ddb.delete_item(TableName="Orders", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})  # nothing: no record
    latest = iterator(streams, arn, "LATEST")
    out = streams.get_records(ShardIterator=horizon)
    recs = out["Records"]
    assert [r["eventName"] for r in recs] == ["INSERT", "MODIFY", "REMOVE"]
    r0 = recs[0]
    assert r0["eventSource"] == "aws:dynamodb" and r0["eventVersion"] == "1.1" and r0["awsRegion"] == "us-east-1"
    assert r0["dynamodb"]["Keys"] == {"pk": {"S": "a"}, "sk": {"N": "1"}}
    assert r0["dynamodb"]["NewImage"] == item("a", 1, "x") and "OldImage" not in r0["dynamodb"]
    assert recs[1]["dynamodb"]["OldImage"] == item("a", 1, "x")
    assert recs[1]["dynamodb"]["NewImage"] == item("a", 1, "y")
    assert recs[2]["dynamodb"]["OldImage"] == item("a", 1, "y") and "NewImage" not in recs[2]["dynamodb"]
    assert abs(r0["dynamodb"]["ApproximateCreationDateTime"].timestamp() - time.time()) < 60
    seqs = [r["dynamodb"]["SequenceNumber"] for r in recs]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3 and all(len(s) >= 21 for s in seqs)
    assert all(r["dynamodb"]["SizeBytes"] > 0 for r in recs)
    assert len({r["eventID"] for r in recs}) == 3
    # AT / AFTER a sequence number
    at = streams.get_records(ShardIterator=iterator(streams, arn, "AT_SEQUENCE_NUMBER", seqs[1]))["Records"]
    assert [r["dynamodb"]["SequenceNumber"] for r in at] == seqs[1:]
    after = streams.get_records(ShardIterator=iterator(streams, arn, "AFTER_SEQUENCE_NUMBER", seqs[1]))["Records"]
    assert [r["dynamodb"]["SequenceNumber"] for r in after] == seqs[2:]
    # LATEST sees only what comes after it; the next iterator follows on
    first = streams.get_records(ShardIterator=latest)
    assert first["Records"] == []
    ddb.put_item(TableName="Orders", Item=item("b", 2, "z"))
    nxt = streams.get_records(ShardIterator=first["NextShardIterator"])
    assert [r["eventName"] for r in nxt["Records"]] == ["INSERT"]
    # Limit
    page = streams.get_records(ShardIterator=iterator(streams, arn, "TRIM_HORIZON"), Limit=2)
    assert len(page["Records"]) == 2
    page2 = streams.get_records(ShardIterator=page["NextShardIterator"], Limit=2)
    assert [r["dynamodb"]["SequenceNumber"] for r in page2["Records"]][0] == seqs[2]
    with pytest.raises(ClientError) as e:
        streams.get_records(ShardIterator="not-an-iterator")
    assert e.value.response["Error"]["Code"] == "ValidationException"


@pytest.mark.parametrize("view", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])
def test_view_types(clients, view):
    ddb, streams = clients
    arn = create(ddb, "Views", view)["LatestStreamArn"]
    ddb.put_item(TableName="Views", Item=item("a", 1, "x"))
    ddb.put_item(TableName="Views", Item=item("a", 1, "y"))
    recs = streams.get_records(ShardIterator=iterator(streams, arn, "TRIM_HORIZON"))["Records"]
    m = recs[1]["dynamodb"]
    assert m["StreamViewType"] == view
    assert m["Keys"] == {"pk": {"S": "a"}, "sk": {"N": "1"}}
    assert ("NewImage" in m) == (view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"))
    assert ("OldImage" in m) == (view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"))
    if "NewImage" in m:
        assert m["NewImage"]["v"] == {"S": "y"}
    if "OldImage" in m:
        assert m["OldImage"]["v"] == {"S": "x"}


def test_batch_and_transaction_records(clients):
    ddb, streams = clients
    arn = create(ddb, "Batch")["LatestStreamArn"]
    ddb.batch_write_item(RequestItems={"Batch": [{"PutRequest": {"Item": item("a", i, "v")}} for i in range(5)]})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "Batch", "Item": item("a", 0, "v")}},  # unchanged
        {"Delete": {"TableName": "Batch", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}},
        {"Update": {"TableName": "Batch", "Key": {"pk": {"S": "a"}, "sk": {"N": "2"}},
                    "UpdateExpression": "SET v = :n", "ExpressionAttributeValues": {":n": {"S": "w"}}}},
    ])
    recs = streams.get_records(ShardIterator=iterator(streams, arn, "TRIM_HORIZON"))["Records"]
    assert [r["eventName"] for r in recs] == ["INSERT"] * 5 + ["REMOVE", "MODIFY"]


def test_disable_and_reenable(clients):
    ddb, streams = clients
    arn = create(ddb, "Toggle", "KEYS_ONLY")["LatestStreamArn"]
    ddb.put_item(TableName="Toggle", Item=item("a", 1, "x"))
    it = iterator(streams, arn, "TRIM_HORIZON")
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName="Toggle", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    assert e.value.response["Error"]["Message"] == "Table already has an enabled stream: TableName: Toggle"
    ddb.update_table(TableName="Toggle", StreamSpecification={"StreamEnabled": False})
    t = ddb.describe_table(TableName="Toggle")["Table"]
    assert "StreamSpecification" not in t and t["LatestStreamArn"] == arn
    d = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert d["StreamStatus"] == "DISABLED"
    assert "EndingSequenceNumber" in d["Shards"][0]["SequenceNumberRange"]
    out = streams.get_records(ShardIterator=it)
    assert len(out["Records"]) == 1
    assert "NextShardIterator" not in out  # closed shard read to its end
    time.sleep(0.01)
    ddb.update_table(TableName="Toggle", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    arn2 = ddb.describe_table(TableName="Toggle")["Table"]["LatestStreamArn"]
    assert arn2 != arn
    ddb.put_item(TableName="Toggle", Item=item("a", 2, "y"))
    recs = streams.get_records(ShardIterator=iterator(streams, arn2, "TRIM_HORIZON"))["Records"]
    assert [r["dynamodb"]["NewImage"]["v"]["S"] for r in recs] == ["y"]
    listed = streams.list_streams(TableName="Toggle", Limit=1)
    assert len(listed["Streams"]) == 1 and "LastEvaluatedStreamArn" in listed
    rest = streams.list_streams(TableName="Toggle", ExclusiveStartStreamArn=listed["LastEvaluatedStreamArn"])
    assert {s["StreamArn"] for s in listed["Streams"] + rest["Streams"]} == {arn, arn2}


def test_record_visible_once_acknowledged(clients):
    ddb, streams = clients
    arn = create(ddb, "Fast", "NEW_IMAGE")["LatestStreamArn"]
    it = streams.get_records(ShardIterator=iterator(streams, arn, "LATEST"))["NextShardIterator"]
    for i in range(20):
        ddb.put_item(TableName="Fast", Item=item("p", i, str(i)))
        out = streams.get_records(ShardIterator=it)
        assert [r["dynamodb"]["NewImage"]["sk"]["N"] for r in out["Records"]] == [str(i)]
        it = out["NextShardIterator"]


def test_js_sdk_streams(js):
    out = js("dynamodb_streams.mjs")
    assert "ok" in out
