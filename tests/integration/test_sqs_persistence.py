"""SQS with --data-dir: queues and acknowledged messages survive kill -9; a message in flight at
the crash becomes visible again after its visibility timeout (at-least-once, never lost)."""
import time

from conftest import Daemon, make_boto3


def test_messages_survive_kill_9_and_in_flight_ones_return(tmp_path):
    data = str(tmp_path / "data")
    d = Daemon("--data-dir", data)
    try:
        sqs = make_boto3(d.endpoint, "sqs")
        url = sqs.create_queue(QueueName="durable", Attributes={"VisibilityTimeout": "2"})["QueueUrl"]
        for i in range(5):
            sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
        taken = sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"]
    finally:
        d.kill9()
    d = Daemon("--data-dir", data)
    try:
        sqs = make_boto3(d.endpoint, "sqs")
        url = sqs.get_queue_url(QueueName="durable")["QueueUrl"]
        assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"] == {
            "VisibilityTimeout": "2"}
        bodies = set()
        deadline = time.monotonic() + 6
        while len(bodies) < 5 and time.monotonic() < deadline:
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
                bodies.add(m["Body"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        assert bodies == {f"m{i}" for i in range(5)}, bodies
        assert taken in bodies
    finally:
        d.stop()


def test_a_waiting_long_poll_answers_empty_at_shutdown():
    import threading
    d = Daemon()
    sqs = make_boto3(d.endpoint, "sqs")
    url = sqs.create_queue(QueueName="stopping")["QueueUrl"]
    got = {}
    t = threading.Thread(target=lambda: got.update(r=sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)))
    t.start()
    time.sleep(0.3)
    t0 = time.monotonic()
    assert d.stop() == 0
    t.join(5)
    assert time.monotonic() - t0 < 2
    assert "r" in got and "Messages" not in got["r"]
