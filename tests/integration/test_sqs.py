"""SQS against a running daemon: boto3 (Debian's, the query protocol), aws-cli, raw requests of
both wire forms; standard and FIFO queues, visibility, long polling, dead-letter queues, batches."""
import json
import threading
import time
import urllib.request

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def sqs(boto):
    return boto("sqs")


def code(exc_info):
    return exc_info.value.response["Error"]["Code"]


def attrs(sqs, url, *names):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(names or ["All"]))["Attributes"]


def test_queue_urls_use_the_request_host(sqs, awan):
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    assert url == f"http://127.0.0.1:{awan.port}/000000000000/orders"
    assert sqs.get_queue_url(QueueName="orders")["QueueUrl"] == url
    with pytest.raises(ClientError) as e:
        sqs.get_queue_url(QueueName="missing")
    assert code(e) == "AWS.SimpleQueueService.NonExistentQueue"


def test_create_queue_is_idempotent_only_with_the_same_attributes(sqs):
    url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "45"})["QueueUrl"]
    assert sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "45"})["QueueUrl"] == url
    assert sqs.create_queue(QueueName="q")["QueueUrl"] == url
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "46"})
    assert code(e) == "QueueAlreadyExists"


def test_list_queues_by_prefix_and_pages(sqs):
    for n in ["alpha-1", "alpha-2", "alpha-3", "beta"]:
        sqs.create_queue(QueueName=n)
    assert len(sqs.list_queues()["QueueUrls"]) == 4
    page = sqs.list_queues(QueueNamePrefix="alpha", MaxResults=2)
    assert [u.rsplit("/", 1)[1] for u in page["QueueUrls"]] == ["alpha-1", "alpha-2"]
    rest = sqs.list_queues(QueueNamePrefix="alpha", MaxResults=2, NextToken=page["NextToken"])
    assert [u.rsplit("/", 1)[1] for u in rest["QueueUrls"]] == ["alpha-3"]
    assert "NextToken" not in rest
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="gamma")


def test_bad_queue_attributes_are_refused(sqs):
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName="bad", Attributes={"VisibilityTimeout": "43201"})
    assert code(e) == "InvalidAttributeValue"
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName="bad", Attributes={"NoSuchAttribute": "1"})
    assert code(e) == "InvalidAttributeName"
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName="bad name!")
    assert code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName="plain", Attributes={"FifoQueue": "true"})
    assert code(e) == "InvalidParameterValue"


def test_send_receive_delete_with_attributes_and_md5s(sqs):
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes={
        "color": {"DataType": "String", "StringValue": "blue"},
        "count": {"DataType": "Number.int", "StringValue": "42"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02"},
        "app.trace": {"DataType": "String", "StringValue": "t-1"},
        "app.user": {"DataType": "String", "StringValue": "u-1"},
    })
    assert sent["MD5OfMessageBody"] == "5d41402abc4b2a76b9719d911017c592"
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], AttributeNames=["All"])["Messages"]
    assert len(got) == 1
    m = got[0]
    assert m["Body"] == "hello" and m["MessageId"] == sent["MessageId"]
    assert m["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert m["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\x01\x02"
    assert m["MessageAttributes"]["count"] == {"DataType": "Number.int", "StringValue": "42"}
    assert m["Attributes"]["ApproximateReceiveCount"] == "1"
    assert int(m["Attributes"]["SentTimestamp"]) > 1_700_000_000_000
    # A prefix selects some attributes (and the MD5 covers only those).
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    again = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["app.*", "count"])["Messages"][0]
    assert sorted(again["MessageAttributes"]) == ["app.trace", "app.user", "count"]
    assert again["ReceiptHandle"] != m["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
    assert attrs(sqs, url, "ApproximateNumberOfMessages")["ApproximateNumberOfMessages"] == "0"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_counts_follow_visibility_and_delay(sqs):
    url = sqs.create_queue(QueueName="counts")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="now")
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
    sqs.send_message(QueueUrl=url, MessageBody="taken")
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=60)
    a = attrs(sqs, url)
    assert (a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesNotVisible"],
            a["ApproximateNumberOfMessagesDelayed"]) == ("1", "1", "1")
    assert a["QueueArn"] == "arn:aws:sqs:us-east-1:000000000000:counts"
    assert a["VisibilityTimeout"] == "30" and a["MessageRetentionPeriod"] == "345600"


def test_visibility_timeout_expires_and_counts_receives(sqs):
    url = sqs.create_queue(QueueName="vis")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=1)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    time.sleep(1.1)
    second = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    # The first handle is stale: a standard queue accepts it without deleting the message.
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    assert attrs(sqs, url, "ApproximateNumberOfMessagesNotVisible")["ApproximateNumberOfMessagesNotVisible"] == "1"
    with pytest.raises(ClientError) as e:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=5)
    assert code(e) == "InvalidParameterValue"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"])
    assert attrs(sqs, url, "ApproximateNumberOfMessagesNotVisible")["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_malformed_receipt_handles(sqs):
    url = sqs.create_queue(QueueName="handles")["QueueUrl"]
    other = sqs.create_queue(QueueName="other")["QueueUrl"]
    sqs.send_message(QueueUrl=other, MessageBody="x")
    h = sqs.receive_message(QueueUrl=other)["Messages"][0]["ReceiptHandle"]
    for bad in ["garbage", "AQEB!!!!", h]:
        with pytest.raises(ClientError) as e:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=bad)
        assert code(e) == "ReceiptHandleIsInvalid"


def test_long_poll_answers_within_50ms_of_a_send(sqs, boto):
    url = sqs.create_queue(QueueName="poll")["QueueUrl"]
    result = {}

    def wait():
        t0 = time.monotonic()
        result["r"] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
        result["t"] = time.monotonic()
        result["waited"] = result["t"] - t0

    t = threading.Thread(target=wait)
    t.start()
    time.sleep(0.5)
    sender = boto("sqs")
    sent_at = time.monotonic()
    sender.send_message(QueueUrl=url, MessageBody="wake up")
    t.join(5)
    assert result["r"]["Messages"][0]["Body"] == "wake up"
    assert result["t"] - sent_at < 0.05, f"woke {result['t'] - sent_at:.3f}s after the send"


def test_long_poll_times_out_empty_and_sees_delayed_messages(sqs):
    url = sqs.create_queue(QueueName="poll2")["QueueUrl"]
    t0 = time.monotonic()
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    assert 0.9 < time.monotonic() - t0 < 2
    sqs.send_message(QueueUrl=url, MessageBody="soon", DelaySeconds=1)
    t0 = time.monotonic()
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)
    assert got["Messages"][0]["Body"] == "soon"
    assert time.monotonic() - t0 < 1.5


def test_dead_letter_queue_after_max_receives_and_move_back(sqs):
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq_arn = attrs(sqs, dlq, "QueueArn")["QueueArn"]
    src = sqs.create_queue(QueueName="src", Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})})["QueueUrl"]
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [src]
    sqs.send_message(QueueUrl=src, MessageBody="poison")
    for _ in range(2):
        assert sqs.receive_message(QueueUrl=src, VisibilityTimeout=0)["Messages"]
    assert "Messages" not in sqs.receive_message(QueueUrl=src)
    moved = sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"], VisibilityTimeout=0)["Messages"][0]
    assert moved["Body"] == "poison"
    assert moved["Attributes"]["DeadLetterQueueSourceArn"].endswith(":src")
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName="src2", Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:nope", "maxReceiveCount": 1})})
    assert code(e) == "InvalidParameterValue"
    if not hasattr(sqs, "start_message_move_task"):
        pytest.skip("this botocore has no message move tasks")
    task = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        r = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
        if r["Status"] == "COMPLETED":
            break
        time.sleep(0.05)
    assert r["Status"] == "COMPLETED" and r["ApproximateNumberOfMessagesMoved"] == 1
    assert sqs.receive_message(QueueUrl=src)["Messages"][0]["Body"] == "poison"
    with pytest.raises(ClientError):
        sqs.cancel_message_move_task(TaskHandle=task)


def test_fifo_orders_groups_and_locks_them_in_flight(sqs):
    url = sqs.create_queue(QueueName="jobs.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    for body, group in [("a1", "a"), ("a2", "a"), ("b1", "b")]:
        r = sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group, MessageDeduplicationId=body)
        assert len(r["SequenceNumber"]) == 20
    first = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert first["Body"] == "a1"
    # Group a is locked while a1 is in flight: b1 comes next, then nothing.
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "b1"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "a2"


def test_fifo_deduplication_and_rules(sqs):
    url = sqs.create_queue(QueueName="dedup.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    one = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    two = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    assert one["MessageId"] == two["MessageId"] and one["SequenceNumber"] == two["SequenceNumber"]
    assert attrs(sqs, url, "ApproximateNumberOfMessages")["ApproximateNumberOfMessages"] == "1"
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    assert code(e) == "MissingParameter"
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", DelaySeconds=5)
    assert code(e) == "InvalidParameterValue"
    plain = sqs.create_queue(QueueName="nodedup.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=plain, MessageBody="x", MessageGroupId="g")
    assert code(e) == "InvalidParameterValue"


def test_fifo_refuses_a_handle_whose_visibility_expired(sqs):
    url = sqs.create_queue(QueueName="expire.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="1")
    h = sqs.receive_message(QueueUrl=url, VisibilityTimeout=1)["Messages"][0]["ReceiptHandle"]
    time.sleep(1.1)
    with pytest.raises(ClientError) as e:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=h)
    assert code(e) == "InvalidParameterValue"
    assert "The receipt handle has expired." in str(e.value)


def test_batches(sqs):
    url = sqs.create_queue(QueueName="batch")["QueueUrl"]
    r = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": f"m{i}", "MessageBody": f"body {i}"} for i in range(10)])
    assert len(r["Successful"]) == 10 and not r.get("Failed")
    with pytest.raises(ClientError) as e:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": f"m{i}", "MessageBody": "x"} for i in range(11)])
    assert code(e) == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
    with pytest.raises(ClientError) as e:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}])
    assert code(e) == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    with pytest.raises(ClientError) as e:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "bad id!", "MessageBody": "x"}])
    assert code(e) == "AWS.SimpleQueueService.InvalidBatchEntryId"
    mixed = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "ok", "MessageBody": "fine"}, {"Id": "late", "MessageBody": "x", "DelaySeconds": 901}])
    assert [s["Id"] for s in mixed["Successful"]] == ["ok"]
    assert mixed["Failed"][0]["Id"] == "late" and mixed["Failed"][0]["SenderFault"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(got) == 10
    d = sqs.delete_message_batch(QueueUrl=url, Entries=[
        *[{"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]])
    assert len(d["Successful"]) == 10
    c = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[{"Id": "x", "ReceiptHandle": "bogus",
                                                                       "VisibilityTimeout": 1}])
    assert c["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
    with pytest.raises(ClientError) as e:
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
    assert code(e) == "InvalidParameterValue"


def test_purge_once_a_minute(sqs):
    url = sqs.create_queue(QueueName="purge")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.purge_queue(QueueUrl=url)
    assert attrs(sqs, url, "ApproximateNumberOfMessages")["ApproximateNumberOfMessages"] == "0"
    with pytest.raises(ClientError) as e:
        sqs.purge_queue(QueueUrl=url)
    assert code(e) == "AWS.SimpleQueueService.PurgeQueueInProgress"


def test_tags_permissions_and_deletion(sqs):
    url = sqs.create_queue(QueueName="tagged", tags={"team": "a"})["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={"env": "dev"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a", "env": "dev"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "dev"}
    sqs.add_permission(QueueUrl=url, Label="send", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    policy = json.loads(attrs(sqs, url, "Policy")["Policy"])
    assert policy["Statement"][0]["Sid"] == "send"
    with pytest.raises(ClientError):
        sqs.add_permission(QueueUrl=url, Label="send", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    sqs.remove_permission(QueueUrl=url, Label="send")
    assert "Policy" not in attrs(sqs, url)
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    assert code(e) == "AWS.SimpleQueueService.NonExistentQueue"


def test_internal_endpoint_shows_messages_without_receiving(sqs, awan):
    url = sqs.create_queue(QueueName="peek")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="look")
    status, _, body = awan.request("GET", "/_awan/sqs/messages?QueueUrl=" + urllib.parse.quote(url, safe=""))
    assert status == 200
    msgs = json.loads(body)["Messages"]
    assert [m["Body"] for m in msgs] == ["look"] and msgs[0]["ApproximateReceiveCount"] == 0
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "look"


def test_query_requests_addressed_by_queue_path(sqs, awan):
    sqs.create_queue(QueueName="bypath")
    body = b"Action=SendMessage&MessageBody=via+path&Version=2012-11-05"
    status, _, out = awan.request("POST", "/000000000000/bypath", body,
                                  {"Content-Type": "application/x-www-form-urlencoded", "Host": "localhost"})
    assert status == 200, out
    assert b"<MessageId>" in out
    assert sqs.receive_message(QueueUrl=sqs.get_queue_url(QueueName="bypath")["QueueUrl"])["Messages"][0]["Body"] == "via path"


def test_json_protocol_errors_carry_the_query_code(awan):
    req = json.dumps({"QueueName": "absent"}).encode()
    status, headers, out = awan.request("POST", "/", req, {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.GetQueueUrl",
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, "
                         "SignedHeaders=host, Signature=0"})
    assert status == 400
    err = json.loads(out)
    assert err["__type"] == "com.amazonaws.sqs#QueueDoesNotExist"
    assert headers.get("x-amzn-query-error") == "AWS.SimpleQueueService.NonExistentQueue;Sender"


def test_aws_cli(aws):
    url = aws("sqs", "create-queue", "--queue-name", "cli")["QueueUrl"]
    aws("sqs", "send-message", "--queue-url", url, "--message-body", "from the cli")
    got = aws("sqs", "receive-message", "--queue-url", url, "--wait-time-seconds", "1")
    assert got["Messages"][0]["Body"] == "from the cli"
    aws("sqs", "delete-message", "--queue-url", url, "--receipt-handle", got["Messages"][0]["ReceiptHandle"])
    assert aws("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "ApproximateNumberOfMessages")[
        "Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_js_sdk_v3_json_protocol(js):
    js("sqs.mjs")


def test_fifo_order_holds_under_concurrent_receivers(sqs, boto):
    url = sqs.create_queue(QueueName="race.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "30"})["QueueUrl"]
    groups = ["g0", "g1", "g2"]
    for i in range(20):
        for g in groups:
            sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "e", "MessageBody": f"{g}:{i}", "MessageGroupId": g}])
    seen = {g: [] for g in groups}
    lock = threading.Lock()
    errors = []

    def consume():
        c = boto("sqs")
        try:
            while True:
                got = c.receive_message(QueueUrl=url, MaxNumberOfMessages=3, WaitTimeSeconds=1).get("Messages", [])
                if not got:
                    return
                with lock:  # record in receive order, before deleting (which unlocks the group)
                    for m in got:
                        g, i = m["Body"].split(":")
                        seen[g].append(int(i))
                for m in got:
                    c.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=consume) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    for g in groups:
        assert seen[g] == list(range(20)), (g, seen[g])


def test_malformed_message_attributes_are_refused(sqs):
    url = sqs.create_queue(QueueName="attrs")["QueueUrl"]
    bad = [
        {"AWS.reserved": {"DataType": "String", "StringValue": "x"}},
        {"n": {"DataType": "Number", "StringValue": "forty"}},
        {"t": {"DataType": "Text", "StringValue": "x"}},
        {"e": {"DataType": "String", "StringValue": ""}},
        {f"a{i}": {"DataType": "String", "StringValue": "x"} for i in range(11)},
    ]
    for attributes in bad:
        with pytest.raises(ClientError) as e:
            sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
        assert code(e) == "InvalidParameterValue", attributes
    with pytest.raises(ClientError) as e:
        sqs.send_message(QueueUrl=url, MessageBody="bad \x01 control")
    assert code(e) == "InvalidMessageContents"
    assert attrs(sqs, url, "ApproximateNumberOfMessages")["ApproximateNumberOfMessages"] == "0"
