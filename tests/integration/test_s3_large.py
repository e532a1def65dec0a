"""S3 uploads whose bodies the HTTP layer spools to a file (above 8 MiB, or sent with chunked
transfer coding) and digests as they arrive: the ETag, the default CRC64NVME, Content-MD5,
x-amz-checksum-* headers and trailers, x-amz-content-sha256, and parts whose checksum the
upload names (hashed by S3 itself from the file)."""
import base64
import hashlib
import os
import zlib

import pytest
import requests

from conftest import make_boto3

MIB = 1024 * 1024
AUTH = {"Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
                         "SignedHeaders=host, Signature=" + "0" * 64}


def _crc64_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (0x9a6c9329ac4bc9b5 ^ (c >> 1)) if c & 1 else c >> 1
        table.append(c)
    return table


CRC64_TABLE = _crc64_table()


def crc64nvme_b64(data):
    c = 0xFFFFFFFFFFFFFFFF
    for b in data:
        c = CRC64_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return base64.b64encode((c ^ 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")).decode()


def crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def md5_b64(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def chunked(data, piece=64 * 1024):
    """A generator body: requests sends it with Transfer-Encoding: chunked (always spooled)."""
    for i in range(0, len(data), piece):
        yield data[i:i + piece]


@pytest.fixture
def s3(awan):
    return make_boto3(awan.endpoint, "s3")


def put(awan, key, body, **headers):
    h = dict(AUTH)
    h.update(headers)
    return requests.put(f"{awan.endpoint}/big-bucket/{key}", data=body, headers=h, timeout=60)


def test_large_put_etag_and_content_md5(awan, s3):
    s3.create_bucket(Bucket="big-bucket")
    data = os.urandom(9 * MIB + 5)
    r = put(awan, "ok", data, **{"Content-MD5": md5_b64(data)})
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    got = s3.get_object(Bucket="big-bucket", Key="ok")
    assert got["ETag"] == r.headers["ETag"] and got["Body"].read() == data
    r = put(awan, "bad", data, **{"Content-MD5": md5_b64(b"other")})
    assert r.status_code == 400 and "<Code>BadDigest</Code>" in r.text
    assert requests.head(f"{awan.endpoint}/big-bucket/bad", headers=AUTH, timeout=10).status_code == 404


def test_spooled_put_default_crc64nvme_and_named_checksum(awan, s3):
    s3.create_bucket(Bucket="big-bucket")
    data = os.urandom(300 * 1024)
    r = put(awan, "crc64", chunked(data))
    assert r.status_code == 200, r.text
    head = requests.head(f"{awan.endpoint}/big-bucket/crc64", headers={**AUTH, "x-amz-checksum-mode": "ENABLED"},
                         timeout=10)
    assert head.headers["x-amz-checksum-crc64nvme"] == crc64nvme_b64(data)
    assert r.headers["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    r = put(awan, "crc32", chunked(data), **{"x-amz-checksum-crc32": crc32_b64(data)})
    assert r.status_code == 200, r.text
    head = s3.head_object(Bucket="big-bucket", Key="crc32", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == crc32_b64(data)
    r = put(awan, "crc32-bad", chunked(data), **{"x-amz-checksum-crc32": crc32_b64(data + b"x")})
    assert r.status_code == 400 and "<Code>BadDigest</Code>" in r.text
    assert "The CRC32 you specified did not match the calculated checksum." in r.text


def test_spooled_put_claimed_sha256(awan, s3):
    s3.create_bucket(Bucket="big-bucket")
    data = os.urandom(200 * 1024)
    r = put(awan, "sha", chunked(data), **{"x-amz-content-sha256": hashlib.sha256(data).hexdigest()})
    assert r.status_code == 200, r.text
    r = put(awan, "sha-bad", chunked(data), **{"x-amz-content-sha256": hashlib.sha256(b"x").hexdigest()})
    assert r.status_code == 400 and "<Code>XAmzContentSHA256Mismatch</Code>" in r.text


def test_large_aws_chunked_put_with_trailer(awan, s3):
    s3.create_bucket(Bucket="big-bucket")
    data = os.urandom(9 * MIB)
    piece = 1 * MIB

    def framed(trailer_value):
        out = b"".join(b"%x\r\n" % len(data[i:i + piece]) + data[i:i + piece] + b"\r\n"
                       for i in range(0, len(data), piece))
        return out + b"0\r\nx-amz-checksum-crc32:" + trailer_value.encode() + b"\r\n\r\n"

    headers = {"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked",
               "x-amz-decoded-content-length": str(len(data)), "x-amz-trailer": "x-amz-checksum-crc32"}
    r = put(awan, "trailer", framed(crc32_b64(data)), **headers)
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    head = s3.head_object(Bucket="big-bucket", Key="trailer", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == crc32_b64(data) and head["ContentLength"] == len(data)
    assert s3.get_object(Bucket="big-bucket", Key="trailer")["Body"].read() == data
    r = put(awan, "trailer-bad", framed(crc32_b64(b"x")), **headers)
    assert r.status_code == 400 and "<Code>BadDigest</Code>" in r.text


def test_large_parts_with_the_upload_checksum(awan, s3):
    s3.create_bucket(Bucket="big-bucket")
    up = s3.create_multipart_upload(Bucket="big-bucket", Key="mp", ChecksumAlgorithm="SHA256")["UploadId"]
    parts_data = [os.urandom(9 * MIB), os.urandom(100 * 1024)]
    parts = []
    for i, data in enumerate(parts_data, 1):
        # No checksum header: the upload's SHA-256 is not among the digests computed on arrival.
        r = requests.put(f"{awan.endpoint}/big-bucket/mp?partNumber={i}&uploadId={up}", data=data, headers=AUTH,
                         timeout=60)
        assert r.status_code == 200, r.text
        assert r.headers["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
        sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
        assert r.headers["x-amz-checksum-sha256"] == sha
        parts.append({"PartNumber": i, "ETag": r.headers["ETag"], "ChecksumSHA256": sha})
    bad = put(awan, f"mp?partNumber=3&uploadId={up}", chunked(parts_data[1]),
              **{"Content-MD5": md5_b64(b"other")})
    assert bad.status_code == 400 and "<Code>BadDigest</Code>" in bad.text
    s3.complete_multipart_upload(Bucket="big-bucket", Key="mp", UploadId=up, MultipartUpload={"Parts": parts})
    assert s3.get_object(Bucket="big-bucket", Key="mp")["Body"].read() == b"".join(parts_data)
