"""S3 ACLs, Object Ownership and Block Public Access as AWS applies them to new buckets (ACLs
disabled, public access blocked): refused ACLs with AWS's codes, canned ACLs and grant headers
stored and returned once ACLs are enabled, AccessControlPolicy documents, policy status; with
boto3 and aws-cli."""
import json
import subprocess

import pytest
from botocore.exceptions import ClientError

from conftest import AWS_CLI, CLIENT_ENV, make_boto3

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


@pytest.fixture
def s3(awan):
    return make_boto3(awan.endpoint, "s3")


def code_of(e):
    return e.value.response["Error"]["Code"]


def grants(acl):
    """The grants as a set of (grantee, permission); each appears once."""
    out = [(g["Grantee"].get("URI") or g["Grantee"].get("ID"), g["Permission"]) for g in acl["Grants"]]
    assert len(out) == len(set(out))
    return set(out)


def open_bucket(s3, name, ownership="ObjectWriter"):
    """A bucket with ACLs enabled and public access allowed, as one sets it up on AWS."""
    s3.create_bucket(Bucket=name, ObjectOwnership=ownership)
    s3.delete_public_access_block(Bucket=name)


def test_new_buckets_disable_acls_and_block_public_access(s3):
    s3.create_bucket(Bucket="acl-default")
    assert s3.get_bucket_ownership_controls(Bucket="acl-default")["OwnershipControls"]["Rules"] == \
        [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert s3.get_public_access_block(Bucket="acl-default")["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    owner = s3.get_bucket_acl(Bucket="acl-default")["Owner"]["ID"]
    for call in (lambda: s3.put_object(Bucket="acl-default", Key="k", Body=b"x", ACL="public-read"),
                 lambda: s3.put_bucket_acl(Bucket="acl-default", ACL="public-read"),
                 lambda: s3.put_object(Bucket="acl-default", Key="k", Body=b"x", GrantRead=f'uri="{ALL_USERS}"')):
        with pytest.raises(ClientError) as e:
            call()
        assert code_of(e) == "AccessControlListNotSupported"
        assert e.value.response["Error"]["Message"] == "The bucket does not allow ACLs"
    # bucket-owner-full-control (or no ACL) is what a PUT may say.
    s3.put_object(Bucket="acl-default", Key="k", Body=b"x", ACL="bucket-owner-full-control")
    s3.put_object_acl(Bucket="acl-default", Key="k", ACL="private")
    assert grants(s3.get_object_acl(Bucket="acl-default", Key="k")) == {(owner, "FULL_CONTROL")}
    # Creating a bucket with a public ACL and ACLs disabled is refused.
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket="acl-create-public", ACL="public-read")
    assert code_of(e) == "InvalidBucketAclWithObjectOwnership"


def test_canned_acls_and_grant_headers_once_acls_are_enabled(s3):
    open_bucket(s3, "acl-open")
    owner = s3.get_bucket_acl(Bucket="acl-open")["Owner"]["ID"]
    s3.put_object(Bucket="acl-open", Key="pub", Body=b"x", ACL="public-read")
    assert grants(s3.get_object_acl(Bucket="acl-open", Key="pub")) == {(ALL_USERS, "READ"), (owner, "FULL_CONTROL")}
    s3.put_object_acl(Bucket="acl-open", Key="pub", ACL="authenticated-read")
    assert grants(s3.get_object_acl(Bucket="acl-open", Key="pub")) == {(AUTH_USERS, "READ"), (owner, "FULL_CONTROL")}
    s3.put_object(Bucket="acl-open", Key="hdr", Body=b"x", GrantRead=f'uri="{ALL_USERS}", id="abc123"',
                  GrantFullControl=f'id="{owner}"')
    assert grants(s3.get_object_acl(Bucket="acl-open", Key="hdr")) == \
        {("abc123", "READ"), (ALL_USERS, "READ"), (owner, "FULL_CONTROL")}
    # A copy gets the ACL its request sets, not the source's.
    s3.copy_object(Bucket="acl-open", Key="copy", CopySource="acl-open/pub")
    assert grants(s3.get_object_acl(Bucket="acl-open", Key="copy")) == {(owner, "FULL_CONTROL")}
    s3.put_bucket_acl(Bucket="acl-open", ACL="public-read-write")
    assert grants(s3.get_bucket_acl(Bucket="acl-open")) == \
        {(ALL_USERS, "READ"), (ALL_USERS, "WRITE"), (owner, "FULL_CONTROL")}
    # An AccessControlPolicy document.
    policy = {"Owner": {"ID": owner}, "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": owner}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"Type": "Group", "URI": AUTH_USERS}, "Permission": "READ_ACP"}]}
    s3.put_object_acl(Bucket="acl-open", Key="pub", AccessControlPolicy=policy)
    assert grants(s3.get_object_acl(Bucket="acl-open", Key="pub")) == {(AUTH_USERS, "READ_ACP"), (owner, "FULL_CONTROL")}
    # Turning ACLs off needs a bucket ACL that only the owner is in.
    with pytest.raises(ClientError) as e:
        s3.put_bucket_ownership_controls(Bucket="acl-open", OwnershipControls={
            "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    assert code_of(e) == "InvalidBucketAclWithObjectOwnership"
    s3.put_bucket_acl(Bucket="acl-open", ACL="private")
    s3.put_bucket_ownership_controls(Bucket="acl-open", OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    # ... after which every ACL reads as the owner's full control.
    assert grants(s3.get_object_acl(Bucket="acl-open", Key="hdr")) == {(owner, "FULL_CONTROL")}


def test_bad_acls_are_refused(s3):
    open_bucket(s3, "acl-bad")
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="acl-bad", Key="k", Body=b"x", ACL="public-read", GrantRead='id="abc"')
    assert code_of(e) == "InvalidRequest"
    for bad in ('nonsense', 'uri="http://example.com/not-a-group"', 'id="unterminated', 'colour="red"', 'id="a" id="b"'):
        with pytest.raises(ClientError) as e:
            s3.put_object(Bucket="acl-bad", Key="k", Body=b"x", GrantRead=bad)
        assert code_of(e) == "InvalidArgument", bad
    with pytest.raises(ClientError) as e:
        s3.put_object_acl(Bucket="acl-bad", Key="missing", ACL="private")
    assert code_of(e) == "NoSuchKey"
    s3.put_object(Bucket="acl-bad", Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.put_object_acl(Bucket="acl-bad", Key="k", AccessControlPolicy={"Grants": [
            {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "EVERYTHING"}], "Owner": {"ID": "x"}})
    assert code_of(e) == "MalformedACLError"


def test_block_public_access_settings(s3):
    s3.create_bucket(Bucket="bpa", ObjectOwnership="ObjectWriter")
    # ACLs are enabled but public ones are blocked.
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="bpa", Key="k", Body=b"x", ACL="public-read")
    assert code_of(e) == "AccessDenied"
    s3.put_object(Bucket="bpa", Key="k", Body=b"x", ACL="bucket-owner-read")
    s3.put_public_access_block(Bucket="bpa", PublicAccessBlockConfiguration={"BlockPublicAcls": False,
                                                                            "BlockPublicPolicy": True})
    assert s3.get_public_access_block(Bucket="bpa")["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": True, "RestrictPublicBuckets": False}
    s3.put_object(Bucket="bpa", Key="k", Body=b"x", ACL="public-read")
    public = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bpa/*"}]}
    pinned = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bpa/*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}
    with pytest.raises(ClientError) as e:
        s3.put_bucket_policy(Bucket="bpa", Policy=json.dumps(public))
    assert code_of(e) == "AccessDenied"
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy_status(Bucket="bpa")
    assert code_of(e) == "NoSuchBucketPolicy"
    s3.put_bucket_policy(Bucket="bpa", Policy=json.dumps(pinned))
    assert s3.get_bucket_policy_status(Bucket="bpa")["PolicyStatus"] == {"IsPublic": False}
    s3.delete_public_access_block(Bucket="bpa")
    with pytest.raises(ClientError) as e:
        s3.get_public_access_block(Bucket="bpa")
    assert code_of(e) == "NoSuchPublicAccessBlockConfiguration"
    s3.put_bucket_policy(Bucket="bpa", Policy=json.dumps(public))
    assert s3.get_bucket_policy_status(Bucket="bpa")["PolicyStatus"] == {"IsPublic": True}
    s3.delete_bucket_ownership_controls(Bucket="bpa")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_ownership_controls(Bucket="bpa")
    assert code_of(e) == "OwnershipControlsNotFoundError"


def test_aws_cli_acls(awan):
    def aws(*args):
        return subprocess.run([AWS_CLI, "--endpoint-url", awan.endpoint, *args], capture_output=True, text=True,
                              env={**CLIENT_ENV, "PATH": "/usr/bin:/bin", "AWS_PAGER": ""})
    assert aws("s3api", "create-bucket", "--bucket", "cli-acl", "--object-ownership", "BucketOwnerPreferred").returncode == 0
    assert aws("s3api", "delete-public-access-block", "--bucket", "cli-acl").returncode == 0
    p = aws("s3api", "put-bucket-acl", "--bucket", "cli-acl", "--acl", "public-read")
    assert p.returncode == 0, p.stderr
    acl = json.loads(aws("s3api", "get-bucket-acl", "--bucket", "cli-acl").stdout)
    assert any(g["Grantee"].get("URI") == ALL_USERS and g["Permission"] == "READ" for g in acl["Grants"])
    p = aws("s3api", "put-object-acl", "--bucket", "cli-acl", "--key", "nope", "--acl", "private")
    assert p.returncode != 0 and "NoSuchKey" in p.stderr


def test_tagging_and_acl_events(s3, boto):
    sqs = boto("sqs")
    url = sqs.create_queue(QueueName="s3-meta-events")["QueueUrl"]
    open_bucket(s3, "meta-events")
    s3.put_bucket_notification_configuration(Bucket="meta-events", NotificationConfiguration={"QueueConfigurations": [
        {"Id": "meta", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:s3-meta-events",
         "Events": ["s3:ObjectTagging:*", "s3:ObjectAcl:Put"]}]})

    def next_record():
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"][0]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
        body = json.loads(got["Body"])
        return body["Records"][0] if "Records" in body else body

    assert next_record()["Event"] == "s3:TestEvent"
    s3.put_object(Bucket="meta-events", Key="k", Body=b"x")  # not subscribed: no event
    s3.put_object_tagging(Bucket="meta-events", Key="k", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    rec = next_record()
    assert rec["eventName"] == "ObjectTagging:Put" and rec["s3"]["object"]["key"] == "k"
    assert "size" not in rec["s3"]["object"]
    s3.delete_object_tagging(Bucket="meta-events", Key="k")
    assert next_record()["eventName"] == "ObjectTagging:Delete"
    s3.put_object_acl(Bucket="meta-events", Key="k", ACL="public-read")
    assert next_record()["eventName"] == "ObjectAcl:Put"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_expiration_header_from_the_lifecycle(s3):
    s3.create_bucket(Bucket="expiring")
    s3.put_bucket_lifecycle_configuration(Bucket="expiring", LifecycleConfiguration={"Rules": [
        {"ID": "logs-30d", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 30}}]})
    put = s3.put_object(Bucket="expiring", Key="logs/a.txt", Body=b"x")
    assert put["Expiration"].startswith('expiry-date="') and put["Expiration"].endswith('", rule-id="logs-30d"')
    date = put["Expiration"].split('"')[1]
    assert date.endswith(" 00:00:00 GMT")  # S3 rounds to the next midnight UTC
    assert s3.head_object(Bucket="expiring", Key="logs/a.txt")["Expiration"] == put["Expiration"]
    assert s3.get_object(Bucket="expiring", Key="logs/a.txt")["Expiration"] == put["Expiration"]
    other = s3.put_object(Bucket="expiring", Key="data/b.txt", Body=b"x")
    assert "Expiration" not in other


def test_object_attributes_list_the_parts(s3):
    s3.create_bucket(Bucket="parts")
    up = s3.create_multipart_upload(Bucket="parts", Key="big", ChecksumAlgorithm="SHA256")["UploadId"]
    sizes = [5 * 1024 * 1024, 5 * 1024 * 1024, 1024]
    done = []
    for n, size in enumerate(sizes, 1):
        p = s3.upload_part(Bucket="parts", Key="big", UploadId=up, PartNumber=n, Body=bytes([n]) * size,
                           ChecksumAlgorithm="SHA256")
        done.append({"PartNumber": n, "ETag": p["ETag"], "ChecksumSHA256": p["ChecksumSHA256"]})
    s3.complete_multipart_upload(Bucket="parts", Key="big", UploadId=up, MultipartUpload={"Parts": done})
    attrs = s3.get_object_attributes(Bucket="parts", Key="big", ObjectAttributes=["ObjectParts", "ObjectSize"])
    parts = attrs["ObjectParts"]
    assert parts["TotalPartsCount"] == 3 and attrs["ObjectSize"] == sum(sizes)
    assert [(p["PartNumber"], p["Size"]) for p in parts["Parts"]] == [(1, sizes[0]), (2, sizes[1]), (3, 1024)]
    assert [p["ChecksumSHA256"] for p in parts["Parts"]] == [d["ChecksumSHA256"] for d in done]
    page = s3.get_object_attributes(Bucket="parts", Key="big", ObjectAttributes=["ObjectParts"], MaxParts=2)["ObjectParts"]
    assert page["IsTruncated"] and page["NextPartNumberMarker"] == 2 and len(page["Parts"]) == 2
    rest = s3.get_object_attributes(Bucket="parts", Key="big", ObjectAttributes=["ObjectParts"],
                                    PartNumberMarker=2)["ObjectParts"]
    assert [p["PartNumber"] for p in rest["Parts"]] == [3] and not rest["IsTruncated"]


def test_browser_form_tagging_and_checksum_fields(s3, awan):
    import base64
    import hashlib

    import requests
    s3.create_bucket(Bucket="forms")
    body = b"Store,Item,Count\nBerlin,Pens,0\n"
    tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>stores &amp; more</Value></Tag></TagSet></Tagging>"
    good = base64.b64encode(hashlib.sha256(body).digest()).decode()
    r = requests.post(awan.endpoint + "/forms", data={"key": "f.csv", "tagging": tagging,
                                                      "x-amz-checksum-sha256": good},
                      files={"file": ("f.csv", body)})
    assert r.status_code == 204, r.text
    assert s3.get_object_tagging(Bucket="forms", Key="f.csv")["TagSet"] == [{"Key": "team", "Value": "stores & more"}]
    head = s3.head_object(Bucket="forms", Key="f.csv", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == good
    bad = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    r = requests.post(awan.endpoint + "/forms", data={"key": "g.csv", "x-amz-checksum-sha256": bad},
                      files={"file": ("g.csv", body)})
    assert r.status_code == 400 and "BadDigest" in r.text
    r = requests.post(awan.endpoint + "/forms", data={"key": "h.csv", "tagging": "<Tagging><TagSet>"},
                      files={"file": ("h.csv", body)})
    assert r.status_code == 400 and "MalformedXML" in r.text
