"""SNS with the HTTPS listener (--tls-port): SigningCertURL, SubscribeURL and UnsubscribeURL are
https on the TLS port, and a standard validator (npm sns-validator, trusting Awan's CA through
NODE_EXTRA_CA_CERTS) accepts the SubscriptionConfirmation and the notifications of an HTTP
subscription, signature versions 1 and 2, and the SQS envelope; tampered messages fail."""
import json
import os
import re
import ssl
import subprocess
import urllib.request

import pytest

from conftest import CLIENT_ENV, JS_DIR, make_boto3
from test_sns import Endpoint, receive
from test_tls import ca, tls  # noqa: F401 (fixtures: a daemon with --tls-port, its CA file)


@pytest.fixture
def sns(tls):
    tls.reset()
    return make_boto3(tls.endpoint, "sns")


def validate(tls, ca, messages, host_pattern=None):
    """Runs sns-validator on the messages; returns one result per message ({"ok": True} or
    {"error": ...})."""
    pattern = host_pattern or "^" + re.escape(f"127.0.0.1:{tls.tls_port}") + "$"
    env = dict(os.environ)
    env.update(CLIENT_ENV)
    env["NODE_EXTRA_CA_CERTS"] = ca
    p = subprocess.run(["node", os.path.join(JS_DIR, "sns_validate.mjs"), pattern], input=json.dumps(messages),
                       capture_output=True, text=True, env=env, timeout=60, cwd=JS_DIR)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_links_are_https_and_a_standard_validator_accepts_the_messages(tls, ca, sns):
    https = tls.tls_endpoint
    ep = Endpoint()
    try:
        topic = sns.create_topic(Name="validated")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=ep.url)
        confirmation = json.loads(ep.wait(1)[0][1])
        assert confirmation["Type"] == "SubscriptionConfirmation"
        assert confirmation["SigningCertURL"] == https + "/_awan/sns/SimpleNotificationService.pem"
        assert confirmation["SubscribeURL"].startswith(https + "/?Action=ConfirmSubscription&")
        # The subscriber confirms over https, trusting the CA.
        ctx = ssl.create_default_context(cafile=ca)
        with urllib.request.urlopen(confirmation["SubscribeURL"], context=ctx, timeout=5) as r:
            assert r.status == 200 and b"<SubscriptionArn>" in r.read()

        sns.publish(TopicArn=topic, Message="signed with version 1", Subject="v1")
        v1 = json.loads(ep.wait(2)[1][1])
        assert v1["SignatureVersion"] == "1"
        assert v1["UnsubscribeURL"].startswith(https + "/?Action=Unsubscribe&")
        sns.set_topic_attributes(TopicArn=topic, AttributeName="SignatureVersion", AttributeValue="2")
        sns.publish(TopicArn=topic, Message="signed with version 2")
        v2 = json.loads(ep.wait(3)[2][1])
        assert v2["SignatureVersion"] == "2" and v2["SigningCertURL"] == v1["SigningCertURL"]

        tampered = dict(v2, Message="not what was signed")
        assert validate(tls, ca, [confirmation, v1, v2, tampered]) == [
            {"ok": True}, {"ok": True}, {"ok": True}, {"error": "The message signature is invalid."}]
        # The validator's host check is what a default-configured validator refuses.
        assert validate(tls, ca, [v1], host_pattern=r"^sns\.[a-z0-9-]+\.amazonaws\.com$") == [
            {"error": "The certificate is located on an invalid domain."}]

        sub = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"][0]["SubscriptionArn"]
        sns.unsubscribe(SubscriptionArn=sub)
        unsubscribed = json.loads(ep.wait(4)[3][1])
        assert unsubscribed["Type"] == "UnsubscribeConfirmation"
        # Not given to sns-validator: it checks an UnsubscribeConfirmation with the notification's
        # keys (no Token), while AWS (and Awan) sign it with the confirmation's keys, Token included.
        assert unsubscribed["SigningCertURL"] == v1["SigningCertURL"]
        assert unsubscribed["SubscribeURL"].startswith(https + "/?Action=ConfirmSubscription&")
    finally:
        ep.close()


def test_sqs_envelope_carries_the_https_certificate_url(tls, ca, sns):
    sqs = make_boto3(tls.endpoint, "sqs")
    url = sqs.create_queue(QueueName="envelopes")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name="to-sqs")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="via sqs")
    [m] = receive(sqs, url, 1)
    envelope = json.loads(m["Body"])
    assert envelope["SigningCertURL"].startswith(tls.tls_endpoint + "/")
    assert validate(tls, ca, [envelope]) == [{"ok": True}]


def test_without_tls_the_links_stay_http(awan, boto):
    sns, sqs = boto("sns"), boto("sqs")
    url = sqs.create_queue(QueueName="plain-envelopes")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name="plain")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="plain")
    [m] = receive(sqs, url, 1)
    envelope = json.loads(m["Body"])
    assert envelope["SigningCertURL"] == awan.endpoint + "/_awan/sns/SimpleNotificationService.pem"
    assert envelope["UnsubscribeURL"].startswith(awan.endpoint + "/?Action=Unsubscribe&")
