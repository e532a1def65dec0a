"""S3 POST Object with SigV2 browser forms (AWSAccessKeyId, policy, signature = base64(HMAC-SHA1(
secret, policy))): boto3's generate_presigned_post with signature_version "s3" builds them; with
--verify-signatures the signature, the policy and the region (SigV2 only where S3 takes it) are
checked; without it the form is stored as is."""
import base64
import hashlib
import hmac
import json

import boto3
import pytest
import requests
from botocore.config import Config

from conftest import Daemon


@pytest.fixture(scope="module")
def verifying():
    d = Daemon("--verify-signatures")
    yield d
    d.stop()


def client(endpoint, version, region="us-east-1"):
    return boto3.client("s3", endpoint_url=endpoint, region_name=region, aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(signature_version=version))


def sign_v2(policy_doc, secret="test"):
    policy = base64.b64encode(json.dumps(policy_doc).encode()).decode()
    return policy, base64.b64encode(hmac.new(secret.encode(), policy.encode(), hashlib.sha1).digest()).decode()


def test_boto3_sigv2_presigned_post_is_verified(verifying):
    v4 = client(verifying.endpoint, "s3v4")
    v4.create_bucket(Bucket="post-v2")
    post = client(verifying.endpoint, "s3").generate_presigned_post(
        "post-v2", "up/${filename}", Fields={"success_action_status": "201"},
        Conditions=[{"success_action_status": "201"}, ["content-length-range", 1, 100]], ExpiresIn=60)
    assert {"AWSAccessKeyId", "policy", "signature"} <= set(post["fields"])
    r = requests.post(post["url"], data=post["fields"], files={"file": ("a.txt", b"signed with v2")})
    assert r.status_code == 201, r.content
    assert b"<Key>up/a.txt</Key>" in r.content
    assert v4.get_object(Bucket="post-v2", Key="up/a.txt")["Body"].read() == b"signed with v2"
    # The policy still applies; a forged signature or policy, an unknown key are refused.
    r = requests.post(post["url"], data=post["fields"], files={"file": ("a.txt", b"x" * 101)})
    assert r.status_code == 400 and b"EntityTooLarge" in r.content
    forged = dict(post["fields"], signature=base64.b64encode(b"\0" * 20).decode())
    r = requests.post(post["url"], data=forged, files={"file": b"x"})
    assert r.status_code == 403 and b"<Code>SignatureDoesNotMatch</Code>" in r.content
    assert post["fields"]["policy"].encode() in r.content  # the StringToSign
    r = requests.post(post["url"], data=dict(post["fields"], AWSAccessKeyId="AKIANOBODY"), files={"file": b"x"})
    assert r.status_code == 403 and b"InvalidAccessKeyId" in r.content
    missing = {k: v for k, v in post["fields"].items() if k != "signature"}
    r = requests.post(post["url"], data=missing, files={"file": b"x"})
    assert r.status_code == 400 and b"must contain a field named 'Signature'" in r.content


def test_sigv2_form_built_by_hand(verifying):
    v4 = client(verifying.endpoint, "s3v4")
    v4.create_bucket(Bucket="post-v2-hand")
    policy, signature = sign_v2({"expiration": "2099-01-01T00:00:00Z", "conditions": [
        {"bucket": "post-v2-hand"}, ["starts-with", "$key", "in/"], {"Content-Type": "text/plain"}]})
    fields = {"key": "in/k", "AWSAccessKeyId": "test", "policy": policy, "signature": signature,
              "Content-Type": "text/plain"}
    r = requests.post(f"{verifying.endpoint}/post-v2-hand", data=fields, files={"file": b"by hand"})
    assert r.status_code == 204, r.content
    got = v4.get_object(Bucket="post-v2-hand", Key="in/k")
    assert got["Body"].read() == b"by hand" and got["ContentType"] == "text/plain"
    r = requests.post(f"{verifying.endpoint}/post-v2-hand", data=dict(fields, key="out/k"), files={"file": b"x"})
    assert r.status_code == 403 and b"Policy Condition failed" in r.content


def test_sigv2_refused_where_s3_takes_sigv4_only(verifying):
    v4 = client(verifying.endpoint, "s3v4", region="eu-central-1")
    v4.create_bucket(Bucket="post-v2-frankfurt", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    policy, signature = sign_v2({"expiration": "2099-01-01T00:00:00Z", "conditions": [{"bucket": "post-v2-frankfurt"}]})
    r = requests.post(f"{verifying.endpoint}/post-v2-frankfurt", files={"file": b"x"},
                      data={"key": "k", "AWSAccessKeyId": "test", "policy": policy, "signature": signature})
    assert r.status_code == 400 and b"Please use AWS4-HMAC-SHA256" in r.content


def test_sigv2_form_accepted_without_verification(awan):
    v4 = client(awan.endpoint, "s3v4")
    v4.create_bucket(Bucket="post-v2-open")
    post = client(awan.endpoint, "s3").generate_presigned_post("post-v2-open", "k", ExpiresIn=60)
    r = requests.post(post["url"], data=dict(post["fields"], signature="not checked"), files={"file": b"open"})
    assert r.status_code == 204, r.content
    assert v4.get_object(Bucket="post-v2-open", Key="k")["Body"].read() == b"open"
