"""One daemon per --data-dir: a second one is refused at once; --sync full keeps data too."""
import subprocess
import time

import pytest

from conftest import AWAN_BIN, Daemon, make_boto3


def start_second(data):
    t0 = time.monotonic()
    p = subprocess.run([AWAN_BIN, "serve", "--port", "0", "--data-dir", data], capture_output=True, text=True,
                       timeout=10)
    return p, time.monotonic() - t0


def test_second_daemon_on_the_same_data_dir_exits_at_once(tmp_path):
    data = str(tmp_path / "data")
    first = Daemon("--data-dir", data)
    try:
        p, elapsed = start_second(data)
        assert p.returncode != 0
        assert elapsed < 5
        assert "listening" not in p.stdout
        assert data in p.stderr and f"pid {first.proc.pid}" in p.stderr, p.stderr
        # The first daemon still serves, and its data is its own.
        ddb = make_boto3(first.endpoint, "dynamodb")
        ddb.create_table(TableName="tbl", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
        assert ddb.list_tables()["TableNames"] == ["tbl"]
    finally:
        assert first.stop() == 0


def test_data_dir_is_free_again_after_stop_and_after_kill9(tmp_path):
    data = str(tmp_path / "data")
    Daemon("--data-dir", data).stop()
    d = Daemon("--data-dir", data)
    d.kill9()
    d = Daemon("--data-dir", data)
    assert d.stop() == 0


def test_sync_full_keeps_acknowledged_writes_across_kill9(tmp_path):
    data = str(tmp_path / "data")
    d = Daemon("--data-dir", data, "--sync", "full")
    ddb = make_boto3(d.endpoint, "dynamodb")
    ddb.create_table(TableName="tbl", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    for i in range(20):
        ddb.put_item(TableName="tbl", Item={"k": {"S": str(i)}})
    d.kill9()
    d = Daemon("--data-dir", data, "--sync", "full")
    try:
        ddb = make_boto3(d.endpoint, "dynamodb")
        assert ddb.scan(TableName="tbl")["Count"] == 20
    finally:
        d.stop()


@pytest.mark.parametrize("value", ["fast", ""])
def test_invalid_sync_value_is_a_usage_error(value):
    p = subprocess.run([AWAN_BIN, "serve", "--port", "0", "--sync", value], capture_output=True, text=True, timeout=10)
    assert p.returncode == 2
    assert "--sync" in p.stderr
