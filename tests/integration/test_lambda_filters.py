"""Lambda event source mapping FilterCriteria against a running daemon: only matching SQS
messages reach the function (the others are deleted from the queue), only matching DynamoDB
stream records do (the checkpoint passes the others), and malformed patterns are refused as
AWS refuses them."""
import json
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import ROLE, TRUST, zip_of


RECORDER = """
import boto3, json
def handler(event, context):
    q = boto3.client("sqs")
    url = q.get_queue_url(QueueName="seen")["QueueUrl"]
    q.send_message(QueueUrl=url, MessageBody=json.dumps(event))
    return {"batchItemFailures": []}
"""


@pytest.fixture
def lam(boto):
    try:
        boto("iam").create_role(RoleName="lambda-role", AssumeRolePolicyDocument=TRUST)
    except ClientError:
        pass
    boto("sqs").create_queue(QueueName="seen")
    l = boto("lambda")
    l.create_function(FunctionName="recorder", Runtime="python3.11", Handler="app.handler", Role=ROLE,
                      Code={"ZipFile": zip_of({"app.py": RECORDER})}, Timeout=30)
    return l


def seen_records(boto, want, timeout=15):
    """The records the recorder got, until `want` arrived (then a short wait for extras)."""
    sqs = boto("sqs")
    url = sqs.get_queue_url(QueueName="seen")["QueueUrl"]
    records, deadline = [], time.time() + timeout
    while time.time() < deadline:
        wait = 1 if len(records) < want else 0
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get("Messages", [])
        for m in got:
            records += json.loads(m["Body"])["Records"]
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if len(records) >= want and not got:
            break
    return records


def wait_for(fn, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if fn():
            return True
        time.sleep(0.1)
    return fn()


def filters(*patterns):
    return {"Filters": [{"Pattern": json.dumps(p)} for p in patterns]}


def test_sqs_mapping_sends_only_matching_messages_and_deletes_the_rest(lam, boto):
    sqs = boto("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    m = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="recorder", BatchSize=10,
        FilterCriteria=filters({"body": {"kind": ["order"], "amount": [{"numeric": [">", 100]}]}},
                               {"body": [{"prefix": "URGENT"}]}))
    assert json.loads(m["FilterCriteria"]["Filters"][0]["Pattern"])["body"]["kind"] == ["order"]
    bodies = [json.dumps({"kind": "order", "amount": 250}),   # filter 1
              json.dumps({"kind": "order", "amount": 50}),    # too small
              json.dumps({"kind": "refund", "amount": 500}),  # other kind
              "URGENT: call back",                            # filter 2 (plain body)
              "routine note"]                                 # neither
    for b in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=b)
    records = seen_records(boto, 2)
    assert sorted(r["body"] for r in records) == sorted([bodies[0], bodies[3]])
    assert all(r["eventSource"] == "aws:sqs" for r in records)
    # the filtered messages are gone from the queue, not waiting for their visibility timeout
    assert wait_for(lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
                    ["ApproximateNumberOfMessagesNotVisible"] == "0")
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0"


def test_dynamodb_stream_mapping_sends_only_matching_records(lam, boto):
    ddb = boto("dynamodb")
    t = ddb.create_table(TableName="Inventory", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "Store", "KeyType": "HASH"},
                                    {"AttributeName": "Item", "KeyType": "RANGE"}],
                         AttributeDefinitions=[{"AttributeName": "Store", "AttributeType": "S"},
                                               {"AttributeName": "Item", "AttributeType": "S"}],
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    stream = t["TableDescription"]["LatestStreamArn"]
    lam.create_event_source_mapping(
        EventSourceArn=stream, FunctionName="recorder", StartingPosition="LATEST", BatchSize=10,
        FilterCriteria=filters({"eventName": ["INSERT", "MODIFY"], "dynamodb": {"NewImage": {"Count": {"N": ["0"]}}}}))
    for i, count in enumerate([3, 0, 7, 0]):
        ddb.put_item(TableName="Inventory",
                     Item={"Store": {"S": "Berlin"}, "Item": {"S": f"i{i}"}, "Count": {"N": str(count)}})
    ddb.delete_item(TableName="Inventory", Key={"Store": {"S": "Berlin"}, "Item": {"S": "i1"}})  # REMOVE: no NewImage
    ddb.update_item(TableName="Inventory", Key={"Store": {"S": "Berlin"}, "Item": {"S": "i0"}},
                    UpdateExpression="SET #c = :z", ExpressionAttributeNames={"#c": "Count"},
                    ExpressionAttributeValues={":z": {"N": "0"}})  # MODIFY to 0: matches
    records = seen_records(boto, 3)
    got = [(r["eventName"], r["dynamodb"]["NewImage"]["Item"]["S"]) for r in records]
    assert got == [("INSERT", "i1"), ("INSERT", "i3"), ("MODIFY", "i0")]
    assert all(r["eventSourceARN"] == stream for r in records)


def test_malformed_filter_patterns_are_refused(lam, boto):
    sqs = boto("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for pattern in ['{"body": "order"}', "not json", '{"body": {"kind": [{"unknown": 1}]}}',
                    '{"body": {"n": [{"numeric": [">", 5, "<", 1]}]}}', '{"body": {"kind": []}}']:
        with pytest.raises(ClientError) as e:
            lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="recorder",
                                            FilterCriteria={"Filters": [{"Pattern": pattern}]})
        err = e.value.response["Error"]
        assert (err["Code"], err["Message"]) == ("InvalidParameterValueException", "Invalid filter pattern definition.")
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    loose = boto3.client("lambda", endpoint_url=lam.meta.endpoint_url, region_name="us-east-1",
                         aws_access_key_id="test", aws_secret_access_key="test",
                         config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as e:
        loose.create_event_source_mapping(EventSourceArn=arn, FunctionName="recorder",
                                          FilterCriteria={"Filters": [{"Pattern": '{"a": [1]}'}] * 6})
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"
    m = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="recorder",
                                        FilterCriteria=filters({"body": {"kind": ["order"]}}))
    with pytest.raises(ClientError) as e:
        lam.update_event_source_mapping(UUID=m["UUID"], FilterCriteria={"Filters": [{"Pattern": "{"}]})
    assert e.value.response["Error"]["Message"] == "Invalid filter pattern definition."
