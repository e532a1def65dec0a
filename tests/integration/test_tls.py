"""HTTPS (--tls-port): the local CA served at /_awan/tls/ca.pem, boto3 and aws-cli over https
trusting that CA against S3, SQS and DynamoDB, garbage on the TLS port, the CA kept across
restarts with --data-dir, and the operator's certificate (--tls-cert/--tls-key)."""
import datetime
import socket
import ssl
import subprocess
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import SSLError

from conftest import AWAN_BIN, Daemon, run_aws_cli, AwsCliError


@pytest.fixture(scope="module")
def tls():
    d = Daemon("--tls-port", "0")
    yield d
    d.stop()


@pytest.fixture(scope="module")
def ca(tls, tmp_path_factory):
    status, headers, body = tls.request("GET", "/_awan/tls/ca.pem")
    assert status == 200, body
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    path.write_bytes(body)
    return str(path)


def client(daemon, service, ca_path):
    return boto3.client(service, endpoint_url=daemon.tls_endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", verify=ca_path, config=Config(retries={"max_attempts": 1}))


def handshake(port, ca_path, server_hostname):
    ctx = ssl.create_default_context(cafile=ca_path)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        with ctx.wrap_socket(s, server_hostname=server_hostname) as t:
            return t.version()


def test_ca_endpoint_serves_the_issuer_of_the_https_certificate(tls, ca):
    assert tls.tls_endpoint.startswith("https://127.0.0.1:") and tls.tls_port != tls.port
    status, headers, body = tls.request("GET", "/_awan/tls/ca.pem")
    assert headers["Content-Type"] == "application/x-pem-file"
    assert body.startswith(b"-----BEGIN CERTIFICATE-----")
    for name in ["localhost", "127.0.0.1", "sqs.us-east-1.localhost", "bucket.s3.localhost"]:
        assert handshake(tls.tls_port, ca, name) in ("TLSv1.2", "TLSv1.3"), name
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(tls.tls_port, ca, "example.com")
    with pytest.raises(ssl.SSLCertVerificationError):  # not a public CA
        with socket.create_connection(("127.0.0.1", tls.tls_port), timeout=5) as s:
            ssl.create_default_context().wrap_socket(s, server_hostname="localhost")
    # The CA is served over HTTPS too.
    ctx = ssl.create_default_context(cafile=ca)
    with urllib.request.urlopen(tls.tls_endpoint + "/_awan/tls/ca.pem", context=ctx, timeout=5) as r:
        assert r.read() == open(ca, "rb").read()


def test_boto3_over_https_s3_sqs_dynamodb(tls, ca):
    s3 = client(tls, "s3", ca)
    s3.create_bucket(Bucket="tls-bucket")
    s3.put_object(Bucket="tls-bucket", Key="k", Body=b"over tls")
    assert s3.get_object(Bucket="tls-bucket", Key="k")["Body"].read() == b"over tls"

    sqs = client(tls, "sqs", ca)
    url = sqs.create_queue(QueueName="tls-queue")["QueueUrl"]
    assert url == f"{tls.tls_endpoint}/000000000000/tls-queue"  # an https queue URL on the https port
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"][0]["Body"] == "hello"

    ddb = client(tls, "dynamodb", ca)
    ddb.create_table(TableName="tls-table", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="tls-table", Item={"k": {"S": "a"}, "v": {"N": "1"}})
    assert ddb.get_item(TableName="tls-table", Key={"k": {"S": "a"}})["Item"]["v"] == {"N": "1"}

    # Without the CA the certificate is refused.
    with pytest.raises(SSLError):
        client(tls, "s3", True).list_buckets()


def test_aws_cli_over_https_with_ca_bundle(tls, ca):
    env = {"AWS_CA_BUNDLE": ca}
    assert "tls-cli" in run_aws_cli(tls.tls_endpoint, "sqs", "create-queue", "--queue-name", "tls-cli",
                                    env=env)["QueueUrl"]
    assert run_aws_cli(tls.tls_endpoint, "dynamodb", "list-tables", env=env)["TableNames"] is not None
    run_aws_cli(tls.tls_endpoint, "s3api", "create-bucket", "--bucket", "tls-cli-bucket", env=env)
    names = [b["Name"] for b in run_aws_cli(tls.tls_endpoint, "s3api", "list-buckets", env=env)["Buckets"]]
    assert "tls-cli-bucket" in names
    with pytest.raises(AwsCliError) as e:
        run_aws_cli(tls.tls_endpoint, "s3api", "list-buckets")
    assert "SSL" in e.value.stderr or "certificate" in e.value.stderr


def test_garbage_on_the_tls_port_then_a_valid_request(tls, ca):
    payloads = [
        bytes((i * 7919 + 13) & 0xFF for i in range(20000)),
        b"\x16\x03\x01\xff\xff\x01\xff\xff\xff" + b"\x00" * 3000,  # a handshake record longer than allowed
        b"\x16\x03\x03\x00\x05\x01\x00\x00\x01\x00",  # a ClientHello of one byte
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",  # plain HTTP on the TLS port
        b"\x15\x03\x03\x00\x02\x02\x28",  # an alert first
    ]
    for p in payloads:
        with socket.create_connection(("127.0.0.1", tls.tls_port), timeout=5) as s:
            try:
                s.sendall(p)
                s.shutdown(socket.SHUT_WR)
                while s.recv(4096):
                    pass
            except OSError:
                # A reset, a broken pipe, a shutdown after the daemon already closed (ENOTCONN,
                # seen once), or (seen once in five runs, cause not found) no close within 5 s:
                # the handshake deadline ends such a connection; what matters is the daemon lives on.
                pass
    assert tls.proc.poll() is None
    s3 = client(tls, "s3", ca)
    assert "Buckets" in s3.list_buckets()
    status, _, _ = tls.request("GET", "/_awan/health")
    assert status == 200


def test_without_tls_there_is_no_ca(awan):
    status, _, body = awan.request("GET", "/_awan/tls/ca.pem")
    assert status == 404 and b"HTTPS is off" in body


def test_ca_is_kept_across_restarts_with_data_dir(tmp_path):
    d = Daemon("--tls-port", "0", "--data-dir", str(tmp_path))
    try:
        first = d.request("GET", "/_awan/tls/ca.pem")[2]
    finally:
        d.stop()
    assert (tmp_path / "tls" / "ca.pem").read_bytes() == first
    assert oct((tmp_path / "tls" / "ca-key.pem").stat().st_mode & 0o777) == "0o600"
    d = Daemon("--tls-port", "0", "--data-dir", str(tmp_path))
    try:
        assert d.request("GET", "/_awan/tls/ca.pem")[2] == first
        assert handshake(d.tls_port, str(tmp_path / "tls" / "ca.pem"), "localhost")
    finally:
        d.stop()


def self_signed(tmp_path, name="localhost"):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_operator_certificate_and_key(tmp_path):
    cert, key = self_signed(tmp_path)
    d = Daemon("--tls-port", "0", "--tls-cert", cert, "--tls-key", key)
    try:
        assert handshake(d.tls_port, cert, "localhost")
        status, _, body = d.request("GET", "/_awan/tls/ca.pem")
        assert status == 404 and b"--tls-cert" in body
    finally:
        d.stop()
    # A key that is not the certificate's: the daemon refuses to start, and says why.
    _, other_key = self_signed(tmp_path, "other")
    p = subprocess.run([AWAN_BIN, "serve", "--port", "0", "--tls-port", "0", "--tls-cert", cert, "--tls-key", other_key],
                       capture_output=True, text=True, timeout=20)
    assert p.returncode != 0 and "does not match" in p.stderr, p.stderr
    p = subprocess.run([AWAN_BIN, "serve", "--port", "0", "--tls-cert", cert], capture_output=True, text=True,
                       timeout=20)
    assert p.returncode == 2 and "--tls-key" in p.stderr
