"""DynamoDB global tables against the daemon: replicas (2019.11.21) and the legacy API
(2017.11.29), replication between regions, streams of each replica, table classes, the
billing-mode switch rule, --enforce-throughput and restarts with --data-dir."""
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import Daemon, make_boto3

KEY = dict(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
STREAM = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def wait_for(check, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        v = check()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.005)


def clients(endpoint, *regions):
    return [make_boto3(endpoint, "dynamodb", region=r) for r in regions]


def replica_status(ddb, name, region):
    for r in ddb.describe_table(TableName=name)["Table"].get("Replicas", []):
        if r["RegionName"] == region:
            return r["ReplicaStatus"]
    return None


def add_replica(ddb, name, region):
    ddb.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": region}}])
    wait_for(lambda: replica_status(ddb, name, region) == "ACTIVE"
             and ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE")


def get(ddb, name, pk):
    return ddb.get_item(TableName=name, Key={"pk": {"S": pk}}).get("Item")


def global_table(endpoint, name="Music", regions=("us-east-1", "us-west-2")):
    cs = clients(endpoint, *regions)
    cs[0].create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **KEY)
    for r in regions[1:]:
        add_replica(cs[0], name, r)
    return cs


def test_replica_create_and_delete_lifecycle(awan):
    east, west = clients(awan.endpoint, "us-east-1", "us-west-2")
    east.create_table(TableName="Music", BillingMode="PAY_PER_REQUEST", **KEY)
    east.put_item(TableName="Music", Item={"pk": {"S": "before"}})
    d = east.update_table(TableName="Music", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])["TableDescription"]
    assert d["GlobalTableVersion"] == "2019.11.21"
    assert [(r["RegionName"], r["ReplicaStatus"]) for r in d["Replicas"]] == [("us-west-2", "CREATING")]
    assert d["StreamSpecification"] == STREAM
    wait_for(lambda: replica_status(east, "Music", "us-west-2") == "ACTIVE")
    w = west.describe_table(TableName="Music")["Table"]
    assert w["TableArn"] == "arn:aws:dynamodb:us-west-2:000000000000:table/Music"
    assert [r["RegionName"] for r in w["Replicas"]] == ["us-east-1"]
    assert w["Replicas"][0]["ReplicaTableClassSummary"] == {"TableClass": "STANDARD"}
    assert get(west, "Music", "before") == {"pk": {"S": "before"}}
    d = east.update_table(TableName="Music", ReplicaUpdates=[{"Delete": {"RegionName": "us-west-2"}}])["TableDescription"]
    assert d["Replicas"][0]["ReplicaStatus"] == "DELETING"
    wait_for(lambda: "Replicas" not in east.describe_table(TableName="Music")["Table"])
    with pytest.raises(ClientError) as e:
        west.describe_table(TableName="Music")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    east.put_item(TableName="Music", Item={"pk": {"S": "after"}})  # the table keeps serving
    assert get(east, "Music", "after")


def test_replica_updates_validation(awan):
    east, = clients(awan.endpoint, "us-east-1")
    east.create_table(TableName="Prov", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}, **KEY)
    with pytest.raises(ClientError) as e:
        east.update_table(TableName="Prov", ReplicaUpdates=[{"Create": {"RegionName": "us-east-1"}}])
    assert e.value.response["Error"]["Message"] == (
        "Cannot add, delete, or update the local region through ReplicaUpdates. Use CreateTable, DeleteTable, "
        "or UpdateTable as required.")
    with pytest.raises(ClientError) as e:
        east.update_table(TableName="Prov", ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}])
    assert e.value.response["Error"]["Message"] == "Table write capacity should either be Pay-Per-Request or AutoScaled."
    east.update_table(TableName="Prov", BillingMode="PAY_PER_REQUEST")
    east.update_table(TableName="Prov", ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}])
    with pytest.raises(ClientError) as e:  # not ACTIVE while the replica is being created
        east.update_table(TableName="Prov", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
    assert e.value.response["Error"]["Code"] in ("ResourceInUseException", "ValidationException")


def test_writes_in_each_region_are_seen_in_the_others(awan):
    east, west, eu = global_table(awan.endpoint, regions=("us-east-1", "us-west-2", "eu-west-1"))
    lags = []
    for i, (src, dst) in enumerate([(east, west), (west, eu), (eu, east)] * 5):
        pk = f"k{i}"
        t0 = time.monotonic()
        src.put_item(TableName="Music", Item={"pk": {"S": pk}, "n": {"N": str(i)}})
        wait_for(lambda: get(dst, "Music", pk))
        lags.append(time.monotonic() - t0)
    lags.sort()
    assert lags[len(lags) // 2] < 0.05, lags  # the goal: replicated within 50 ms
    west.update_item(TableName="Music", Key={"pk": {"S": "k0"}}, UpdateExpression="SET m = :m",
                     ExpressionAttributeValues={":m": {"S": "x"}})
    eu.delete_item(TableName="Music", Key={"pk": {"S": "k1"}})
    west.batch_write_item(RequestItems={"Music": [{"PutRequest": {"Item": {"pk": {"S": "b"}}}}]})
    east.transact_write_items(TransactItems=[{"Put": {"TableName": "Music", "Item": {"pk": {"S": "t"}}}}])
    eu.execute_statement(Statement="INSERT INTO Music VALUE {'pk': 'q'}")
    for c in (east, west, eu):
        wait_for(lambda: (get(c, "Music", "k0") or {}).get("m") == {"S": "x"} and get(c, "Music", "k1") is None
                 and get(c, "Music", "b") and get(c, "Music", "t") and get(c, "Music", "q"))
    counts = [c.scan(TableName="Music", Select="COUNT")["Count"] for c in (east, west, eu)]
    assert counts == [counts[0]] * 3


def test_concurrent_conflicting_writes_converge(awan):
    east, west = global_table(awan.endpoint)
    c1, c2 = clients(awan.endpoint, "us-east-1", "us-west-2")

    def writer(c, region):
        for i in range(60):
            c.put_item(TableName="Music", Item={"pk": {"S": f"c{i % 5}"}, "by": {"S": f"{region}-{i}"}})

    threads = [threading.Thread(target=writer, args=a) for a in ((c1, "east"), (c2, "west"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    def converged():
        a = east.scan(TableName="Music", ConsistentRead=True)["Items"]
        b = west.scan(TableName="Music", ConsistentRead=True)["Items"]
        return len(a) == 5 and sorted(map(str, a)) == sorted(map(str, b))
    wait_for(converged)


def test_each_replica_has_its_own_stream(awan, boto):
    east, west = global_table(awan.endpoint)
    streams_east = make_boto3(awan.endpoint, "dynamodbstreams", region="us-east-1")
    streams_west = make_boto3(awan.endpoint, "dynamodbstreams", region="us-west-2")
    east.put_item(TableName="Music", Item={"pk": {"S": "s"}, "v": {"N": "1"}})
    wait_for(lambda: get(west, "Music", "s"))

    def records(ddb, streams):
        arn = ddb.describe_table(TableName="Music")["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        return arn, streams.get_records(ShardIterator=it)["Records"]

    arn_e, rec_e = records(east, streams_east)
    arn_w, rec_w = records(west, streams_west)
    assert ":us-east-1:" in arn_e and ":us-west-2:" in arn_w
    assert [(r["eventName"], r["awsRegion"]) for r in rec_e] == [("INSERT", "us-east-1")]
    assert [(r["eventName"], r["awsRegion"]) for r in rec_w] == [("INSERT", "us-west-2")]
    assert rec_w[0]["dynamodb"]["NewImage"] == {"pk": {"S": "s"}, "v": {"N": "1"}}


def test_legacy_global_tables_api(awan):
    east, west = clients(awan.endpoint, "us-east-1", "us-west-2")
    for c in (east, west):
        c.create_table(TableName="Legacy", BillingMode="PAY_PER_REQUEST", StreamSpecification=STREAM, **KEY)
    group = [{"RegionName": "us-east-1"}, {"RegionName": "us-west-2"}]
    d = east.create_global_table(GlobalTableName="Legacy", ReplicationGroup=group)["GlobalTableDescription"]
    assert d["GlobalTableArn"] == "arn:aws:dynamodb::000000000000:global-table/Legacy"
    assert d["GlobalTableStatus"] == "CREATING"
    with pytest.raises(ClientError) as e:
        east.create_global_table(GlobalTableName="Legacy", ReplicationGroup=group)
    assert e.value.response["Error"]["Code"] == "GlobalTableAlreadyExistsException"
    east.put_item(TableName="Legacy", Item={"pk": {"S": "a"}})
    item = wait_for(lambda: get(west, "Legacy", "a"))
    assert item["aws:rep:updateregion"] == {"S": "us-east-1"}
    assert item["aws:rep:deleting"] == {"BOOL": False}
    assert float(item["aws:rep:updatetime"]["N"]) > 1.6e9
    assert east.describe_global_table(GlobalTableName="Legacy")["GlobalTableDescription"]["GlobalTableStatus"] == "ACTIVE"
    listed = east.list_global_tables()["GlobalTables"]
    assert listed == [{"GlobalTableName": "Legacy", "ReplicationGroup": group}]
    settings = east.describe_global_table_settings(GlobalTableName="Legacy")["ReplicaSettings"]
    assert [s["RegionName"] for s in settings] == ["us-east-1", "us-west-2"]
    assert settings[0]["ReplicaBillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    for call, code in [
        (lambda: east.describe_global_table(GlobalTableName="Nope"), "GlobalTableNotFoundException"),
        (lambda: east.update_global_table(GlobalTableName="Legacy",
                                          ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}]),
         "ReplicaAlreadyExistsException"),
        (lambda: east.update_global_table(GlobalTableName="Legacy",
                                          ReplicaUpdates=[{"Delete": {"RegionName": "eu-west-1"}}]),
         "ReplicaNotFoundException"),
        (lambda: east.update_global_table(GlobalTableName="Legacy",
                                          ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}]),
         "TableNotFoundException"),
        (lambda: east.update_global_table_settings(GlobalTableName="Legacy",
                                                   ReplicaSettingsUpdate=[{"RegionName": "eu-west-1"}]),
         "ReplicaNotFoundException"),
    ]:
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.response["Error"]["Code"] == code
    with pytest.raises(ClientError) as e:
        east.describe_global_table(GlobalTableName="Other")
    assert e.value.response["Error"]["Message"] == "Global table with name 'Other' does not exist."
    east.update_global_table(GlobalTableName="Legacy", ReplicaUpdates=[{"Delete": {"RegionName": "us-west-2"}}])
    wait_for(lambda: len(east.describe_global_table(GlobalTableName="Legacy")["GlobalTableDescription"]
                         ["ReplicationGroup"]) == 1)
    assert get(west, "Legacy", "a")  # the table itself stays


def test_table_class_switch(awan):
    ddb, = clients(awan.endpoint, "us-east-1")
    ddb.create_table(TableName="Cls", BillingMode="PAY_PER_REQUEST", TableClass="STANDARD", **KEY)
    assert ddb.describe_table(TableName="Cls")["Table"]["TableClassSummary"] == {"TableClass": "STANDARD"}
    ddb.update_table(TableName="Cls", TableClass="STANDARD_INFREQUENT_ACCESS")
    s = ddb.describe_table(TableName="Cls")["Table"]["TableClassSummary"]
    assert s["TableClass"] == "STANDARD_INFREQUENT_ACCESS" and "LastUpdateDateTime" in s
    assert ddb.describe_table(TableName="Cls")["Table"]["TableStatus"] == "ACTIVE"


def test_billing_mode_switch_rule(awan):
    ddb, = clients(awan.endpoint, "us-east-1")
    ddb.create_table(TableName="Bill", BillingMode="PAY_PER_REQUEST", **KEY)
    ddb.update_table(TableName="Bill", BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName="Bill", BillingMode="PAY_PER_REQUEST")
    err = e.value.response["Error"]
    assert err["Code"] == "LimitExceededException"
    assert err["Message"].startswith(
        "Subscriber limit exceeded: Update to PayPerRequest mode are limited to once in 1 day(s). Last update at ")
    assert "Next update can be made at" in err["Message"]


def test_throttling_with_enforce_throughput():
    d = Daemon("--enforce-throughput")
    try:
        ddb = make_boto3(d.endpoint, "dynamodb")
        ddb.create_table(TableName="Slow", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}, **KEY)
        ddb.put_item(TableName="Slow", Item={"pk": {"S": "a"}})
        with pytest.raises(ClientError) as e:
            for i in range(5):
                ddb.put_item(TableName="Slow", Item={"pk": {"S": f"b{i}"}})
        assert e.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        time.sleep(1.1)  # one second refills one unit
        ddb.put_item(TableName="Slow", Item={"pk": {"S": "c"}})
        ddb.create_table(TableName="Fast", BillingMode="PAY_PER_REQUEST", **KEY)
        for i in range(20):  # on demand: never throttled
            ddb.put_item(TableName="Fast", Item={"pk": {"S": f"f{i}"}})
    finally:
        d.stop()


def test_legacy_settings_update_index_capacity(awan):
    east, west = clients(awan.endpoint, "us-east-1", "us-west-2")
    gsi = [{"IndexName": "by-v", "KeySchema": [{"AttributeName": "v", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}]
    for c in (east, west):
        c.create_table(TableName="LegacyIx", StreamSpecification=STREAM, GlobalSecondaryIndexes=gsi,
                       ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                       AttributeDefinitions=KEY["AttributeDefinitions"] + [{"AttributeName": "v", "AttributeType": "S"}],
                       KeySchema=KEY["KeySchema"])
    east.create_global_table(GlobalTableName="LegacyIx",
                             ReplicationGroup=[{"RegionName": "us-east-1"}, {"RegionName": "us-west-2"}])
    out = east.update_global_table_settings(
        GlobalTableName="LegacyIx",
        GlobalTableGlobalSecondaryIndexSettingsUpdate=[{"IndexName": "by-v", "ProvisionedWriteCapacityUnits": 7}],
        ReplicaSettingsUpdate=[{"RegionName": "us-west-2", "ReplicaGlobalSecondaryIndexSettingsUpdate": [
            {"IndexName": "by-v", "ProvisionedReadCapacityUnits": 5}]}])
    by_region = {r["RegionName"]: r["ReplicaGlobalSecondaryIndexSettings"][0] for r in out["ReplicaSettings"]}
    assert by_region["us-east-1"]["ProvisionedWriteCapacityUnits"] == 7
    assert by_region["us-west-2"]["ProvisionedWriteCapacityUnits"] == 7
    assert by_region["us-east-1"]["ProvisionedReadCapacityUnits"] == 1
    assert by_region["us-west-2"]["ProvisionedReadCapacityUnits"] == 5
    west_ix = west.describe_table(TableName="LegacyIx")["Table"]["GlobalSecondaryIndexes"][0]
    assert west_ix["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    with pytest.raises(ClientError) as e:
        east.update_global_table_settings(
            GlobalTableName="LegacyIx",
            GlobalTableGlobalSecondaryIndexSettingsUpdate=[{"IndexName": "nope", "ProvisionedWriteCapacityUnits": 2}])
    assert e.value.response["Error"]["Code"] == "IndexNotFoundException"


def test_transactions_are_throttled_with_enforce_throughput():
    d = Daemon("--enforce-throughput")
    try:
        ddb = make_boto3(d.endpoint, "dynamodb")
        ddb.create_table(TableName="SlowTx", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                         **KEY)
        ddb.create_table(TableName="FastTx", BillingMode="PAY_PER_REQUEST", **KEY)
        # A transactional write costs 2 units: the first empties the 1-unit bucket, the next is
        # cancelled with the throttled item's reason.
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "SlowTx", "Item": {"pk": {"S": "a"}}}}])
        with pytest.raises(ClientError) as e:
            ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": "FastTx", "Item": {"pk": {"S": "x"}}}},
                {"Put": {"TableName": "SlowTx", "Item": {"pk": {"S": "b"}}}}])
        assert e.value.response["Error"]["Code"] == "TransactionCanceledException"
        reasons = [r["Code"] for r in e.value.response["CancellationReasons"]]
        assert reasons == ["None", "ProvisionedThroughputExceeded"]
        assert "Item" not in ddb.get_item(TableName="FastTx", Key={"pk": {"S": "x"}})  # nothing written
        with pytest.raises(ClientError) as e:
            for _ in range(3):
                ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "SlowTx", "Key": {"pk": {"S": "a"}}}}])
        assert [r["Code"] for r in e.value.response["CancellationReasons"]] == ["ProvisionedThroughputExceeded"]
    finally:
        d.stop()


def test_replication_survives_a_restart(tmp_path):
    data = str(tmp_path / "data")
    d = Daemon("--data-dir", data)
    try:
        east, west = global_table(d.endpoint)
        for i in range(50):
            east.put_item(TableName="Music", Item={"pk": {"S": f"k{i}"}})
    finally:
        d.kill9()  # whatever was not replicated yet is in the change log
    d = Daemon("--data-dir", data)
    try:
        east, west = clients(d.endpoint, "us-east-1", "us-west-2")
        wait_for(lambda: west.scan(TableName="Music", Select="COUNT")["Count"] == 50)
        west.put_item(TableName="Music", Item={"pk": {"S": "after"}})
        wait_for(lambda: get(east, "Music", "after"))
        streams = make_boto3(d.endpoint, "dynamodbstreams", region="us-west-2")
        arn = west.describe_table(TableName="Music")["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        recs = streams.get_records(ShardIterator=it)["Records"]
        assert len(recs) == 51  # each write applied once
        assert replica_status(east, "Music", "us-west-2") == "ACTIVE"
    finally:
        assert d.stop() == 0


def test_js_sdk_global_tables(js):
    out = js("dynamodb_global.mjs")
    assert "ok" in out
