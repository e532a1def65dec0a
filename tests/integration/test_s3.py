"""S3 against boto3 and aws-cli: buckets, objects, listings, multipart, checksums, versioning,
configurations, presigned URLs and the errors AWS answers with."""
import base64
import hashlib
import json
import os
import time
import zlib

import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import AWS_CLI, CLIENT_ENV, AwsCliError, make_boto3


def cli_text(endpoint, *args):
    """aws-cli commands whose output is text (aws s3 ...); raises AwsCliError."""
    import subprocess
    env = dict(os.environ)
    env.update(CLIENT_ENV)
    p = subprocess.run([AWS_CLI, "--endpoint-url", endpoint, *args], capture_output=True, text=True, env=env,
                       timeout=300)
    if p.returncode != 0:
        raise AwsCliError(p.returncode, p.stderr)
    return p.stdout


@pytest.fixture
def s3(awan):
    return make_boto3(awan.endpoint, "s3")


def code_of(exc):
    return exc.value.response["Error"]["Code"]


def status_of(exc):
    return exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


# ---------------------------------------------------------------- buckets

def test_bucket_lifecycle(s3):
    s3.create_bucket(Bucket="alpha-bucket")
    s3.head_bucket(Bucket="alpha-bucket")
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert names == ["alpha-bucket"]
    assert s3.get_bucket_location(Bucket="alpha-bucket")["LocationConstraint"] is None
    s3.delete_bucket(Bucket="alpha-bucket")
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket="alpha-bucket")
    assert status_of(e) == 404


def test_create_bucket_in_another_region(awan):
    s3 = make_boto3(awan.endpoint, "s3", region="eu-west-1")
    s3.create_bucket(Bucket="euro-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert s3.get_bucket_location(Bucket="euro-bucket")["LocationConstraint"] == "eu-west-1"
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket="euro-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert code_of(e) == "BucketAlreadyOwnedByYou"


def test_us_east_1_repeated_create_succeeds(s3):
    s3.create_bucket(Bucket="twice-bucket")
    s3.create_bucket(Bucket="twice-bucket")


def test_bucket_owned_by_another_account(awan, s3):
    s3.create_bucket(Bucket="taken-bucket")
    other = make_boto3(awan.endpoint, "s3", key="111122223333")
    with pytest.raises(ClientError) as e:
        other.create_bucket(Bucket="taken-bucket")
    assert code_of(e) == "BucketAlreadyExists" and status_of(e) == 409


@pytest.mark.parametrize("name", ["ab", "UPPER-case", "a..b", "192.168.1.1", "-leading", "trailing-", "xn--punycode",
                                  "bucket-s3alias", "under_score", "a" * 64])
def test_invalid_bucket_names(s3, name):
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=name)
    assert code_of(e) == "InvalidBucketName"


def test_delete_non_empty_bucket(s3):
    s3.create_bucket(Bucket="full-bucket")
    s3.put_object(Bucket="full-bucket", Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket="full-bucket")
    assert code_of(e) == "BucketNotEmpty" and status_of(e) == 409


def test_no_such_bucket(s3):
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="missing-bucket", Key="k")
    assert code_of(e) == "NoSuchBucket" and e.value.response["Error"]["BucketName"] == "missing-bucket"


# ---------------------------------------------------------------- objects

def test_put_get_head_delete(s3):
    s3.create_bucket(Bucket="obj-bucket")
    body = os.urandom(3000)
    put = s3.put_object(Bucket="obj-bucket", Key="dir/file.bin", Body=body, ContentType="application/x-test",
                        Metadata={"owner": "alice"}, CacheControl="max-age=60")
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    got = s3.get_object(Bucket="obj-bucket", Key="dir/file.bin")
    assert got["Body"].read() == body
    assert got["ContentType"] == "application/x-test"
    assert got["Metadata"] == {"owner": "alice"}
    assert got["CacheControl"] == "max-age=60"
    assert got["ContentLength"] == 3000
    head = s3.head_object(Bucket="obj-bucket", Key="dir/file.bin")
    assert head["ContentLength"] == 3000 and head["ETag"] == put["ETag"]
    s3.delete_object(Bucket="obj-bucket", Key="dir/file.bin")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="obj-bucket", Key="dir/file.bin")
    assert code_of(e) == "NoSuchKey"
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket="obj-bucket", Key="dir/file.bin")
    assert status_of(e) == 404


def test_empty_object_and_default_content_type(s3):
    s3.create_bucket(Bucket="empty-bucket")
    s3.put_object(Bucket="empty-bucket", Key="empty", Body=b"")
    got = s3.get_object(Bucket="empty-bucket", Key="empty")
    assert got["Body"].read() == b"" and got["ContentLength"] == 0
    assert got["ContentType"] == "binary/octet-stream"
    assert got["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'


@pytest.mark.parametrize("key", ["../../etc/passwd", "a/../../b", "unicode/ünïcødé/日本語.txt", "sp ace+plus%percent",
                                 "/leading/slash", "trailing/", "q?x=1&y=2#frag", "a//b"])
def test_odd_keys_round_trip(s3, key):
    s3.create_bucket(Bucket="keys-bucket")
    s3.put_object(Bucket="keys-bucket", Key=key, Body=key.encode())
    assert s3.get_object(Bucket="keys-bucket", Key=key)["Body"].read() == key.encode()
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket="keys-bucket")["Contents"]]
    assert listed == [key]


def test_ranges(s3):
    s3.create_bucket(Bucket="range-bucket")
    s3.put_object(Bucket="range-bucket", Key="r", Body=b"0123456789")
    r = s3.get_object(Bucket="range-bucket", Key="r", Range="bytes=2-5")
    assert r["Body"].read() == b"2345" and r["ContentRange"] == "bytes 2-5/10"
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert s3.get_object(Bucket="range-bucket", Key="r", Range="bytes=7-")["Body"].read() == b"789"
    assert s3.get_object(Bucket="range-bucket", Key="r", Range="bytes=-3")["Body"].read() == b"789"
    assert s3.get_object(Bucket="range-bucket", Key="r", Range="bytes=8-100")["Body"].read() == b"89"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="range-bucket", Key="r", Range="bytes=10-20")
    assert code_of(e) == "InvalidRange" and status_of(e) == 416
    # A malformed range is ignored: the whole object.
    whole = s3.get_object(Bucket="range-bucket", Key="r", Range="bytes=abc")
    assert whole["Body"].read() == b"0123456789"
    # The 416 names the size; a suffix range of an empty object is the whole, empty, object.
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["content-range"] == "bytes */10"
    s3.put_object(Bucket="range-bucket", Key="empty", Body=b"")
    tail = s3.get_object(Bucket="range-bucket", Key="empty", Range="bytes=-16")
    assert tail["ResponseMetadata"]["HTTPStatusCode"] == 200 and tail["Body"].read() == b""


def test_conditional_get(s3):
    s3.create_bucket(Bucket="cond-bucket")
    etag = s3.put_object(Bucket="cond-bucket", Key="c", Body=b"data")["ETag"]
    assert s3.get_object(Bucket="cond-bucket", Key="c", IfMatch=etag)["Body"].read() == b"data"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="cond-bucket", Key="c", IfMatch='"nope"')
    assert status_of(e) == 412 and code_of(e) == "PreconditionFailed"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="cond-bucket", Key="c", IfNoneMatch=etag)
    assert status_of(e) == 304


def test_conditional_put_if_none_match(awan, s3):
    # Debian's boto3 predates conditional writes: the wire form.
    s3.create_bucket(Bucket="cput-bucket")
    url, host = awan.endpoint + "/cput-bucket/once", {"Host": f"localhost:{awan.port}"}
    assert requests.put(url, data=b"1", headers={**host, "If-None-Match": "*"}).status_code == 200
    r = requests.put(url, data=b"2", headers={**host, "If-None-Match": "*"})
    assert r.status_code == 412 and b"<Code>PreconditionFailed</Code>" in r.content
    assert s3.get_object(Bucket="cput-bucket", Key="once")["Body"].read() == b"1"
    # Only "*" is implemented by S3; another value, or both headers, is 501.
    r = requests.put(url, data=b"3", headers={**host, "If-None-Match": '"abc"'})
    assert r.status_code == 501 and b"<Code>NotImplemented</Code>" in r.content and b"<Header>If-None-Match</Header>" in r.content
    r = requests.put(url, data=b"3", headers={**host, "If-None-Match": "*", "If-Match": '"abc"'})
    assert r.status_code == 501 and b"<Header>If-Match</Header>" in r.content


def test_response_overrides(s3):
    s3.create_bucket(Bucket="over-bucket")
    s3.put_object(Bucket="over-bucket", Key="o", Body=b"x", ContentType="text/plain")
    got = s3.get_object(Bucket="over-bucket", Key="o", ResponseContentType="image/png",
                        ResponseContentDisposition="attachment; filename=o.png")
    assert got["ContentType"] == "image/png"
    assert got["ContentDisposition"] == "attachment; filename=o.png"


def test_copy_object_and_metadata_directive(s3):
    s3.create_bucket(Bucket="copy-bucket")
    s3.put_object(Bucket="copy-bucket", Key="src", Body=b"payload", Metadata={"a": "1"}, ContentType="text/plain")
    s3.copy_object(Bucket="copy-bucket", Key="dst", CopySource={"Bucket": "copy-bucket", "Key": "src"})
    got = s3.get_object(Bucket="copy-bucket", Key="dst")
    assert got["Body"].read() == b"payload" and got["Metadata"] == {"a": "1"} and got["ContentType"] == "text/plain"
    s3.copy_object(Bucket="copy-bucket", Key="dst2", CopySource="copy-bucket/src", MetadataDirective="REPLACE",
                   Metadata={"b": "2"})
    assert s3.head_object(Bucket="copy-bucket", Key="dst2")["Metadata"] == {"b": "2"}
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket="copy-bucket", Key="src", CopySource="copy-bucket/src")
    assert code_of(e) == "InvalidRequest"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket="copy-bucket", Key="x", CopySource="copy-bucket/src", CopySourceIfMatch='"bad"')
    assert status_of(e) == 412


def test_delete_objects_quiet_and_verbose(s3):
    s3.create_bucket(Bucket="multi-del")
    for k in ("a", "b", "c"):
        s3.put_object(Bucket="multi-del", Key=k, Body=b"x")
    out = s3.delete_objects(Bucket="multi-del", Delete={"Objects": [{"Key": "a"}, {"Key": "missing"}]})
    assert sorted(d["Key"] for d in out["Deleted"]) == ["a", "missing"]
    out = s3.delete_objects(Bucket="multi-del", Delete={"Objects": [{"Key": "b"}], "Quiet": True})
    assert "Deleted" not in out
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="multi-del")["Contents"]] == ["c"]


def test_object_tagging(s3):
    s3.create_bucket(Bucket="tag-bucket")
    s3.put_object(Bucket="tag-bucket", Key="t", Body=b"x", Tagging="env=dev&team=a%20b")
    assert s3.get_object(Bucket="tag-bucket", Key="t")["TagCount"] == 2
    tags = s3.get_object_tagging(Bucket="tag-bucket", Key="t")["TagSet"]
    assert {t["Key"]: t["Value"] for t in tags} == {"env": "dev", "team": "a b"}
    s3.put_object_tagging(Bucket="tag-bucket", Key="t", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    assert s3.get_object_tagging(Bucket="tag-bucket", Key="t")["TagSet"] == [{"Key": "k", "Value": "v"}]
    with pytest.raises(ClientError) as e:
        s3.put_object_tagging(Bucket="tag-bucket", Key="t",
                              Tagging={"TagSet": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]})
    assert code_of(e) == "InvalidTag"
    s3.delete_object_tagging(Bucket="tag-bucket", Key="t")
    assert s3.get_object_tagging(Bucket="tag-bucket", Key="t")["TagSet"] == []


def test_get_object_attributes(s3):
    s3.create_bucket(Bucket="attr-bucket")
    body = b"attributes"
    s3.put_object(Bucket="attr-bucket", Key="a", Body=body, ChecksumAlgorithm="SHA256")
    out = s3.get_object_attributes(Bucket="attr-bucket", Key="a",
                                   ObjectAttributes=["ETag", "Checksum", "ObjectSize", "StorageClass"])
    assert out["ETag"] == hashlib.md5(body).hexdigest()
    assert out["ObjectSize"] == len(body) and out["StorageClass"] == "STANDARD"
    assert out["Checksum"]["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(body).digest()).decode()


# ---------------------------------------------------------------- checksums

def crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def test_checksum_header_accepted_and_returned(s3):
    s3.create_bucket(Bucket="sum-bucket")
    body = b"checksummed body"
    put = s3.put_object(Bucket="sum-bucket", Key="k", Body=body, ChecksumCRC32=crc32_b64(body))
    assert put["ChecksumCRC32"] == crc32_b64(body)
    got = s3.get_object(Bucket="sum-bucket", Key="k", ChecksumMode="ENABLED")
    assert got["ChecksumCRC32"] == crc32_b64(body)
    head = s3.head_object(Bucket="sum-bucket", Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == crc32_b64(body)


def test_wrong_checksum_is_bad_digest(s3):
    s3.create_bucket(Bucket="bad-sum")
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="bad-sum", Key="k", Body=b"abc", ChecksumCRC32=crc32_b64(b"xyz"))
    assert code_of(e) == "BadDigest"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="bad-sum", Key="k", Body=b"abc", ChecksumCRC32="!!notbase64")
    assert code_of(e) == "InvalidRequest"
    assert "Contents" not in s3.list_objects_v2(Bucket="bad-sum")


def test_wrong_content_md5(s3):
    s3.create_bucket(Bucket="md5-bucket")
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="md5-bucket", Key="k", Body=b"abc", ContentMD5=wrong)
    assert code_of(e) == "BadDigest"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="md5-bucket", Key="k", Body=b"abc", ContentMD5="short")
    assert code_of(e) == "InvalidDigest"


def test_default_crc64nvme_checksum(awan, s3):
    s3.create_bucket(Bucket="nvme-bucket")
    s3.put_object(Bucket="nvme-bucket", Key="k", Body=b"hello")
    r = requests.head(awan.endpoint + "/nvme-bucket/k",
                      headers={"Host": f"localhost:{awan.port}", "x-amz-checksum-mode": "ENABLED"})
    assert r.headers["x-amz-checksum-type"] == "FULL_OBJECT" and "x-amz-checksum-crc64nvme" in r.headers


def test_x_amz_content_sha256_mismatch(awan):
    # A hand-made request whose declared payload hash is wrong.
    s3 = make_boto3(awan.endpoint, "s3")
    s3.create_bucket(Bucket="sha-bucket")
    r = requests.put(awan.endpoint + "/sha-bucket/k", data=b"abc",
                     headers={"x-amz-content-sha256": "0" * 64, "Host": f"localhost:{awan.port}"})
    assert r.status_code == 400 and b"XAmzContentSHA256Mismatch" in r.content


# ---------------------------------------------------------------- listings

@pytest.fixture
def tree(s3):
    s3.create_bucket(Bucket="tree-bucket")
    for k in ["a.txt", "b/1.txt", "b/2.txt", "b/c/3.txt", "d/4.txt", "e.txt", "sp ace/5.txt"]:
        s3.put_object(Bucket="tree-bucket", Key=k, Body=b"x")
    return s3


def test_list_v2_delimiter(tree):
    out = tree.list_objects_v2(Bucket="tree-bucket", Delimiter="/")
    assert [o["Key"] for o in out["Contents"]] == ["a.txt", "e.txt"]
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["b/", "d/", "sp ace/"]
    assert out["KeyCount"] == 5
    out = tree.list_objects_v2(Bucket="tree-bucket", Prefix="b/", Delimiter="/")
    assert [o["Key"] for o in out["Contents"]] == ["b/1.txt", "b/2.txt"]
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["b/c/"]


def test_list_v2_pagination(tree):
    keys, token = [], None
    while True:
        kw = {"ContinuationToken": token} if token else {}
        out = tree.list_objects_v2(Bucket="tree-bucket", MaxKeys=2, **kw)
        keys += [o["Key"] for o in out.get("Contents", [])]
        if not out["IsTruncated"]:
            break
        token = out["NextContinuationToken"]
    assert keys == ["a.txt", "b/1.txt", "b/2.txt", "b/c/3.txt", "d/4.txt", "e.txt", "sp ace/5.txt"]
    paged = []
    for page in tree.get_paginator("list_objects_v2").paginate(Bucket="tree-bucket", Delimiter="/",
                                                               PaginationConfig={"PageSize": 2}):
        paged += [o["Key"] for o in page.get("Contents", [])] + [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    assert sorted(paged) == ["a.txt", "b/", "d/", "e.txt", "sp ace/"]


def test_list_v2_start_after_and_owner(tree):
    out = tree.list_objects_v2(Bucket="tree-bucket", StartAfter="b/c/3.txt", FetchOwner=True)
    assert [o["Key"] for o in out["Contents"]] == ["d/4.txt", "e.txt", "sp ace/5.txt"]
    assert "ID" in out["Contents"][0]["Owner"]


def test_list_v2_bad_token(tree):
    with pytest.raises(ClientError) as e:
        tree.list_objects_v2(Bucket="tree-bucket", ContinuationToken="garbage")
    assert code_of(e) == "InvalidArgument"


def test_list_v1_markers(tree):
    out = tree.list_objects(Bucket="tree-bucket", MaxKeys=3)
    assert [o["Key"] for o in out["Contents"]] == ["a.txt", "b/1.txt", "b/2.txt"] and out["IsTruncated"]
    out = tree.list_objects(Bucket="tree-bucket", Marker="b/2.txt", Delimiter="/")
    assert [o["Key"] for o in out["Contents"]] == ["e.txt"]
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["b/", "d/", "sp ace/"]  # b/c/3.txt follows the marker
    out = tree.list_objects(Bucket="tree-bucket", Marker="b/", Delimiter="/")
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["d/", "sp ace/"]  # a prefix marker skips the prefix
    all_keys = []
    for page in tree.get_paginator("list_objects").paginate(Bucket="tree-bucket", PaginationConfig={"PageSize": 2}):
        all_keys += [o["Key"] for o in page["Contents"]]
    assert len(all_keys) == 7


def test_list_encoding_type_url(awan, tree):
    # boto3 decodes url-encoded listings itself; look at the wire form.
    r = requests.get(awan.endpoint + "/tree-bucket?list-type=2&encoding-type=url&prefix=sp%20",
                     headers={"Host": f"localhost:{awan.port}"})
    assert r.status_code == 200
    assert b"<Key>sp%20ace/5.txt</Key>" in r.content and b"<EncodingType>url</EncodingType>" in r.content
    out = tree.list_objects_v2(Bucket="tree-bucket", Prefix="sp ")
    assert [o["Key"] for o in out["Contents"]] == ["sp ace/5.txt"]


# ---------------------------------------------------------------- versioning

def test_versioning_flow(s3):
    s3.create_bucket(Bucket="ver-bucket")
    assert "Status" not in s3.get_bucket_versioning(Bucket="ver-bucket")
    s3.put_bucket_versioning(Bucket="ver-bucket", VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket="ver-bucket")["Status"] == "Enabled"
    v1 = s3.put_object(Bucket="ver-bucket", Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket="ver-bucket", Key="k", Body=b"two")["VersionId"]
    assert v1 != v2
    assert s3.get_object(Bucket="ver-bucket", Key="k")["Body"].read() == b"two"
    assert s3.get_object(Bucket="ver-bucket", Key="k", VersionId=v1)["Body"].read() == b"one"
    d = s3.delete_object(Bucket="ver-bucket", Key="k")
    assert d["DeleteMarker"] is True
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="ver-bucket", Key="k")
    assert code_of(e) == "NoSuchKey"
    versions = s3.list_object_versions(Bucket="ver-bucket")
    assert [v["VersionId"] for v in versions["Versions"]] == [v2, v1]
    assert [m["IsLatest"] for m in versions["DeleteMarkers"]] == [True]
    # Removing the marker brings the newest version back.
    s3.delete_object(Bucket="ver-bucket", Key="k", VersionId=d["VersionId"])
    assert s3.get_object(Bucket="ver-bucket", Key="k")["Body"].read() == b"two"
    s3.delete_object(Bucket="ver-bucket", Key="k", VersionId=v2)
    assert s3.get_object(Bucket="ver-bucket", Key="k")["Body"].read() == b"one"
    head = s3.head_object(Bucket="ver-bucket", Key="k", VersionId=v1)
    assert head["VersionId"] == v1


def test_versioning_suspended_overwrites_null(s3):
    s3.create_bucket(Bucket="susp-bucket")
    s3.put_object(Bucket="susp-bucket", Key="k", Body=b"before")
    s3.put_bucket_versioning(Bucket="susp-bucket", VersioningConfiguration={"Status": "Enabled"})
    vid = s3.put_object(Bucket="susp-bucket", Key="k", Body=b"versioned")["VersionId"]
    s3.put_bucket_versioning(Bucket="susp-bucket", VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket="susp-bucket", Key="k", Body=b"null-1")
    s3.put_object(Bucket="susp-bucket", Key="k", Body=b"null-2")
    ids = [v["VersionId"] for v in s3.list_object_versions(Bucket="susp-bucket")["Versions"]]
    assert ids == ["null", vid]
    assert s3.get_object(Bucket="susp-bucket", Key="k", VersionId="null")["Body"].read() == b"null-2"


def test_version_listing_pagination(s3):
    s3.create_bucket(Bucket="vpage-bucket")
    s3.put_bucket_versioning(Bucket="vpage-bucket", VersioningConfiguration={"Status": "Enabled"})
    made = []
    for k in ("a", "b"):
        for i in range(3):
            made.append((k, s3.put_object(Bucket="vpage-bucket", Key=k, Body=str(i).encode())["VersionId"]))
    seen = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket="vpage-bucket",
                                                                  PaginationConfig={"PageSize": 2}):
        seen += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
    expected = [("a", v) for k, v in reversed(made) if k == "a"] + [("b", v) for k, v in reversed(made) if k == "b"]
    assert seen == expected


def test_no_such_version(s3):
    s3.create_bucket(Bucket="nover-bucket")
    s3.put_bucket_versioning(Bucket="nover-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="nover-bucket", Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="nover-bucket", Key="k", VersionId="A" * 32)
    assert code_of(e) == "NoSuchVersion"


# ---------------------------------------------------------------- multipart

MIB = 1024 * 1024


def test_multipart_upload(s3):
    s3.create_bucket(Bucket="mpu-bucket")
    up = s3.create_multipart_upload(Bucket="mpu-bucket", Key="big", ContentType="text/csv", Metadata={"m": "1"})
    parts_data = [os.urandom(5 * MIB), os.urandom(5 * MIB), b"tail"]
    parts = []
    for i, data in enumerate(parts_data, 1):
        r = s3.upload_part(Bucket="mpu-bucket", Key="big", UploadId=up["UploadId"], PartNumber=i, Body=data)
        parts.append({"PartNumber": i, "ETag": r["ETag"]})
    listed = s3.list_parts(Bucket="mpu-bucket", Key="big", UploadId=up["UploadId"])
    assert [p["Size"] for p in listed["Parts"]] == [5 * MIB, 5 * MIB, 4]
    uploads = s3.list_multipart_uploads(Bucket="mpu-bucket")["Uploads"]
    assert [u["UploadId"] for u in uploads] == [up["UploadId"]]
    done = s3.complete_multipart_upload(Bucket="mpu-bucket", Key="big", UploadId=up["UploadId"],
                                        MultipartUpload={"Parts": parts})
    expected = hashlib.md5(b"".join(hashlib.md5(d).digest() for d in parts_data)).hexdigest() + "-3"
    assert done["ETag"] == '"%s"' % expected
    got = s3.get_object(Bucket="mpu-bucket", Key="big")
    assert got["Body"].read() == b"".join(parts_data)
    assert got["ContentType"] == "text/csv" and got["Metadata"] == {"m": "1"}
    part2 = s3.get_object(Bucket="mpu-bucket", Key="big", PartNumber=2)
    assert part2["PartsCount"] == 3 and part2["ContentLength"] == 5 * MIB
    assert part2["Body"].read() == parts_data[1]
    assert "Uploads" not in s3.list_multipart_uploads(Bucket="mpu-bucket")


def test_multipart_errors(s3):
    s3.create_bucket(Bucket="mpu-err")
    up = s3.create_multipart_upload(Bucket="mpu-err", Key="k")["UploadId"]
    e1 = s3.upload_part(Bucket="mpu-err", Key="k", UploadId=up, PartNumber=1, Body=b"small")["ETag"]
    e2 = s3.upload_part(Bucket="mpu-err", Key="k", UploadId=up, PartNumber=2, Body=b"small")["ETag"]
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket="mpu-err", Key="k", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    assert code_of(e) == "EntityTooSmall"
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket="mpu-err", Key="k", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]})
    assert code_of(e) == "InvalidPartOrder"
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket="mpu-err", Key="k", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": '"0000"'}]})
    assert code_of(e) == "InvalidPart"
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket="mpu-err", Key="k", UploadId=up, PartNumber=10001, Body=b"x")
    assert code_of(e) == "InvalidArgument"
    s3.abort_multipart_upload(Bucket="mpu-err", Key="k", UploadId=up)
    with pytest.raises(ClientError) as e:
        s3.upload_part(Bucket="mpu-err", Key="k", UploadId=up, PartNumber=1, Body=b"x")
    assert code_of(e) == "NoSuchUpload" and status_of(e) == 404


def test_upload_part_copy_with_range(s3):
    s3.create_bucket(Bucket="upc-bucket")
    src = os.urandom(6 * MIB)
    s3.put_object(Bucket="upc-bucket", Key="src", Body=src)
    up = s3.create_multipart_upload(Bucket="upc-bucket", Key="dst")["UploadId"]
    a = s3.upload_part_copy(Bucket="upc-bucket", Key="dst", UploadId=up, PartNumber=1, CopySource="upc-bucket/src",
                            CopySourceRange="bytes=0-5242879")["CopyPartResult"]["ETag"]
    b = s3.upload_part_copy(Bucket="upc-bucket", Key="dst", UploadId=up, PartNumber=2, CopySource="upc-bucket/src",
                            CopySourceRange=f"bytes=5242880-{len(src) - 1}")["CopyPartResult"]["ETag"]
    s3.complete_multipart_upload(Bucket="upc-bucket", Key="dst", UploadId=up,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": a}, {"PartNumber": 2, "ETag": b}]})
    assert s3.get_object(Bucket="upc-bucket", Key="dst")["Body"].read() == src
    with pytest.raises(ClientError) as e:
        s3.upload_part_copy(Bucket="upc-bucket", Key="dst", UploadId=up, PartNumber=1, CopySource="upc-bucket/src",
                            CopySourceRange="bytes=0-99999999")
    assert code_of(e) in ("InvalidArgument", "NoSuchUpload")


def test_multipart_composite_checksum(s3):
    s3.create_bucket(Bucket="mpu-sum")
    up = s3.create_multipart_upload(Bucket="mpu-sum", Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    data = [os.urandom(5 * MIB), b"end"]
    parts = []
    for i, d in enumerate(data, 1):
        r = s3.upload_part(Bucket="mpu-sum", Key="k", UploadId=up, PartNumber=i, Body=d, ChecksumAlgorithm="SHA256")
        assert r["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(d).digest()).decode()
        parts.append({"PartNumber": i, "ETag": r["ETag"], "ChecksumSHA256": r["ChecksumSHA256"]})
    done = s3.complete_multipart_upload(Bucket="mpu-sum", Key="k", UploadId=up, MultipartUpload={"Parts": parts})
    composite = hashlib.sha256(b"".join(hashlib.sha256(d).digest() for d in data)).digest()
    assert done["ChecksumSHA256"] == base64.b64encode(composite).decode() + "-2"


def test_multipart_full_object_crc32(s3):
    s3.create_bucket(Bucket="mpu-crc")
    # Debian's boto3 predates x-amz-checksum-type: added on the wire.
    s3.meta.events.register("before-sign.s3.CreateMultipartUpload",
                            lambda request, **kw: request.headers.__setitem__("x-amz-checksum-type", "FULL_OBJECT"))
    up = s3.create_multipart_upload(Bucket="mpu-crc", Key="k", ChecksumAlgorithm="CRC32")["UploadId"]
    data = [os.urandom(5 * MIB), os.urandom(1000)]
    parts = []
    for i, d in enumerate(data, 1):
        r = s3.upload_part(Bucket="mpu-crc", Key="k", UploadId=up, PartNumber=i, Body=d, ChecksumAlgorithm="CRC32")
        parts.append({"PartNumber": i, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]})
    done = s3.complete_multipart_upload(Bucket="mpu-crc", Key="k", UploadId=up, MultipartUpload={"Parts": parts})
    assert done["ChecksumCRC32"] == crc32_b64(b"".join(data))


# ---------------------------------------------------------------- configurations

def test_bucket_tagging_policy_cors_lifecycle(s3):
    s3.create_bucket(Bucket="cfg-bucket")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket="cfg-bucket")
    assert code_of(e) == "NoSuchTagSet"
    s3.put_bucket_tagging(Bucket="cfg-bucket", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    assert s3.get_bucket_tagging(Bucket="cfg-bucket")["TagSet"] == [{"Key": "a", "Value": "b"}]
    with pytest.raises(ClientError) as e:
        s3.get_bucket_policy(Bucket="cfg-bucket")
    assert code_of(e) == "NoSuchBucketPolicy"
    with pytest.raises(ClientError) as e:
        s3.put_bucket_policy(Bucket="cfg-bucket", Policy="not json")
    assert code_of(e) == "MalformedPolicy"
    policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cfg-bucket/*"}]}'
    # New buckets block public policies; once the block is lifted the policy is stored.
    with pytest.raises(ClientError) as e:
        s3.put_bucket_policy(Bucket="cfg-bucket", Policy=policy)
    assert code_of(e) == "AccessDenied" and "BlockPublicPolicy" in str(e.value)
    s3.delete_public_access_block(Bucket="cfg-bucket")
    s3.put_bucket_policy(Bucket="cfg-bucket", Policy=policy)
    assert s3.get_bucket_policy(Bucket="cfg-bucket")["Policy"] == policy
    cors = {"CORSRules": [{"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["https://example.com"],
                           "AllowedHeaders": ["*"], "MaxAgeSeconds": 300}]}
    s3.put_bucket_cors(Bucket="cfg-bucket", CORSConfiguration=cors)
    got = s3.get_bucket_cors(Bucket="cfg-bucket")["CORSRules"]
    assert got[0]["AllowedMethods"] == ["GET", "PUT"] and got[0]["MaxAgeSeconds"] == 300
    s3.delete_bucket_cors(Bucket="cfg-bucket")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_cors(Bucket="cfg-bucket")
    assert code_of(e) == "NoSuchCORSConfiguration"
    rules = [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}}]
    s3.put_bucket_lifecycle_configuration(Bucket="cfg-bucket", LifecycleConfiguration={"Rules": rules})
    assert s3.get_bucket_lifecycle_configuration(Bucket="cfg-bucket")["Rules"][0]["ID"] == "expire"
    assert s3.get_bucket_acl(Bucket="cfg-bucket")["Grants"][0]["Permission"] == "FULL_CONTROL"


def test_malformed_xml_body(awan, s3):
    s3.create_bucket(Bucket="xml-bucket")
    r = requests.put(awan.endpoint + "/xml-bucket?tagging", data=b"<Tagging><TagSet><Tag>",
                     headers={"Host": f"localhost:{awan.port}"})
    assert r.status_code == 400 and b"<Code>MalformedXML</Code>" in r.content
    r = requests.put(awan.endpoint + "/xml-bucket?versioning",
                     data=b"<VersioningConfiguration><Status>Sometimes</Status></VersioningConfiguration>",
                     headers={"Host": f"localhost:{awan.port}"})
    assert r.status_code == 400 and b"<Code>MalformedXML</Code>" in r.content


# ---------------------------------------------------------------- addressing, presigned URLs

def test_virtual_hosted_style(awan, s3):
    s3.create_bucket(Bucket="vhost-bucket")
    s3.put_object(Bucket="vhost-bucket", Key="k", Body=b"hosted")
    r = requests.get(f"http://127.0.0.1:{awan.port}/k", headers={"Host": f"vhost-bucket.localhost:{awan.port}"})
    assert r.status_code == 200 and r.content == b"hosted"
    r = requests.get(f"http://127.0.0.1:{awan.port}/k", headers={"Host": "vhost-bucket.s3.localhost"})
    assert r.status_code == 200 and r.content == b"hosted"


def test_presigned_get_and_put(awan):
    s3 = __import__("boto3").client("s3", endpoint_url=awan.endpoint, region_name="us-east-1",
                                    aws_access_key_id="test", aws_secret_access_key="test",
                                    config=Config(signature_version="s3v4"))
    s3.create_bucket(Bucket="presign-bucket")
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": "presign-bucket", "Key": "p"}, ExpiresIn=60)
    assert requests.put(put_url, data=b"presigned").status_code == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": "presign-bucket", "Key": "p"}, ExpiresIn=60)
    r = requests.get(get_url)
    assert r.status_code == 200 and r.content == b"presigned"


# ---------------------------------------------------------------- aws-cli

def test_aws_cli_high_level(awan, aws, tmp_path):
    cli_text(awan.endpoint, "s3", "mb", "s3://cli-bucket")
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "one.txt").write_text("one")
    (src / "sub" / "two.txt").write_text("two")
    cli_text(awan.endpoint, "s3", "cp", str(src / "one.txt"), "s3://cli-bucket/one.txt")
    cli_text(awan.endpoint, "s3", "sync", str(src), "s3://cli-bucket/synced")
    listed = aws("s3api", "list-objects-v2", "--bucket", "cli-bucket")
    assert sorted(o["Key"] for o in listed["Contents"]) == ["one.txt", "synced/one.txt", "synced/sub/two.txt"]
    dst = tmp_path / "dst"
    cli_text(awan.endpoint, "s3", "sync", "s3://cli-bucket/synced", str(dst))
    assert (dst / "sub" / "two.txt").read_text() == "two"
    cli_text(awan.endpoint, "s3", "rm", "s3://cli-bucket", "--recursive")
    cli_text(awan.endpoint, "s3", "rb", "s3://cli-bucket")
    assert aws("s3api", "list-buckets")["Buckets"] == []


def test_aws_cli_multipart_100_mib(awan, aws, tmp_path):
    cli_text(awan.endpoint, "s3", "mb", "s3://cli-big")
    big = tmp_path / "big.bin"
    data = os.urandom(100 * MIB)
    big.write_bytes(data)
    cli_text(awan.endpoint, "s3", "cp", str(big), "s3://cli-big/big.bin")
    head = aws("s3api", "head-object", "--bucket", "cli-big", "--key", "big.bin")
    assert head["ContentLength"] == 100 * MIB and head["ETag"].endswith('-13"')
    out = tmp_path / "back.bin"
    cli_text(awan.endpoint, "s3", "cp", "s3://cli-big/big.bin", str(out))
    assert hashlib.md5(out.read_bytes()).hexdigest() == hashlib.md5(data).hexdigest()


def test_aws_cli_errors(aws):
    with pytest.raises(AwsCliError) as e:
        aws("s3api", "get-object", "--bucket", "nope-bucket", "--key", "k", "/dev/null")
    assert "NoSuchBucket" in e.value.stderr


# ---------------------------------------------------------------- boto3 transfers

def test_boto3_upload_download_file(s3, tmp_path):
    s3.create_bucket(Bucket="xfer-bucket")
    src = tmp_path / "src.bin"
    data = os.urandom(20 * MIB)
    src.write_bytes(data)
    s3.upload_file(str(src), "xfer-bucket", "x.bin")
    dst = tmp_path / "dst.bin"
    s3.download_file("xfer-bucket", "x.bin", str(dst))
    assert dst.read_bytes() == data


# ---------------------------------------------------------------- JavaScript SDK v3

def test_js_sdk_v3(js):
    assert "s3.mjs ok" in js("s3.mjs")


# ---------------------------------------------------------------- --verify-signatures

def test_presigned_urls_enforced_when_verifying():
    import time
    from conftest import Daemon
    d = Daemon("--verify-signatures")
    try:
        s3 = __import__("boto3").client("s3", endpoint_url=d.endpoint, region_name="us-east-1",
                                        aws_access_key_id="test", aws_secret_access_key="test",
                                        config=Config(signature_version="s3v4"))
        s3.create_bucket(Bucket="signed-bucket")
        s3.put_object(Bucket="signed-bucket", Key="k", Body=b"signed")
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "signed-bucket", "Key": "k"}, ExpiresIn=60)
        r = requests.get(url)
        assert r.status_code == 200 and r.content == b"signed"
        put = s3.generate_presigned_url("put_object", Params={"Bucket": "signed-bucket", "Key": "p"}, ExpiresIn=60)
        assert requests.put(put, data=b"via url").status_code == 200
        assert s3.get_object(Bucket="signed-bucket", Key="p")["Body"].read() == b"via url"
        # A changed key or a wrong secret breaks the signature.
        r = requests.get(url.replace("/k?", "/other?"))
        assert r.status_code == 403 and b"SignatureDoesNotMatch" in r.content
        short = s3.generate_presigned_url("get_object", Params={"Bucket": "signed-bucket", "Key": "k"}, ExpiresIn=1)
        time.sleep(2.1)
        r = requests.get(short)
        assert r.status_code == 403 and b"Request has expired" in r.content
        # Unsigned requests are refused.
        r = requests.get(d.endpoint + "/signed-bucket/k", headers={"Host": f"localhost:{d.port}"})
        assert r.status_code == 403 and b"AccessDenied" in r.content
    finally:
        d.stop()


# ---------------------------------------------------------------- POST Object (browser forms)

def test_post_object_form_upload(awan, s3):
    s3.create_bucket(Bucket="form-bucket")
    url, host = awan.endpoint + "/form-bucket", {"Host": f"localhost:{awan.port}"}
    fields = {"key": "uploads/${filename}", "Content-Type": "text/plain", "x-amz-meta-owner": "ana",
              "success_action_status": "201"}
    r = requests.post(url, headers=host, data=fields, files={"file": ("notes.txt", b"hello form")})
    assert r.status_code == 201 and b"<Key>uploads/notes.txt</Key>" in r.content and r.headers["ETag"]
    got = s3.get_object(Bucket="form-bucket", Key="uploads/notes.txt")
    assert got["Body"].read() == b"hello form" and got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"owner": "ana"} and got["ETag"] == r.headers["ETag"]
    # The default answer is 204; success_action_redirect is a 303 naming bucket, key and ETag.
    r = requests.post(url, headers=host, data={"key": "plain"}, files={"file": ("x", b"x")})
    assert r.status_code == 204 and r.content == b""
    r = requests.post(url, headers=host, data={"key": "r", "success_action_redirect": "http://localhost:3000/done"},
                      files={"file": ("x", b"r")}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("http://localhost:3000/done?bucket=form-bucket&key=r")
    # The file field must come after the key.
    r = requests.post(url, headers=host, files=[("file", ("x", b"x")), ("key", (None, "late"))])
    assert r.status_code == 400 and b"must contain a field named 'key'" in r.content
    r = requests.post(awan.endpoint + "/no-such-form-bucket", headers=host, data={"key": "k"}, files={"file": b"x"})
    assert r.status_code == 404 and b"NoSuchBucket" in r.content


def test_post_object_presigned_post_when_verifying():
    from conftest import Daemon
    d = Daemon("--verify-signatures")
    try:
        s3 = __import__("boto3").client("s3", endpoint_url=d.endpoint, region_name="us-east-1",
                                        aws_access_key_id="test", aws_secret_access_key="test",
                                        config=Config(signature_version="s3v4"))
        s3.create_bucket(Bucket="post-bucket")
        post = s3.generate_presigned_post("post-bucket", "in/${filename}",
                                          Fields={"success_action_status": "200"},
                                          Conditions=[{"success_action_status": "200"},
                                                      ["content-length-range", 1, 100]], ExpiresIn=60)
        r = requests.post(post["url"], data=post["fields"], files={"file": ("a.csv", b"store,item,count")})
        assert r.status_code == 200, r.content
        assert s3.get_object(Bucket="post-bucket", Key="in/a.csv")["Body"].read() == b"store,item,count"
        # Too large for the policy; a field the policy does not cover; a tampered policy; no signature.
        r = requests.post(post["url"], data=post["fields"], files={"file": ("a.csv", b"x" * 101)})
        assert r.status_code == 400 and b"EntityTooLarge" in r.content
        r = requests.post(post["url"], data={**post["fields"], "x-amz-meta-extra": "1"}, files={"file": b"x"})
        assert r.status_code == 403 and b"Extra input fields" in r.content
        forged = dict(post["fields"], policy=post["fields"]["policy"][:-4] + "AAAA")
        r = requests.post(post["url"], data=forged, files={"file": b"x"})
        assert r.status_code == 403 and b"SignatureDoesNotMatch" in r.content
        r = requests.post(post["url"], data={"key": "anon"}, files={"file": b"x"})
        assert r.status_code == 403 and b"AccessDenied" in r.content
    finally:
        d.stop()


# ---------------------------------------------------------------- bucket CORS

def test_bucket_cors_answers_preflights_and_decorates(awan, s3):
    s3.create_bucket(Bucket="cors-bucket")
    s3.put_object(Bucket="cors-bucket", Key="k", Body=b"x")
    host = {"Host": f"localhost:{awan.port}"}
    page = "http://localhost:3000"
    # Without bucket rules the daemon's own policy answers local origins.
    r = requests.options(awan.endpoint + "/cors-bucket/k", headers={**host, "Origin": page,
                                                                     "Access-Control-Request-Method": "PUT"})
    assert r.status_code == 200
    s3.put_bucket_cors(Bucket="cors-bucket", CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["http://localhost:*"], "AllowedHeaders": ["x-amz-*"],
         "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}]})
    r = requests.options(awan.endpoint + "/cors-bucket/k", headers={
        **host, "Origin": page, "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "X-Amz-Meta-A, x-amz-date"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == page
    assert r.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert r.headers["Access-Control-Allow-Headers"] == "x-amz-meta-a, x-amz-date"
    assert r.headers["Access-Control-Max-Age"] == "600"
    # A method or header no rule allows: 403 AccessForbidden.
    r = requests.options(awan.endpoint + "/cors-bucket/k", headers={**host, "Origin": page,
                                                                     "Access-Control-Request-Method": "DELETE"})
    assert r.status_code == 403 and b"<Code>AccessForbidden</Code>" in r.content
    assert b"<Method>DELETE</Method>" in r.content and b"<ResourceType>OBJECT</ResourceType>" in r.content
    r = requests.options(awan.endpoint + "/cors-bucket/k", headers={
        **host, "Origin": page, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 403
    r = requests.options(awan.endpoint + "/cors-bucket", headers={**host, "Origin": page,
                                                                   "Access-Control-Request-Method": "DELETE"})
    assert r.status_code == 403 and b"<ResourceType>BUCKET</ResourceType>" in r.content
    # Actual requests carry the matching rule's headers.
    r = requests.get(awan.endpoint + "/cors-bucket/k", headers={**host, "Origin": page})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == page
    assert r.headers["Access-Control-Expose-Headers"] == "ETag"
    # S3 matches an actual request by its Access-Control-Request-Method when it sends one.
    r = requests.get(awan.endpoint + "/cors-bucket/k", headers={**host, "Origin": page,
                                                                 "Access-Control-Request-Method": "DELETE"})
    assert r.status_code == 200 and "Access-Control-Allow-Methods" not in r.headers
    # A foreign origin is still refused by the daemon's policy, whatever the bucket says.
    r = requests.get(awan.endpoint + "/cors-bucket/k", headers={**host, "Origin": "https://evil.example"})
    assert r.status_code == 403


def test_invalid_cors_configurations(s3):
    s3.create_bucket(Bucket="cors-bad")
    with pytest.raises(ClientError) as e:
        s3.put_bucket_cors(Bucket="cors-bad", CORSConfiguration={"CORSRules": [
            {"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]}]})
    assert code_of(e) == "InvalidRequest" and "Unsupported method is PATCH" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        s3.put_bucket_cors(Bucket="cors-bad", CORSConfiguration={"CORSRules": [
            {"AllowedMethods": ["GET"], "AllowedOrigins": ["http://*.a.*"]}]})
    assert code_of(e) == "InvalidRequest"
    with pytest.raises(ClientError) as e:
        s3.put_bucket_cors(Bucket="cors-bad", CORSConfiguration={"CORSRules": [
            {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "ExposeHeaders": ["x-amz-meta-*"]}]})
    assert code_of(e) == "InvalidRequest" and "wildcard for ExposeHeader" in e.value.response["Error"]["Message"]


# ---------------------------------------------------------------- lifecycle

def test_lifecycle_rules_expire_objects_and_abort_uploads(awan, s3):
    import json as _json
    import time
    s3.create_bucket(Bucket="life-bucket")
    s3.put_object(Bucket="life-bucket", Key="tmp/a", Body=b"x")
    s3.put_object(Bucket="life-bucket", Key="keep/b", Body=b"x")
    up = s3.create_multipart_upload(Bucket="life-bucket", Key="big")["UploadId"]
    with pytest.raises(ClientError) as e:
        s3.put_bucket_lifecycle_configuration(Bucket="life-bucket", LifecycleConfiguration={"Rules": [
            {"ID": "bad", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 0}}]})
    assert code_of(e) == "InvalidArgument"
    s3.put_bucket_lifecycle_configuration(Bucket="life-bucket", LifecycleConfiguration={"Rules": [
        {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}},
        {"ID": "uploads", "Status": "Enabled", "Filter": {"Prefix": ""},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}}]})

    def sweep(days):
        status, _, body = awan.request("POST", "/_awan/s3/lifecycle",
                                       _json.dumps({"at": time.time() + days * 86400}).encode())
        assert status == 200
        return _json.loads(body)

    assert sweep(0) == {"expired": 0, "aborted": 0}
    assert sweep(3) == {"expired": 1, "aborted": 1}
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="life-bucket")["Contents"]] == ["keep/b"]
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket="life-bucket", Key="big", UploadId=up)
    assert code_of(e) == "NoSuchUpload"


def test_lifecycle_in_a_versioned_bucket(awan, s3):
    import json as _json
    import time
    s3.create_bucket(Bucket="life-ver")
    s3.put_bucket_versioning(Bucket="life-ver", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="life-ver", Key="k", Body=b"1")
    s3.put_object(Bucket="life-ver", Key="k", Body=b"2")
    s3.put_bucket_lifecycle_configuration(Bucket="life-ver", LifecycleConfiguration={"Rules": [
        {"ID": "all", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]})
    status, _, body = awan.request("POST", "/_awan/s3/lifecycle", _json.dumps({"at": time.time() + 3 * 86400}).encode())
    assert status == 200
    versions = s3.list_object_versions(Bucket="life-ver")
    # The current version went behind a delete marker; the noncurrent one was removed.
    assert len(versions.get("DeleteMarkers", [])) == 1 and versions["DeleteMarkers"][0]["IsLatest"]
    assert len(versions["Versions"]) == 1 and versions["Versions"][0]["IsLatest"] is False


def test_notification_configuration_validated_and_stored(s3, boto):
    s3.create_bucket(Bucket="notify-bucket")
    boto("sqs").create_queue(QueueName="uploads")
    cfg = {"QueueConfigurations": [{"Id": "csv", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:uploads",
                                    "Events": ["s3:ObjectCreated:*"],
                                    "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}]}}}]}
    s3.put_bucket_notification_configuration(Bucket="notify-bucket", NotificationConfiguration=cfg)
    got = s3.get_bucket_notification_configuration(Bucket="notify-bucket")
    assert got["QueueConfigurations"][0]["Id"] == "csv"
    assert got["QueueConfigurations"][0]["Events"] == ["s3:ObjectCreated:*"]
    with pytest.raises(ClientError) as e:
        s3.put_bucket_notification_configuration(Bucket="notify-bucket", NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": "arn:aws:sqs:us-east-1:000000000000:q", "Events": ["s3:Nope"]}]})
    assert code_of(e) == "InvalidArgument"
    overlap = {"QueueConfigurations": [
        {"QueueArn": "arn:aws:sqs:us-east-1:000000000000:a", "Events": ["s3:ObjectCreated:*"]},
        {"QueueArn": "arn:aws:sqs:us-east-1:000000000000:b", "Events": ["s3:ObjectCreated:Put"]}]}
    with pytest.raises(ClientError) as e:
        s3.put_bucket_notification_configuration(Bucket="notify-bucket", NotificationConfiguration=overlap)
    assert code_of(e) == "InvalidArgument"


def test_notification_destinations_must_exist(s3):
    s3.create_bucket(Bucket="notify-missing")
    with pytest.raises(ClientError) as e:
        s3.put_bucket_notification_configuration(Bucket="notify-missing", NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": "arn:aws:sqs:us-east-1:000000000000:absent",
                                     "Events": ["s3:ObjectCreated:*"]}]})
    assert code_of(e) == "InvalidArgument"
    assert "Unable to validate the following destination configurations" in str(e.value)
    assert "NotificationConfiguration" not in s3.get_bucket_notification_configuration(Bucket="notify-missing")
    assert not s3.get_bucket_notification_configuration(Bucket="notify-missing").get("QueueConfigurations")


def test_object_events_reach_an_sqs_queue(s3, boto, awan):
    sqs = boto("sqs")
    url = sqs.create_queue(QueueName="s3-events")["QueueUrl"]
    s3.create_bucket(Bucket="evented")
    s3.put_bucket_versioning(Bucket="evented", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(Bucket="evented", NotificationConfiguration={"QueueConfigurations": [
        {"Id": "csv-created", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:s3-events",
         "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
         "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}]}}}]})

    def next_body():
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"][0]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
        return json.loads(got["Body"])

    test = next_body()
    assert test["Event"] == "s3:TestEvent" and test["Bucket"] == "evented"
    put = s3.put_object(Bucket="evented", Key="store 1/inventory.csv", Body=b"Store,Item,Count\n")
    s3.put_object(Bucket="evented", Key="ignored.txt", Body=b"x")
    rec = next_body()["Records"][0]
    assert rec["eventSource"] == "aws:s3" and rec["eventName"] == "ObjectCreated:Put"
    assert rec["awsRegion"] == "us-east-1" and rec["s3"]["configurationId"] == "csv-created"
    assert rec["s3"]["bucket"]["name"] == "evented"
    assert rec["s3"]["bucket"]["arn"] == "arn:aws:s3:::evented"
    obj = rec["s3"]["object"]
    assert obj["key"] == "store+1/inventory.csv" and obj["size"] == 17
    assert obj["eTag"] == put["ETag"].strip('"') and obj["versionId"] == put["VersionId"]
    s3.copy_object(Bucket="evented", Key="copy.csv", CopySource={"Bucket": "evented", "Key": "store 1/inventory.csv"})
    assert next_body()["Records"][0]["eventName"] == "ObjectCreated:Copy"
    s3.delete_object(Bucket="evented", Key="copy.csv")
    assert next_body()["Records"][0]["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
    up = s3.create_multipart_upload(Bucket="evented", Key="big.csv")["UploadId"]
    etag = s3.upload_part(Bucket="evented", Key="big.csv", UploadId=up, PartNumber=1, Body=b"a,b\n")["ETag"]
    s3.complete_multipart_upload(Bucket="evented", Key="big.csv", UploadId=up,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert next_body()["Records"][0]["eventName"] == "ObjectCreated:CompleteMultipartUpload"
    r = requests.post(awan.endpoint + "/evented", headers={"Host": f"localhost:{awan.port}"},
                      data={"key": "form.csv"}, files={"file": ("form.csv", b"a\n")})
    assert r.status_code == 204
    assert next_body()["Records"][0]["eventName"] == "ObjectCreated:Post"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_lifecycle_expirations_are_notified(s3, boto, awan):
    sqs = boto("sqs")
    url = sqs.create_queue(QueueName="expiry-events")["QueueUrl"]
    s3.create_bucket(Bucket="expiring")
    s3.put_bucket_lifecycle_configuration(Bucket="expiring", LifecycleConfiguration={"Rules": [
        {"ID": "old", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}}]})
    s3.put_bucket_notification_configuration(Bucket="expiring", NotificationConfiguration={"QueueConfigurations": [
        {"QueueArn": "arn:aws:sqs:us-east-1:000000000000:expiry-events", "Events": ["s3:LifecycleExpiration:*"]}]})
    sqs.purge_queue(QueueUrl=url)  # the s3:TestEvent
    s3.put_object(Bucket="expiring", Key="stale.csv", Body=b"x")
    status, _, body = awan.request("POST", "/_awan/s3/lifecycle", json.dumps({"at": time.time() + 3 * 86400}).encode())
    assert status == 200 and json.loads(body)["expired"] == 1
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    rec = json.loads(got[0]["Body"])["Records"][0]
    assert rec["eventName"] == "LifecycleExpiration:Delete"
    assert rec["s3"]["object"]["key"] == "stale.csv"
    assert rec["userIdentity"]["principalId"] == "s3.amazonaws.com"
