"""S3 multipart objects kept as their parts' files (no copy at CompleteMultipartUpload): the
files of the parts become the object's, every read (whole, ranges across parts, partNumber,
copies) answers the bytes in order, deletes, overwrites, versions and lifecycle expiry remove
exactly their files, and with --data-dir an acknowledged Complete survives kill -9 without
orphans."""
import base64
import hashlib
import os
import subprocess
import zlib

import pytest

from conftest import AWS_CLI, CLIENT_ENV, Daemon, make_boto3

MIB = 1024 * 1024
SIZES = [5 * MIB, 5 * MIB + 3, 1234]  # parts 1 and 2 at least 5 MiB, a short last part


def body_files(data_dir):
    root = os.path.join(data_dir, "s3", "objects")
    out = set()
    for d, _, files in os.walk(root):
        out |= {os.path.join(d, f) for f in files}
    return out


@pytest.fixture
def durable(tmp_path):
    data = str(tmp_path / "data")
    d = Daemon("--data-dir", data)
    d.data = data
    yield d
    d.stop()


def upload(s3, bucket, key, sizes=SIZES, extra_parts=(), **create):
    """A completed multipart upload of random parts; returns (bytes, upload id, parts listed)."""
    up = s3.create_multipart_upload(Bucket=bucket, Key=key, **create)["UploadId"]
    chunks, listed = [], []
    for n, size in enumerate(sizes, 1):
        chunk = os.urandom(size)
        kw = {"ChecksumAlgorithm": create["ChecksumAlgorithm"]} if "ChecksumAlgorithm" in create else {}
        r = s3.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=n, Body=chunk, **kw)
        part = {"PartNumber": n, "ETag": r["ETag"]}
        for m in ("ChecksumSHA256", "ChecksumCRC32"):
            if m in r:
                part[m] = r[m]
        chunks.append(chunk)
        listed.append(part)
    for n in extra_parts:  # uploaded, never listed
        s3.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=n, Body=os.urandom(6 * MIB))
    return b"".join(chunks), up, listed


def complete(s3, bucket, key, up, listed, **kw):
    return s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up, MultipartUpload={"Parts": listed}, **kw)


def test_complete_keeps_the_part_files(durable):
    s3 = make_boto3(durable.endpoint, "s3")
    s3.create_bucket(Bucket="mpf")
    data, up, listed = upload(s3, "mpf", "obj", extra_parts=(7,))
    parts_files = body_files(durable.data)
    assert len(parts_files) == 4
    complete(s3, "mpf", "obj", up, listed)
    # The object is the listed parts' files (nothing copied); the unlisted part's file is gone.
    after = body_files(durable.data)
    assert len(after) == 3 and after < parts_files
    got = s3.get_object(Bucket="mpf", Key="obj")["Body"].read()
    assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
    head = s3.head_object(Bucket="mpf", Key="obj")
    assert head["ContentLength"] == len(data) and head["ETag"].endswith('-3"')


def test_ranges_across_parts(awan):
    s3 = make_boto3(awan.endpoint, "s3")
    s3.create_bucket(Bucket="mpr")
    data, up, listed = upload(s3, "mpr", "obj")
    complete(s3, "mpr", "obj", up, listed)
    b1, b2 = SIZES[0], SIZES[0] + SIZES[1]
    for first, last in [(b1 - 10, b1 + 9), (b1 - 1, b2), (0, len(data) - 1), (b2, b2), (3, b2 + 100),
                        (b1, b1 + 4)]:
        r = s3.get_object(Bucket="mpr", Key="obj", Range=f"bytes={first}-{last}")
        assert r["ContentRange"] == f"bytes {first}-{last}/{len(data)}"
        assert r["Body"].read() == data[first:last + 1], (first, last)
    assert s3.get_object(Bucket="mpr", Key="obj", Range="bytes=-2000")["Body"].read() == data[-2000:]
    assert s3.get_object(Bucket="mpr", Key="obj", Range=f"bytes={b1 - 5}-")["Body"].read() == data[b1 - 5:]
    for n, (lo, hi) in enumerate([(0, b1), (b1, b2), (b2, len(data))], 1):
        r = s3.get_object(Bucket="mpr", Key="obj", PartNumber=n)
        assert r["PartsCount"] == 3 and r["ContentLength"] == hi - lo
        assert r["Body"].read() == data[lo:hi]
        assert s3.head_object(Bucket="mpr", Key="obj", PartNumber=n)["ContentLength"] == hi - lo


def test_copies_of_a_multipart_object(durable):
    s3 = make_boto3(durable.endpoint, "s3")
    s3.create_bucket(Bucket="mpc")
    data, up, listed = upload(s3, "mpc", "src")
    complete(s3, "mpc", "src", up, listed)
    s3.copy_object(Bucket="mpc", Key="copy", CopySource={"Bucket": "mpc", "Key": "src"})
    dst = s3.create_multipart_upload(Bucket="mpc", Key="pc")["UploadId"]
    first, last = SIZES[0] - 100, SIZES[0] + 5 * MIB  # across the boundary of parts 1 and 2
    r = s3.upload_part_copy(Bucket="mpc", Key="pc", UploadId=dst, PartNumber=1, CopySource={"Bucket": "mpc", "Key": "src"},
                            CopySourceRange=f"bytes={first}-{last}")
    complete(s3, "mpc", "pc", dst, [{"PartNumber": 1, "ETag": r["CopyPartResult"]["ETag"]}])
    # The copies have files of their own: deleting the source leaves them whole.
    s3.delete_object(Bucket="mpc", Key="src")
    assert len(body_files(durable.data)) == 2
    assert s3.get_object(Bucket="mpc", Key="copy")["Body"].read() == data
    assert s3.get_object(Bucket="mpc", Key="pc")["Body"].read() == data[first:last + 1]


def test_versions_deletes_and_overwrites_remove_their_files(durable):
    s3 = make_boto3(durable.endpoint, "s3")
    s3.create_bucket(Bucket="mpv")
    s3.put_bucket_versioning(Bucket="mpv", VersioningConfiguration={"Status": "Enabled"})
    d1, up, listed = upload(s3, "mpv", "k")
    v1 = complete(s3, "mpv", "k", up, listed)["VersionId"]
    files1 = body_files(durable.data)
    d2, up, listed = upload(s3, "mpv", "k", sizes=[5 * MIB, 10])
    v2 = complete(s3, "mpv", "k", up, listed)["VersionId"]
    files2 = body_files(durable.data) - files1
    assert len(files1) == 3 and len(files2) == 2
    assert s3.get_object(Bucket="mpv", Key="k", VersionId=v1)["Body"].read() == d1
    s3.delete_object(Bucket="mpv", Key="k", VersionId=v1)
    assert body_files(durable.data) == files2
    assert s3.get_object(Bucket="mpv", Key="k")["Body"].read() == d2
    s3.delete_object(Bucket="mpv", Key="k", VersionId=v2)
    assert body_files(durable.data) == set()
    # Unversioned: an overwrite removes the multipart object's files.
    s3.create_bucket(Bucket="mpo")
    _, up, listed = upload(s3, "mpo", "k", sizes=[5 * MIB, 10])
    complete(s3, "mpo", "k", up, listed)
    s3.put_object(Bucket="mpo", Key="k", Body=b"small")
    assert len(body_files(durable.data)) == 1


def test_lifecycle_expiry_removes_the_files(durable):
    s3 = make_boto3(durable.endpoint, "s3")
    s3.create_bucket(Bucket="mpl")
    _, up, listed = upload(s3, "mpl", "old/k", sizes=[5 * MIB, 10])
    complete(s3, "mpl", "old/k", up, listed)
    s3.put_bucket_lifecycle_configuration(Bucket="mpl", LifecycleConfiguration={"Rules": [
        {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "old/"}, "Expiration": {"Days": 1}}]})
    import json
    import time
    status, _, _ = durable.request("POST", "/_awan/s3/lifecycle", json.dumps({"at": time.time() + 3 * 86400}).encode())
    assert status == 200
    assert "Contents" not in s3.list_objects_v2(Bucket="mpl")
    assert body_files(durable.data) == set()


def crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def checksum_headers(awan, path):
    import requests
    r = requests.head(awan.endpoint + path, headers={"Host": f"localhost:{awan.port}", "x-amz-checksum-mode": "ENABLED"})
    return {k.lower(): v for k, v in r.headers.items() if k.lower().startswith("x-amz-checksum")}


def test_checksums_of_multipart_objects(awan):
    from test_s3_large import crc64nvme_b64
    s3 = make_boto3(awan.endpoint, "s3")
    s3.create_bucket(Bucket="mpk")
    # Debian's boto3 predates x-amz-checksum-type: added on the wire.
    s3.meta.events.register("before-sign.s3.CreateMultipartUpload",
                            lambda request, **kw: request.headers.__setitem__("x-amz-checksum-type", "FULL_OBJECT")
                            if request.url.split("?")[0].endswith("/full") else None)
    data, up, listed = upload(s3, "mpk", "full", ChecksumAlgorithm="CRC32")
    complete(s3, "mpk", "full", up, listed)
    assert checksum_headers(awan, "/mpk/full") == {"x-amz-checksum-crc32": crc32_b64(data),
                                                   "x-amz-checksum-type": "FULL_OBJECT"}
    data, up, listed = upload(s3, "mpk", "comp", ChecksumAlgorithm="SHA256")
    complete(s3, "mpk", "comp", up, listed)
    composite = hashlib.sha256(b"".join(hashlib.sha256(data[a:b]).digest() for a, b in (
        (0, SIZES[0]), (SIZES[0], SIZES[0] + SIZES[1]), (SIZES[0] + SIZES[1], len(data))))).digest()
    assert checksum_headers(awan, "/mpk/comp") == {"x-amz-checksum-sha256": base64.b64encode(composite).decode() + "-3",
                                                   "x-amz-checksum-type": "COMPOSITE"}
    assert s3.get_object(Bucket="mpk", Key="comp")["Body"].read() == data
    # An upload that named no checksum, whose parts were sent with SHA-256: the object's
    # CRC64NVME is computed by reading the parts' files in order.
    up = s3.create_multipart_upload(Bucket="mpk", Key="scan")["UploadId"]
    chunks = [os.urandom(5 * MIB), os.urandom(77)]
    listed = [{"PartNumber": n, "ETag": s3.upload_part(Bucket="mpk", Key="scan", UploadId=up, PartNumber=n, Body=c,
                                                       ChecksumAlgorithm="SHA256")["ETag"]}
              for n, c in enumerate(chunks, 1)]
    out = complete(s3, "mpk", "scan", up, listed)
    assert out["ETag"].endswith('-2"')
    assert checksum_headers(awan, "/mpk/scan")["x-amz-checksum-crc64nvme"] == crc64nvme_b64(b"".join(chunks))
    assert s3.get_object(Bucket="mpk", Key="scan")["Body"].read() == b"".join(chunks)


def test_acknowledged_complete_survives_kill_9(tmp_path):
    data_dir = str(tmp_path / "data")
    d = Daemon("--data-dir", data_dir)
    try:
        s3 = make_boto3(d.endpoint, "s3")
        s3.create_bucket(Bucket="mpk9")
        data, up, listed = upload(s3, "mpk9", "obj", extra_parts=(9,))
        complete(s3, "mpk9", "obj", up, listed)
        # A second upload left incomplete: its parts stay, listed by ListParts after the restart.
        up2 = s3.create_multipart_upload(Bucket="mpk9", Key="pending")["UploadId"]
        s3.upload_part(Bucket="mpk9", Key="pending", UploadId=up2, PartNumber=1, Body=b"p" * 100)
    finally:
        d.kill9()
    d = Daemon("--data-dir", data_dir)
    try:
        s3 = make_boto3(d.endpoint, "s3")
        got = s3.get_object(Bucket="mpk9", Key="obj")["Body"].read()
        assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
        b1 = SIZES[0]
        assert s3.get_object(Bucket="mpk9", Key="obj", Range=f"bytes={b1 - 3}-{b1 + 2}")["Body"].read() == data[b1 - 3:b1 + 3]
        assert [p["Size"] for p in s3.list_parts(Bucket="mpk9", Key="pending", UploadId=up2)["Parts"]] == [100]
        # The object's three files and the pending part's: no orphans, nothing missing.
        assert len(body_files(data_dir)) == 4
    finally:
        d.stop()


def cli(endpoint, *args):
    env = dict(os.environ)
    env.update(CLIENT_ENV)
    p = subprocess.run([AWS_CLI, "--endpoint-url", endpoint, *args], capture_output=True, text=True, env=env,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_aws_cli_cp_both_ways_keeps_parts(durable, tmp_path):
    big = tmp_path / "big.bin"
    data = os.urandom(100 * MIB + 12345)
    big.write_bytes(data)
    cli(durable.endpoint, "s3", "mb", "s3://cli-parts")
    cli(durable.endpoint, "s3", "cp", str(big), "s3://cli-parts/big.bin")
    # aws-cli sends 8 MiB parts: 13 of them, kept as 13 files.
    assert len(body_files(durable.data)) == 13
    out = tmp_path / "back.bin"
    cli(durable.endpoint, "s3", "cp", "s3://cli-parts/big.bin", str(out))
    assert hashlib.sha256(out.read_bytes()).digest() == hashlib.sha256(data).digest()


def test_delete_during_a_get_of_many_parts(awan):
    """More parts than an answer opens at once (64): the later files are pinned, so a delete while
    the answer is being sent does not cut it short."""
    import requests
    s3 = make_boto3(awan.endpoint, "s3")
    s3.create_bucket(Bucket="mpd")
    up = s3.create_multipart_upload(Bucket="mpd", Key="many")["UploadId"]
    base = os.urandom(5 * MIB)
    chunks, listed = [], []
    for n in range(1, 71):
        chunk = n.to_bytes(4, "big") + base[4:]
        chunks.append(chunk)
        listed.append({"PartNumber": n, "ETag": s3.upload_part(Bucket="mpd", Key="many", UploadId=up, PartNumber=n,
                                                               Body=chunk)["ETag"]})
    complete(s3, "mpd", "many", up, listed)
    data = b"".join(chunks)
    r = requests.get(f"{awan.endpoint}/mpd/many", headers={"Host": f"localhost:{awan.port}"}, stream=True, timeout=60)
    got = [r.raw.read(MIB)]
    s3.delete_object(Bucket="mpd", Key="many")
    with pytest.raises(Exception):
        s3.head_object(Bucket="mpd", Key="many")
    while True:
        more = r.raw.read(8 * MIB)
        if not more:
            break
        got.append(more)
    body = b"".join(got)
    assert len(body) == len(data) and hashlib.sha256(body).digest() == hashlib.sha256(data).digest()
