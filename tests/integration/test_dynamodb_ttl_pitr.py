"""DynamoDB TTL expiry, point-in-time recovery and on-demand backups through boto3."""
import datetime
import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import Daemon, make_boto3

KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
ATTRS = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
         {"AttributeName": "g", "AttributeType": "S"}]
GSI = [{"IndexName": "ByG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}}]


def create(ddb, name, stream=None):
    kw = dict(TableName=name, KeySchema=KEYS, AttributeDefinitions=ATTRS, BillingMode="PAY_PER_REQUEST",
              GlobalSecondaryIndexes=GSI)
    if stream:
        kw["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
    return ddb.create_table(**kw)["TableDescription"]


def item(pk, sk, v, **extra):
    it = {"pk": {"S": pk}, "sk": {"N": str(sk)}, "v": {"S": v}, "g": {"S": "all"}}
    it.update(extra)
    return it


def scan(ddb, table):
    items, kw = [], {}
    while True:
        out = ddb.scan(TableName=table, **kw)
        items += out["Items"]
        if "LastEvaluatedKey" not in out:
            break
        kw["ExclusiveStartKey"] = out["LastEvaluatedKey"]
    return sorted(items, key=lambda i: json.dumps(i, sort_keys=True))


def expire(daemon):
    status, _, body = daemon.request("POST", "/_awan/dynamodb/expire")
    assert status == 200
    return json.loads(body)["deleted"]


# ---------------------------------------------------------------- TTL

def test_ttl_settings_validation(boto):
    ddb = boto("dynamodb")
    create(ddb, "Ttl")
    assert ddb.describe_time_to_live(TableName="Ttl")["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    spec = {"Enabled": True, "AttributeName": "exp"}
    assert ddb.update_time_to_live(TableName="Ttl", TimeToLiveSpecification=spec)["TimeToLiveSpecification"] == spec
    d = ddb.describe_time_to_live(TableName="Ttl")["TimeToLiveDescription"]
    assert d == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    with pytest.raises(ClientError) as e:
        ddb.update_time_to_live(TableName="Ttl", TimeToLiveSpecification=spec)
    assert e.value.response["Error"]["Message"] == "TimeToLive is already enabled"
    with pytest.raises(ClientError) as e:
        ddb.update_time_to_live(TableName="Ttl", TimeToLiveSpecification={"Enabled": True, "AttributeName": "other"})
    assert "different AttributeName" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        ddb.update_time_to_live(TableName="Nope", TimeToLiveSpecification=spec)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_ttl_sweep_through_the_endpoint(awan, boto):
    ddb, streams = boto("dynamodb"), boto("dynamodbstreams")
    arn = create(ddb, "Ttl", "NEW_AND_OLD_IMAGES")["LatestStreamArn"]
    ddb.update_time_to_live(TableName="Ttl", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    now = int(time.time())
    ddb.put_item(TableName="Ttl", Item=item("a", 1, "expired", exp={"N": str(now - 10)}))
    ddb.put_item(TableName="Ttl", Item=item("a", 2, "future", exp={"N": str(now + 3600)}))
    ddb.put_item(TableName="Ttl", Item=item("a", 3, "string", exp={"S": str(now - 10)}))
    ddb.put_item(TableName="Ttl", Item=item("a", 4, "none"))
    ddb.put_item(TableName="Ttl", Item=item("a", 5, "ancient", exp={"N": "1000000000"}))
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    # expired but not yet deleted items are still returned
    assert "Item" in ddb.get_item(TableName="Ttl", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert expire(awan) == 1
    assert expire(awan) == 0
    assert sorted(i["v"]["S"] for i in scan(ddb, "Ttl")) == ["ancient", "future", "none", "string"]
    recs = streams.get_records(ShardIterator=it)["Records"]
    assert len(recs) == 1
    r = recs[0]
    assert r["eventName"] == "REMOVE"
    assert r["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    assert r["dynamodb"]["OldImage"]["v"] == {"S": "expired"}
    # the index follows
    out = ddb.query(TableName="Ttl", IndexName="ByG", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": "all"}})
    assert out["Count"] == 4


def test_ttl_sweep_by_the_timer():
    d = Daemon("--ttl-interval", "0.2")
    try:
        ddb = make_boto3(d.endpoint, "dynamodb")
        create(ddb, "Timer")
        ddb.update_time_to_live(TableName="Timer", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        now = int(time.time())
        ddb.put_item(TableName="Timer", Item=item("a", 1, "soon", exp={"N": str(now - 1)}))
        ddb.put_item(TableName="Timer", Item=item("a", 2, "later", exp={"N": str(now + 3600)}))
        deadline = time.time() + 5
        while time.time() < deadline and ddb.scan(TableName="Timer")["Count"] != 1:
            time.sleep(0.05)
        assert [i["v"]["S"] for i in ddb.scan(TableName="Timer")["Items"]] == ["later"]
    finally:
        d.stop()


# ---------------------------------------------------------------- point-in-time recovery

def test_continuous_backups_settings_and_errors(boto):
    ddb = boto("dynamodb")
    create(ddb, "Pitr")
    d = ddb.describe_continuous_backups(TableName="Pitr")["ContinuousBackupsDescription"]
    assert d["ContinuousBackupsStatus"] == "ENABLED"
    assert d["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    with pytest.raises(ClientError) as e:
        ddb.restore_table_to_point_in_time(SourceTableName="Pitr", TargetTableName="Out", UseLatestRestorableTime=True)
    assert e.value.response["Error"]["Code"] == "PointInTimeRecoveryUnavailableException"
    with pytest.raises(ClientError) as e:
        ddb.describe_continuous_backups(TableName="Nope")
    assert e.value.response["Error"]["Code"] == "TableNotFoundException"
    d = ddb.update_continuous_backups(TableName="Pitr", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert d["PointInTimeRecoveryStatus"] == "ENABLED"
    assert d["EarliestRestorableDateTime"] <= d["LatestRestorableDateTime"]
    with pytest.raises(ClientError) as e:
        ddb.restore_table_to_point_in_time(SourceTableName="Pitr", TargetTableName="Out",
                                           RestoreDateTime=datetime.datetime(2020, 1, 1))
    assert e.value.response["Error"]["Code"] == "InvalidRestoreTimeException"
    create(ddb, "Taken")
    with pytest.raises(ClientError) as e:
        ddb.restore_table_to_point_in_time(SourceTableName="Pitr", TargetTableName="Taken", UseLatestRestorableTime=True)
    assert e.value.response["Error"]["Code"] == "TableAlreadyExistsException"


def wait_for_next_second():
    t = time.time()
    time.sleep(int(t) + 1 - t + 0.02)
    return int(time.time())


def test_restore_to_each_second(boto):
    ddb = boto("dynamodb")
    create(ddb, "Hist")
    for i in range(20):
        ddb.put_item(TableName="Hist", Item=item("base", i, "v0"))
    ddb.update_continuous_backups(TableName="Hist", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    snapshots = []  # (second after the writes, table content)
    for step in range(4):
        second = wait_for_next_second()
        for i in range(step * 5, step * 5 + 5):
            ddb.put_item(TableName="Hist", Item=item("new", i, f"s{step}"))
        ddb.update_item(TableName="Hist", Key={"pk": {"S": "base"}, "sk": {"N": str(step)}},
                        UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"S": f"u{step}"}})
        ddb.delete_item(TableName="Hist", Key={"pk": {"S": "base"}, "sk": {"N": str(19 - step)}})
        ddb.batch_write_item(RequestItems={"Hist": [
            {"DeleteRequest": {"Key": {"pk": {"S": "new"}, "sk": {"N": str(step * 5)}}}}]})
        assert int(time.time()) == second, "writes spilled into the next second; machine too slow"
        snapshots.append((second + 1, scan(ddb, "Hist")))
    wait_for_next_second()
    for n, (at, content) in enumerate(snapshots):
        target = f"Hist_{n}"
        out = ddb.restore_table_to_point_in_time(
            SourceTableName="Hist", TargetTableName=target,
            RestoreDateTime=datetime.datetime.fromtimestamp(at, datetime.timezone.utc))["TableDescription"]
        assert out["RestoreSummary"]["SourceTableArn"].endswith(":table/Hist")
        assert scan(ddb, target) == content, f"restore to {at}"
        # the restored table keeps the index
        q = ddb.query(TableName=target, IndexName="ByG", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": {"S": "all"}})
        assert q["Count"] == len(content)
    arn = ddb.describe_table(TableName="Hist")["Table"]["TableArn"]
    ddb.restore_table_to_point_in_time(SourceTableArn=arn, TargetTableName="HistLatest", UseLatestRestorableTime=True,
                                       BillingModeOverride="PAY_PER_REQUEST")
    assert scan(ddb, "HistLatest") == scan(ddb, "Hist")


# ---------------------------------------------------------------- on-demand backups

def test_backup_round_trip(boto):
    ddb = boto("dynamodb")
    create(ddb, "Src")
    for i in range(30):
        ddb.put_item(TableName="Src", Item=item("k", i, f"v{i}"))
    before = scan(ddb, "Src")
    b = ddb.create_backup(TableName="Src", BackupName="nightly")["BackupDetails"]
    arn = b["BackupArn"]
    assert ":table/Src/backup/" in arn and b["BackupName"] == "nightly" and b["BackupType"] == "USER"
    ddb.delete_item(TableName="Src", Key={"pk": {"S": "k"}, "sk": {"N": "0"}})
    ddb.put_item(TableName="Src", Item=item("k", 1, "changed"))
    d = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
    assert d["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    assert d["SourceTableDetails"]["ItemCount"] == 30
    assert d["SourceTableFeatureDetails"]["GlobalSecondaryIndexes"][0]["IndexName"] == "ByG"
    ddb.create_backup(TableName="Src", BackupName="second")
    page = ddb.list_backups(TableName="Src", Limit=1)
    assert len(page["BackupSummaries"]) == 1 and "LastEvaluatedBackupArn" in page
    rest = ddb.list_backups(TableName="Src", ExclusiveStartBackupArn=page["LastEvaluatedBackupArn"])
    assert [s["BackupName"] for s in page["BackupSummaries"] + rest["BackupSummaries"]] == ["nightly", "second"]
    assert ddb.list_backups(TableName="Other")["BackupSummaries"] == []
    out = ddb.restore_table_from_backup(TargetTableName="Restored", BackupArn=arn)["TableDescription"]
    assert out["RestoreSummary"]["SourceBackupArn"] == arn
    assert scan(ddb, "Restored") == before
    with pytest.raises(ClientError) as e:
        ddb.restore_table_from_backup(TargetTableName="Restored", BackupArn=arn)
    assert e.value.response["Error"]["Code"] == "TableAlreadyExistsException"
    assert ddb.delete_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "DELETED"
    with pytest.raises(ClientError) as e:
        ddb.describe_backup(BackupArn=arn)
    assert e.value.response["Error"]["Code"] == "BackupNotFoundException"


# ---------------------------------------------------------------- persistence

def test_streams_pitr_and_backups_survive_kill9(tmp_path):
    d = Daemon("--data-dir", str(tmp_path))
    try:
        ddb, streams = make_boto3(d.endpoint, "dynamodb"), make_boto3(d.endpoint, "dynamodbstreams")
        arn = create(ddb, "Durable", "NEW_IMAGE")["LatestStreamArn"]
        ddb.update_continuous_backups(TableName="Durable", PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        for i in range(5):
            ddb.put_item(TableName="Durable", Item=item("k", i, "v"))
        backup = ddb.create_backup(TableName="Durable", BackupName="first")["BackupDetails"]["BackupArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        content = scan(ddb, "Durable")
    finally:
        d.kill9()
    d = Daemon("--data-dir", str(tmp_path))
    try:
        ddb, streams = make_boto3(d.endpoint, "dynamodb"), make_boto3(d.endpoint, "dynamodbstreams")
        out = streams.get_records(ShardIterator=it)  # iterators survive a restart
        assert [r["dynamodb"]["Keys"]["sk"]["N"] for r in out["Records"]] == [str(i) for i in range(5)]
        ddb.put_item(TableName="Durable", Item=item("k", 9, "after restart"))
        assert len(streams.get_records(ShardIterator=out["NextShardIterator"])["Records"]) == 1
        ddb.restore_table_from_backup(TargetTableName="FromBackup", BackupArn=backup)
        assert scan(ddb, "FromBackup") == content
        ddb.restore_table_to_point_in_time(SourceTableName="Durable", TargetTableName="Latest",
                                           UseLatestRestorableTime=True)
        assert scan(ddb, "Latest") == scan(ddb, "Durable")
    finally:
        d.stop()
