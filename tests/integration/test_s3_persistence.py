"""S3 with --data-dir: acknowledged PUTs (small, spooled, multipart) survive kill -9, bodies
live in files named by ids (never by keys), and files left by a crash are swept at start."""
import hashlib
import os

from conftest import Daemon, make_boto3

MIB = 1024 * 1024


def body_files(data_dir):
    root = os.path.join(data_dir, "s3", "objects")
    out = []
    for d, _, files in os.walk(root):
        out += [os.path.join(d, f) for f in files]
    return out


def test_objects_survive_kill_9(tmp_path):
    data = str(tmp_path / "data")
    d = Daemon("--data-dir", data)
    try:
        s3 = make_boto3(d.endpoint, "s3")
        s3.create_bucket(Bucket="durable-bucket")
        small = b"small body"
        large = os.urandom(12 * MIB)  # above the spool threshold: renamed into place
        s3.put_object(Bucket="durable-bucket", Key="../../escape", Body=small)
        s3.put_object(Bucket="durable-bucket", Key="large.bin", Body=large)
        up = s3.create_multipart_upload(Bucket="durable-bucket", Key="mpu")["UploadId"]
        e1 = s3.upload_part(Bucket="durable-bucket", Key="mpu", UploadId=up, PartNumber=1, Body=large[:5 * MIB])["ETag"]
        e2 = s3.upload_part(Bucket="durable-bucket", Key="mpu", UploadId=up, PartNumber=2, Body=b"end")["ETag"]
        s3.complete_multipart_upload(Bucket="durable-bucket", Key="mpu", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    finally:
        d.kill9()
    # Nothing outside the data directory, nothing named after a key.
    assert not os.path.exists(str(tmp_path / "escape"))
    assert all("escape" not in f for f in body_files(data))
    d = Daemon("--data-dir", data)
    try:
        s3 = make_boto3(d.endpoint, "s3")
        assert s3.get_object(Bucket="durable-bucket", Key="../../escape")["Body"].read() == small
        got = s3.get_object(Bucket="durable-bucket", Key="large.bin")["Body"].read()
        assert hashlib.sha256(got).digest() == hashlib.sha256(large).digest()
        assert s3.get_object(Bucket="durable-bucket", Key="mpu")["Body"].read() == large[:5 * MIB] + b"end"
        # Three objects, four files: the multipart object is its two parts' files.
        assert len(body_files(data)) == 4
    finally:
        d.stop()


def test_orphaned_body_files_are_swept(tmp_path):
    data = str(tmp_path / "data")
    d = Daemon("--data-dir", data)
    try:
        s3 = make_boto3(d.endpoint, "s3")
        s3.create_bucket(Bucket="sweep-bucket")
        s3.put_object(Bucket="sweep-bucket", Key="kept", Body=b"kept")
    finally:
        d.stop()
    orphan = os.path.join(data, "s3", "objects", "ff", "0" * 30)
    os.makedirs(os.path.dirname(orphan), exist_ok=True)
    with open(orphan, "wb") as f:
        f.write(b"written before a crash, never committed")
    d = Daemon("--data-dir", data)
    try:
        assert not os.path.exists(orphan)
        s3 = make_boto3(d.endpoint, "s3")
        assert s3.get_object(Bucket="sweep-bucket", Key="kept")["Body"].read() == b"kept"
    finally:
        d.stop()


def test_overwrite_and_delete_remove_files(tmp_path):
    data = str(tmp_path / "data")
    d = Daemon("--data-dir", data)
    try:
        s3 = make_boto3(d.endpoint, "s3")
        s3.create_bucket(Bucket="gc-bucket")
        for i in range(3):
            s3.put_object(Bucket="gc-bucket", Key="k", Body=str(i).encode())
        assert len(body_files(data)) == 1
        s3.delete_object(Bucket="gc-bucket", Key="k")
        assert body_files(data) == []
    finally:
        d.stop()
