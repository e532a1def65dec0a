"""SNS against a running daemon: boto3 (Debian's, awsQuery), aws-cli and raw requests; topics,
subscriptions, fan-out to SQS (enveloped and raw), filter policies, FIFO topics, HTTP
subscriptions with their handshake and retries, dead-letter queues, signatures, email."""
import base64
import http.server
import json
import os
import socket
import threading
import time
import urllib.parse
import urllib.request

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from conftest import Daemon, make_boto3

ACCOUNT = "000000000000"


@pytest.fixture
def sns(boto):
    return boto("sns")


@pytest.fixture
def sqs(boto):
    return boto("sqs")


def code(exc_info):
    return exc_info.value.response["Error"]["Code"]


def message(exc_info):
    return exc_info.value.response["Error"]["Message"]


def queue(sqs, name, **attrs):
    url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive(sqs, url, count, timeout=10, **kw):
    got, deadline = [], time.time() + timeout
    while len(got) < count and time.time() < deadline:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, **kw)
        for m in r.get("Messages", []):
            got.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return got


def deliveries(daemon, **filters):
    q = urllib.parse.urlencode(filters)
    status, _, body = daemon.request("GET", "/_awan/sns/messages" + ("?" + q if q else ""))
    assert status == 200
    return json.loads(body)["Messages"]


def wait_for(fn, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    return fn()


def canonical(msg):
    if msg["Type"] == "Notification":
        keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join(f"{k}\n{msg[k]}\n" for k in keys if k in msg).encode()


def verify_signature(msg):
    """Checks a message as SNS message validators do: the certificate from SigningCertURL, the
    canonical string, SHA1withRSA (version 1) or SHA256withRSA (version 2)."""
    pem = urllib.request.urlopen(msg["SigningCertURL"], timeout=5).read()
    cert = x509.load_pem_x509_certificate(pem)
    algorithm = hashes.SHA1() if msg["SignatureVersion"] == "1" else hashes.SHA256()
    cert.public_key().verify(base64.b64decode(msg["Signature"]), canonical(msg), padding.PKCS1v15(), algorithm)


# ---- topics ----

def test_create_topic_is_idempotent_and_checks_names(sns):
    arn = sns.create_topic(Name="orders")["TopicArn"]
    assert arn == f"arn:aws:sns:us-east-1:{ACCOUNT}:orders"
    assert sns.create_topic(Name="orders")["TopicArn"] == arn
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Orders")
    with pytest.raises(ClientError) as e:
        sns.create_topic(Name="orders", Attributes={"DisplayName": "Other"})
    assert code(e) == "InvalidParameter"
    assert message(e) == "Invalid parameter: Attributes Reason: Topic already exists with different attributes"
    for bad in ["", "has space", "x" * 257, "dot.name"]:
        with pytest.raises(ClientError) as e:
            sns.create_topic(Name=bad)
        assert code(e) == "InvalidParameter", bad
    with pytest.raises(ClientError) as e:
        sns.create_topic(Name="plain", Attributes={"FifoTopic": "true"})
    assert "Fifo Topic names must end with .fifo" in message(e)
    with pytest.raises(ClientError) as e:
        sns.create_topic(Name="orders2", Attributes={"NoSuch": "1"})
    assert message(e) == "Invalid parameter: AttributeName"


def test_topic_attributes_listing_and_deletion(sns, sqs):
    arn = sns.create_topic(Name="t1", Tags=[{"Key": "team", "Value": "core"}])["TopicArn"]
    a = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert a["TopicArn"] == arn and a["Owner"] == ACCOUNT
    assert a["SubscriptionsConfirmed"] == "0" and a["SubscriptionsPending"] == "0"
    policy = json.loads(a["Policy"])
    assert policy["Statement"][0]["Resource"] == arn
    assert json.loads(a["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]["numRetries"] == 3
    assert "FifoTopic" not in a
    with pytest.raises(ClientError) as e:
        sns.set_topic_attributes(TopicArn=arn, AttributeName="SignatureVersion", AttributeValue="3")
    assert code(e) == "InvalidParameter"
    with pytest.raises(ClientError) as e:
        sns.set_topic_attributes(TopicArn=arn, AttributeName="ContentBasedDeduplication", AttributeValue="true")
    assert code(e) == "InvalidParameter"
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "core"}]
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    sns.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    with pytest.raises(ClientError) as e:
        sns.list_tags_for_resource(ResourceArn=arn + "x")
    assert code(e) == "ResourceNotFound"
    _, qarn = queue(sqs, "t1q")
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=qarn)
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["SubscriptionsConfirmed"] == "1"
    sns.delete_topic(TopicArn=arn)
    sns.delete_topic(TopicArn=arn)  # no error for a topic that is gone
    assert sns.list_subscriptions()["Subscriptions"] == []
    with pytest.raises(ClientError) as e:
        sns.get_topic_attributes(TopicArn=arn)
    assert code(e) == "NotFound"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_list_topics_pages_by_100(sns):
    arns = sorted(sns.create_topic(Name=f"p{i:03}")["TopicArn"] for i in range(150))
    first = sns.list_topics()
    assert len(first["Topics"]) == 100 and "NextToken" in first
    second = sns.list_topics(NextToken=first["NextToken"])
    assert "NextToken" not in second
    assert sorted(t["TopicArn"] for t in first["Topics"] + second["Topics"]) == arns
    paginated = [t["TopicArn"] for p in sns.get_paginator("list_topics").paginate() for t in p["Topics"]]
    assert sorted(paginated) == arns


def test_topics_are_per_region(sns, boto):
    sns.create_topic(Name="regional")
    west = boto("sns", region="us-west-2")
    assert west.list_topics()["Topics"] == []
    assert west.create_topic(Name="regional")["TopicArn"].startswith("arn:aws:sns:us-west-2:")


# ---- fan-out to SQS ----

def test_fan_out_to_sqs_enveloped_and_raw(sns, sqs):
    topic = sns.create_topic(Name="fan")["TopicArn"]
    env_url, env_arn = queue(sqs, "enveloped")
    raw_url, raw_arn = queue(sqs, "raw")
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=env_arn)["SubscriptionArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=raw_arn, Attributes={"RawMessageDelivery": "true"})
    attrs = {"store": {"DataType": "String", "StringValue": "Berlin"},
             "count": {"DataType": "Number", "StringValue": "0"},
             "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}}
    mid = sns.publish(TopicArn=topic, Message="hello", Subject="Inventory Alert!", MessageAttributes=attrs)["MessageId"]

    [m] = receive(sqs, env_url, 1)
    doc = json.loads(m["Body"])
    assert doc["Type"] == "Notification" and doc["MessageId"] == mid and doc["TopicArn"] == topic
    assert doc["Message"] == "hello" and doc["Subject"] == "Inventory Alert!"
    assert doc["SignatureVersion"] == "1"
    assert doc["MessageAttributes"]["store"] == {"Type": "String", "Value": "Berlin"}
    assert doc["MessageAttributes"]["blob"] == {"Type": "Binary", "Value": base64.b64encode(b"\x00\x01").decode()}
    assert doc["Timestamp"].endswith("Z") and "." in doc["Timestamp"]
    verify_signature(doc)
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(doc["UnsubscribeURL"]).query)["SubscriptionArn"] == [sub]

    [r] = receive(sqs, raw_url, 1, MessageAttributeNames=["All"])
    assert r["Body"] == "hello"
    assert r["MessageAttributes"]["store"]["StringValue"] == "Berlin"
    assert r["MessageAttributes"]["count"] == {"DataType": "Number", "StringValue": "0"}
    assert r["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\x01"


def test_signature_version_2_and_tampering_detected(sns, sqs):
    topic = sns.create_topic(Name="signed", Attributes={"SignatureVersion": "2"})["TopicArn"]
    url, arn = queue(sqs, "signed-q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="payload")
    [m] = receive(sqs, url, 1)
    doc = json.loads(m["Body"])
    assert doc["SignatureVersion"] == "2" and "Subject" not in doc
    verify_signature(doc)
    doc["Message"] = "tampered"
    with pytest.raises(Exception):
        verify_signature(doc)


def test_message_structure_json_gives_each_protocol_its_text(sns, sqs):
    topic = sns.create_topic(Name="structured")["TopicArn"]
    url, arn = queue(sqs, "structured-q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"default": "d", "sqs": "for sqs"}))
    sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"default": "only default"}))
    assert sorted(m["Body"] for m in receive(sqs, url, 2)) == ["for sqs", "only default"]
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"sqs": "x"}))
    assert message(e) == "Invalid parameter: Message Structure - No default entry in JSON message body"
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic, MessageStructure="json", Message="not json")
    assert code(e) == "InvalidParameter"


def test_publish_validation(sns):
    topic = sns.create_topic(Name="v")["TopicArn"]
    cases = [
        (dict(TopicArn=topic, Message=""), "Invalid parameter: Empty message"),
        (dict(Message="x"), "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"),
        (dict(TopicArn=topic, Message="x", Subject="line\nbreak"), "Invalid parameter: Subject"),
        (dict(TopicArn=topic, Message="x" * 262145), "Invalid parameter: Message too long"),
        (dict(TopicArn=topic, Message="x", MessageAttributes={"a": {"DataType": "Number", "StringValue": "abc"}}),
         "Invalid parameter: Could not cast message attribute 'a' value to number."),
        (dict(TopicArn=topic, Message="x", MessageAttributes={"a": {"DataType": "Float", "StringValue": "1"}}),
         "Invalid parameter: The message attribute 'a' has an invalid message attribute type, the set of supported "
         "type prefixes is Binary, Number, and String."),
        (dict(TopicArn=topic, Message="x", MessageDeduplicationId="d"),
         "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter "
         "that is not valid for this topic type"),
    ]
    for kw, text in cases:
        with pytest.raises(ClientError) as e:
            sns.publish(**kw)
        assert code(e) == "InvalidParameter", kw
        assert message(e) == text, kw
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic + "-missing", Message="x")
    assert code(e) == "NotFound"


def test_publish_batch(sns, sqs):
    topic = sns.create_topic(Name="batch")["TopicArn"]
    url, arn = queue(sqs, "batch-q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    r = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "one"}, {"Id": "b", "Message": ""}, {"Id": "c", "Message": "three"}])
    assert sorted(s["Id"] for s in r["Successful"]) == ["a", "c"]
    assert r["Failed"] == [{"Id": "b", "Code": "InvalidParameter", "Message": "Invalid parameter: Empty message",
                            "SenderFault": True}]
    assert sorted(m["Body"] for m in receive(sqs, url, 2)) == ["one", "three"]
    for entries, err in [([], "EmptyBatchRequest"),
                         ([{"Id": str(i), "Message": "m"} for i in range(11)], "TooManyEntriesInBatchRequest"),
                         ([{"Id": "x", "Message": "m"}, {"Id": "x", "Message": "m"}], "BatchEntryIdsNotDistinct"),
                         ([{"Id": "bad id", "Message": "m"}], "InvalidBatchEntryId")]:
        with pytest.raises(ClientError) as e:
            sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
        assert code(e) == err


# ---- filter policies ----

def test_filter_policies_on_attributes_and_body(sns, sqs):
    topic = sns.create_topic(Name="filtered")["TopicArn"]
    a_url, a_arn = queue(sqs, "by-attributes")
    b_url, b_arn = queue(sqs, "by-body")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=a_arn, Attributes={
        "RawMessageDelivery": "true",
        "FilterPolicy": json.dumps({"store": ["Berlin", {"prefix": "Ham"}], "count": [{"numeric": ["=", 0]}]})})
    sub_b = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=b_arn, Attributes={
        "RawMessageDelivery": "true", "FilterPolicyScope": "MessageBody",
        "FilterPolicy": json.dumps({"item": {"count": [0]}})})["SubscriptionArn"]

    def pub(msg, **attrs):
        sns.publish(TopicArn=topic, Message=msg, MessageAttributes={
            k: {"DataType": "Number" if isinstance(v, int) else "String", "StringValue": str(v)}
            for k, v in attrs.items()})

    pub("berlin-0", store="Berlin", count=0)
    pub("hamburg-0", store="Hamburg", count=0)
    pub("berlin-5", store="Berlin", count=5)
    pub("paris-0", store="Paris", count=0)
    pub(json.dumps({"item": {"name": "socks", "count": 0}}))
    pub(json.dumps({"item": {"name": "shoes", "count": 3}}))
    assert sorted(m["Body"] for m in receive(sqs, a_url, 2)) == ["berlin-0", "hamburg-0"]
    assert [json.loads(m["Body"])["item"]["name"] for m in receive(sqs, b_url, 1)] == ["socks"]
    time.sleep(0.3)
    assert receive(sqs, a_url, 1, timeout=1) == [] and receive(sqs, b_url, 1, timeout=1) == []

    a = sns.get_subscription_attributes(SubscriptionArn=sub_b)["Attributes"]
    assert a["FilterPolicyScope"] == "MessageBody" and json.loads(a["FilterPolicy"]) == {"item": {"count": [0]}}
    with pytest.raises(ClientError) as e:
        sns.set_subscription_attributes(SubscriptionArn=sub_b, AttributeName="FilterPolicy",
                                        AttributeValue=json.dumps({f"k{i}": ["v"] for i in range(6)}))
    assert code(e) == "InvalidParameter"
    assert message(e).startswith("Invalid parameter: FilterPolicy: ")
    for bad in ["{", "[1]", json.dumps({"a": [{"nosuch": 1}]})]:
        with pytest.raises(ClientError) as e:
            sns.set_subscription_attributes(SubscriptionArn=sub_b, AttributeName="FilterPolicy", AttributeValue=bad)
        assert code(e) == "InvalidParameter", bad
    sns.set_subscription_attributes(SubscriptionArn=sub_b, AttributeName="FilterPolicy", AttributeValue="")
    assert "FilterPolicy" not in sns.get_subscription_attributes(SubscriptionArn=sub_b)["Attributes"]


# ---- subscriptions ----

def test_subscription_validation_and_listing(sns, sqs):
    topic = sns.create_topic(Name="subs")["TopicArn"]
    _, qarn = queue(sqs, "subs-q")
    cases = [("nope", "x"), ("sqs", "not-an-arn"), ("http", "https://example.com"), ("email", "no-at-sign"),
             ("sms", "12345"), ("lambda", qarn)]
    for protocol, endpoint in cases:
        with pytest.raises(ClientError) as e:
            sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=endpoint)
        assert code(e) == "InvalidParameter", (protocol, endpoint)
    with pytest.raises(ClientError) as e:
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com",
                      Attributes={"RawMessageDelivery": "true"})
    assert code(e) == "InvalidParameter"
    s1 = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn)["SubscriptionArn"]
    assert s1.startswith(topic + ":")
    assert sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn)["SubscriptionArn"] == s1
    pending = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
    assert pending["SubscriptionArn"] == "pending confirmation"
    real = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com", ReturnSubscriptionArn=True)
    assert real["SubscriptionArn"].startswith(topic + ":")
    assert sns.get_subscription_attributes(SubscriptionArn=real["SubscriptionArn"])["Attributes"]["PendingConfirmation"] == "true"
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sorted(s["SubscriptionArn"] for s in listed) == sorted([s1, "PendingConfirmation"])
    a = sns.get_subscription_attributes(SubscriptionArn=s1)["Attributes"]
    assert a["Protocol"] == "sqs" and a["Endpoint"] == qarn and a["RawMessageDelivery"] == "false"
    assert a["PendingConfirmation"] == "false" and a["TopicArn"] == topic
    with pytest.raises(ClientError) as e:
        sns.set_subscription_attributes(SubscriptionArn=s1, AttributeName="RawMessageDelivery", AttributeValue="maybe")
    assert code(e) == "InvalidParameter"
    with pytest.raises(ClientError) as e:
        sns.set_subscription_attributes(SubscriptionArn=s1, AttributeName="Nope", AttributeValue="1")
    assert message(e) == "Invalid parameter: AttributeName"
    sns.unsubscribe(SubscriptionArn=s1)
    with pytest.raises(ClientError) as e:
        sns.get_subscription_attributes(SubscriptionArn=s1)
    assert code(e) == "NotFound"
    with pytest.raises(ClientError) as e:
        sns.confirm_subscription(TopicArn=topic, Token="wrong")
    assert code(e) == "InvalidParameter"


def test_list_subscriptions_pages_by_100(sns, sqs):
    topic = sns.create_topic(Name="many")["TopicArn"]
    arns = {sns.subscribe(TopicArn=topic, Protocol="sqs",
                          Endpoint=f"arn:aws:sqs:us-east-1:{ACCOUNT}:q{i}")["SubscriptionArn"] for i in range(130)}
    first = sns.list_subscriptions()
    assert len(first["Subscriptions"]) == 100
    rest = sns.list_subscriptions(NextToken=first["NextToken"])
    assert "NextToken" not in rest
    assert {s["SubscriptionArn"] for s in first["Subscriptions"] + rest["Subscriptions"]} == arns


# ---- FIFO ----

def test_fifo_topic_to_fifo_queue_keeps_order_and_deduplicates(sns, sqs):
    topic = sns.create_topic(Name="orders.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["FifoTopic"] == "true"
    url, arn = queue(sqs, "orders.fifo", FifoQueue="true")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    with pytest.raises(ClientError) as e:
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com")
    assert code(e) == "InvalidParameter"
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic, Message="x")
    assert message(e) == "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic, Message="x", MessageGroupId="g")
    assert "ContentBasedDeduplication" in message(e)
    seqs = []
    for i in range(20):
        r = sns.publish(TopicArn=topic, Message=f"m{i}", MessageGroupId="g", MessageDeduplicationId=f"d{i}")
        seqs.append(int(r["SequenceNumber"]))
    again = sns.publish(TopicArn=topic, Message="m0", MessageGroupId="g", MessageDeduplicationId="d0")
    assert seqs == sorted(seqs) and len(set(seqs)) == 20
    bodies = [m["Body"] for m in receive(sqs, url, 20)]
    assert bodies == [f"m{i}" for i in range(20)]
    assert receive(sqs, url, 1, timeout=1.5) == []
    assert again["MessageId"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="ContentBasedDeduplication", AttributeValue="true")
    sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")
    sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")
    assert [m["Body"] for m in receive(sqs, url, 2, timeout=3)] == ["same"]


# ---- HTTP subscriptions ----

class Endpoint:
    """A local HTTP server recording SNS's POSTs; answers with `status` (a list: one per request, the
    last repeated)."""

    def __init__(self, statuses=(200,)):
        self.requests, self.statuses = [], list(statuses)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.requests.append((dict((k.lower(), v) for k, v in self.headers.items()), body.decode()))
                status = outer.statuses[min(len(outer.requests), len(outer.statuses)) - 1]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, n, timeout=10):
        assert wait_for(lambda: len(self.requests) >= n, timeout), f"{len(self.requests)} of {n} requests"
        return self.requests

    def close(self):
        self.server.shutdown()


def test_http_subscription_handshake_notification_and_unsubscribe(sns, awan):
    ep = Endpoint()
    try:
        topic = sns.create_topic(Name="web")["TopicArn"]
        assert sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=ep.url)["SubscriptionArn"] == "pending confirmation"
        headers, body = ep.wait(1)[0]
        doc = json.loads(body)
        assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
        assert headers["x-amz-sns-topic-arn"] == topic
        assert doc["Type"] == "SubscriptionConfirmation" and doc["TopicArn"] == topic and doc["Token"]
        verify_signature(doc)
        sns.publish(TopicArn=topic, Message="before confirmation")
        # The SubscribeURL works unsigned, as a person's browser fetches it.
        with urllib.request.urlopen(doc["SubscribeURL"], timeout=5) as r:
            assert r.status == 200 and b"<SubscriptionArn>" in r.read()
        [sub] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        assert sub["SubscriptionArn"].startswith(topic + ":")
        sns.publish(TopicArn=topic, Message="hello web", Subject="s")
        headers, body = ep.wait(2)[1]
        doc = json.loads(body)
        assert headers["x-amz-sns-message-type"] == "Notification"
        assert headers["x-amz-sns-subscription-arn"] == sub["SubscriptionArn"]
        assert headers["content-type"].startswith("text/plain")
        assert doc["Message"] == "hello web" and doc["Subject"] == "s"
        verify_signature(doc)
        sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])
        headers, body = ep.wait(3)[2]
        assert headers["x-amz-sns-message-type"] == "UnsubscribeConfirmation"
        assert len(ep.requests) == 3  # the message published before confirmation was not sent
    finally:
        ep.close()


def test_confirmations_are_signed_with_the_topics_signature_version(sns, awan):
    ep = Endpoint()
    try:
        topic = sns.create_topic(Name="web2", Attributes={"SignatureVersion": "2"})["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=ep.url)
        doc = json.loads(ep.wait(1)[0][1])
        assert doc["Type"] == "SubscriptionConfirmation" and doc["SignatureVersion"] == "2"
        verify_signature(doc)  # SHA256withRSA
        urllib.request.urlopen(doc["SubscribeURL"], timeout=5).read()
        [sub] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])
        doc = json.loads(ep.wait(2)[1][1])
        assert doc["Type"] == "UnsubscribeConfirmation" and doc["SignatureVersion"] == "2"
        verify_signature(doc)
    finally:
        ep.close()


def test_http_retries_by_delivery_policy_then_dead_letter_queue(sns, sqs, awan):
    ep = Endpoint(statuses=[200, 500])
    try:
        topic = sns.create_topic(Name="flaky")["TopicArn"]
        dlq_url, dlq_arn = queue(sqs, "flaky-dlq")
        sub = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=ep.url, ReturnSubscriptionArn=True)["SubscriptionArn"]
        token = json.loads(ep.wait(1)[0][1])["Token"]
        assert sns.confirm_subscription(TopicArn=topic, Token=token)["SubscriptionArn"] == sub
        policy = {"healthyRetryPolicy": {"minDelayTarget": 1, "maxDelayTarget": 1, "numRetries": 2,
                                         "numNoDelayRetries": 0, "numMinDelayRetries": 0, "numMaxDelayRetries": 0,
                                         "backoffFunction": "linear"}}
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="DeliveryPolicy",
                                        AttributeValue=json.dumps(policy))
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RedrivePolicy",
                                        AttributeValue=json.dumps({"deadLetterTargetArn": dlq_arn}))
        eff = json.loads(sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]["EffectiveDeliveryPolicy"])
        assert eff["healthyRetryPolicy"]["numRetries"] == 2
        mid = sns.publish(TopicArn=topic, Message="will fail")["MessageId"]
        [dead] = receive(sqs, dlq_url, 1, timeout=15)
        assert json.loads(dead["Body"])["MessageId"] == mid
        assert len(ep.requests) == 1 + 3  # the confirmation, then 1 try + 2 retries
        [rec] = [r for r in deliveries(awan, MessageId=mid)]
        assert rec["Status"] == "dead-lettered" and rec["Attempts"] == 3 and rec["Error"] == "HTTP 500"
    finally:
        ep.close()


def test_delivery_policy_validation(sns):
    topic = sns.create_topic(Name="dp")["TopicArn"]
    with pytest.raises(ClientError) as e:
        sns.set_topic_attributes(TopicArn=topic, AttributeName="DeliveryPolicy", AttributeValue="{not json")
    assert code(e) == "InvalidParameter"
    with pytest.raises(ClientError) as e:
        sns.set_topic_attributes(TopicArn=topic, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(
            {"http": {"defaultHealthyRetryPolicy": {"minDelayTarget": 5, "maxDelayTarget": 1, "numRetries": 3}}}))
    assert message(e).startswith("Invalid parameter: DeliveryPolicy: ")


def test_failed_sqs_delivery_is_logged(sns, awan):
    topic = sns.create_topic(Name="to-nowhere")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:us-east-1:{ACCOUNT}:no-such-queue")
    mid = sns.publish(TopicArn=topic, Message="lost")["MessageId"]
    rec = wait_for(lambda: [r for r in deliveries(awan, MessageId=mid) if r["Status"] != "pending"])
    assert rec[0]["Status"] == "failed" and "QueueDoesNotExist" in rec[0]["Error"]


# ---- email ----

def read_outbox(path, n, timeout=10):
    def files():
        return sorted(os.listdir(path)) if os.path.isdir(path) else []
    assert wait_for(lambda: len(files()) >= n, timeout), files()
    return [open(os.path.join(path, f), encoding="utf-8", newline="").read() for f in files()]


def confirm_link(eml):
    body = eml.split("\r\n\r\n", 1)[1]
    import quopri
    text = quopri.decodestring(body.encode()).decode() if "quoted-printable" in eml else body
    return next(line.strip() for line in text.splitlines() if "Action=ConfirmSubscription" in line)


def test_email_through_the_outbox_with_a_working_confirmation_link(tmp_path):
    outbox = tmp_path / "outbox"
    d = Daemon("--outbox", str(outbox))
    try:
        sns = make_boto3(d.endpoint, "sns")
        topic = sns.create_topic(Name="NoStock")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="manager@example.com")
        [eml] = read_outbox(outbox, 1)
        assert "To: manager@example.com" in eml
        assert "Subject: AWS Notification - Subscription Confirmation" in eml
        with urllib.request.urlopen(confirm_link(eml), timeout=5) as r:
            assert r.status == 200
        [sub] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        assert sub["SubscriptionArn"] != "PendingConfirmation"
        sns.publish(TopicArn=topic, Subject="Inventory Alert!", Message="Berlin is out of stock of socks")
        emls = read_outbox(outbox, 2)
        alert = next(e for e in emls if "Inventory Alert!" in e)
        assert "Berlin is out of stock of socks" in alert
        assert "Content-Type: text/plain; charset=UTF-8" in alert
        [rec] = [r for r in deliveries(d, Protocol="email") if r["Type"] == "Notification"]
        assert rec["Status"] == "delivered" and rec["OutboxPath"].startswith(str(outbox))
        assert open(rec["OutboxPath"], encoding="utf-8", newline="").read() == alert
    finally:
        d.stop()


def test_email_over_smtp_to_aiosmtpd_with_auto_confirm():
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content.decode()))
            return "250 OK"

    handler = Collect()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    d = Daemon("--smtp", f"127.0.0.1:{port}", "--sns-auto-confirm")
    try:
        sns = make_boto3(d.endpoint, "sns")
        topic = sns.create_topic(Name="NoStock")["TopicArn"]
        sub = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="manager@example.com")["SubscriptionArn"]
        assert sub.startswith(topic + ":")  # confirmed at once
        sns.subscribe(TopicArn=topic, Protocol="email-json", Endpoint="robot@example.com")
        sns.publish(TopicArn=topic, Subject="Inventory Alert!", Message="Paris is out of stock of hats")
        assert wait_for(lambda: len(handler.messages) >= 2)
        by_rcpt = {m[1][0]: m for m in handler.messages}
        mail_from, _, text = by_rcpt["manager@example.com"]
        assert mail_from == "no-reply@sns.amazonaws.com"
        assert "Subject: Inventory Alert!" in text and "Paris is out of stock of hats" in text
        body = by_rcpt["robot@example.com"][2].split("\r\n\r\n", 1)[1]
        import quopri
        doc = json.loads(quopri.decodestring(body.encode()).decode())
        assert doc["Type"] == "Notification" and doc["Message"] == "Paris is out of stock of hats"
        assert [r["Status"] for r in deliveries(d, Protocol="email")] == ["delivered"]
    finally:
        d.stop()
        controller.stop()


def test_unreachable_smtp_server_fails_the_delivery():
    d = Daemon("--smtp", "127.0.0.1:1", "--sns-auto-confirm")
    try:
        sns = make_boto3(d.endpoint, "sns")
        topic = sns.create_topic(Name="t")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="x@example.com")
        sns.publish(TopicArn=topic, Message="m")
        rec = wait_for(lambda: [r for r in deliveries(d) if r["Status"] == "failed"], timeout=15)
        assert rec and rec[0]["Attempts"] == 3 and rec[0]["Error"]
    finally:
        d.stop()


# ---- signatures, the CLI, SMS and mobile push, persistence ----

def test_signed_requests_required_but_the_confirmation_link_is_not(tmp_path):
    d = Daemon("--verify-signatures", "--outbox", str(tmp_path))
    try:
        sns = make_boto3(d.endpoint, "sns")
        topic = sns.create_topic(Name="secure")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com")
        [eml] = read_outbox(tmp_path, 1)
        with urllib.request.urlopen(confirm_link(eml), timeout=5) as r:
            assert r.status == 200
        status, _, _ = d.request("GET", "/?Action=ListTopics&Version=2010-03-31")
        assert status == 403
    finally:
        d.stop()


def test_aws_cli_create_subscribe_publish(aws, sqs):
    topic = aws("sns", "create-topic", "--name", "cli-topic")["TopicArn"]
    url, arn = queue(sqs, "cli-q")
    aws("sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs", "--notification-endpoint", arn,
        "--attributes", "RawMessageDelivery=true")
    out = aws("sns", "publish", "--topic-arn", topic, "--message", "from the cli")
    assert out["MessageId"]
    assert [m["Body"] for m in receive(sqs, url, 1)] == ["from the cli"]
    assert aws("sns", "list-topics")["Topics"] == [{"TopicArn": topic}]


def test_sms_and_platform_operations_are_recorded(sns, awan):
    mid = sns.publish(PhoneNumber="+15555550100", Message="code 1234")["MessageId"]
    [rec] = wait_for(lambda: [r for r in deliveries(awan, Protocol="sms") if r["Status"] == "delivered"])
    assert rec["MessageId"] == mid and rec["Endpoint"] == "+15555550100" and rec["Message"] == "code 1234"
    with pytest.raises(ClientError) as e:
        sns.publish(PhoneNumber="555", Message="x")
    assert code(e) == "InvalidParameter"
    sns.set_sms_attributes(attributes={"DefaultSenderID": "Awan"})
    assert sns.get_sms_attributes(attributes=["DefaultSenderID"])["attributes"] == {"DefaultSenderID": "Awan"}
    assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15555550100")["isOptedOut"] is False
    app = sns.create_platform_application(Name="app", Platform="GCM", Attributes={"PlatformCredential": "k"})
    arn = app["PlatformApplicationArn"]
    ep = sns.create_platform_endpoint(PlatformApplicationArn=arn, Token="device-1")["EndpointArn"]
    assert sns.create_platform_endpoint(PlatformApplicationArn=arn, Token="device-1")["EndpointArn"] == ep
    assert sns.get_endpoint_attributes(EndpointArn=ep)["Attributes"]["Enabled"] == "true"
    assert sns.publish(TargetArn=ep, Message="push")["MessageId"]
    assert [e["EndpointArn"] for e in sns.list_endpoints_by_platform_application(PlatformApplicationArn=arn)["Endpoints"]] == [ep]
    sns.delete_platform_application(PlatformApplicationArn=arn)
    with pytest.raises(ClientError) as e:
        sns.get_endpoint_attributes(EndpointArn=ep)
    assert code(e) == "NotFound"


def test_topics_and_subscriptions_survive_a_restart(tmp_path):
    d = Daemon("--data-dir", str(tmp_path))
    sns = make_boto3(d.endpoint, "sns")
    topic = sns.create_topic(Name="kept", Attributes={"DisplayName": "Kept"})["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:us-east-1:{ACCOUNT}:q",
                        Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
    d.kill9()
    d = Daemon("--data-dir", str(tmp_path))
    try:
        sns = make_boto3(d.endpoint, "sns")
        assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"] == "Kept"
        assert sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]["RawMessageDelivery"] == "true"
        # The signing certificate is kept too: messages signed before and after verify alike.
        assert (tmp_path / "sns-signing-cert.pem").exists()
    finally:
        d.stop()


def test_javascript_sdk_v3(js):
    assert "sns.mjs ok" in js("sns.mjs")


def test_s3_event_notifications_reach_a_topic_and_its_queue(sns, sqs, boto):
    s3 = boto("s3")
    topic = sns.create_topic(Name="uploads")["TopicArn"]
    url, arn = queue(sqs, "uploads-q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    s3.create_bucket(Bucket="inventory-drop")
    with pytest.raises(ClientError) as e:
        s3.put_bucket_notification_configuration(Bucket="inventory-drop", NotificationConfiguration={
            "TopicConfigurations": [{"TopicArn": topic + "-missing", "Events": ["s3:ObjectCreated:*"]}]})
    assert code(e) == "InvalidArgument"
    s3.put_bucket_notification_configuration(Bucket="inventory-drop", NotificationConfiguration={
        "TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_object(Bucket="inventory-drop", Key="berlin.csv", Body=b"store,item,count\n")
    docs = [json.loads(m["Body"]) for m in receive(sqs, url, 2)]
    assert [d["Subject"] for d in docs] == ["Amazon S3 Notification"] * 2
    events = [json.loads(d["Message"]) for d in docs]
    assert events[0]["Event"] == "s3:TestEvent"
    record = events[1]["Records"][0]
    assert record["eventName"] == "ObjectCreated:Put" and record["s3"]["object"]["key"] == "berlin.csv"


def test_https_subscription_over_tls(sns, tmp_path):
    """HTTPS endpoints get the same POSTs over TLS (a local server with a self-signed certificate:
    Awan does not verify endpoint certificates)."""
    import datetime
    import ssl
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.TraditionalOpenSSL,
                                                         serialization.NoEncryption()))
    ep = Endpoint()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    ep.server.socket = ctx.wrap_socket(ep.server.socket, server_side=True)
    url = ep.url.replace("http://", "https://")
    try:
        topic = sns.create_topic(Name="secure-web")["TopicArn"]
        sub = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=url, ReturnSubscriptionArn=True)["SubscriptionArn"]
        token = json.loads(ep.wait(1)[0][1])["Token"]
        sns.confirm_subscription(TopicArn=topic, Token=token)
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery", AttributeValue="true")
        sns.publish(TopicArn=topic, Message="over tls")
        headers, body = ep.wait(2)[1]
        assert body == "over tls" and headers["x-amz-sns-rawdelivery"] == "true"
    finally:
        ep.close()
