"""DynamoDB stream mappings when the function fails: BisectBatchOnFunctionError splits a failing
batch until the poison record is alone, which goes to the on-failure destination while every
other record is processed."""
import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ROLE, TRUST, zip_of


POISONED = """
import boto3, json
def handler(event, context):
    items = [r["dynamodb"]["NewImage"]["Item"]["S"] for r in event["Records"]]
    if "poison" in items:
        raise ValueError("cannot digest " + ",".join(items))
    q = boto3.client("sqs")
    q.send_message(QueueUrl=q.get_queue_url(QueueName="seen")["QueueUrl"], MessageBody=json.dumps(items))
"""


def drain(sqs, name, until, timeout=20):
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    got, deadline = [], time.time() + timeout
    while not until(got) and time.time() < deadline:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            got.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return got


def test_bisect_isolates_the_poison_record(boto):
    try:
        boto("iam").create_role(RoleName="lambda-role", AssumeRolePolicyDocument=TRUST)
    except ClientError:
        pass
    sqs = boto("sqs")
    sqs.create_queue(QueueName="seen")
    failed_url = sqs.create_queue(QueueName="failed")["QueueUrl"]
    failed_arn = sqs.get_queue_attributes(QueueUrl=failed_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam = boto("lambda")
    lam.create_function(FunctionName="consumer", Runtime="python3.11", Handler="app.handler", Role=ROLE,
                        Code={"ZipFile": zip_of({"app.py": POISONED})}, Timeout=30)
    ddb = boto("dynamodb")
    t = ddb.create_table(TableName="Inventory", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "Store", "KeyType": "HASH"},
                                    {"AttributeName": "Item", "KeyType": "RANGE"}],
                         AttributeDefinitions=[{"AttributeName": "Store", "AttributeType": "S"},
                                               {"AttributeName": "Item", "AttributeType": "S"}],
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    stream = t["TableDescription"]["LatestStreamArn"]
    m = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="consumer", StartingPosition="TRIM_HORIZON",
                                        BatchSize=10, BisectBatchOnFunctionError=True, MaximumRetryAttempts=0,
                                        MaximumRecordAgeInSeconds=3600,
                                        DestinationConfig={"OnFailure": {"Destination": failed_arn}},
                                        Enabled=False)
    assert m["BisectBatchOnFunctionError"] is True and m["MaximumRecordAgeInSeconds"] == 3600
    items = ["a", "b", "c", "poison", "d", "e"]
    for item in items:
        ddb.put_item(TableName="Inventory", Item={"Store": {"S": "Berlin"}, "Item": {"S": item}})
    lam.update_event_source_mapping(UUID=m["UUID"], Enabled=True)  # the whole batch at once
    batches = drain(sqs, "seen", lambda got: sum(len(b) for b in got) >= 5)
    assert sorted(i for b in batches for i in b) == ["a", "b", "c", "d", "e"]
    assert all(len(b) < 6 for b in batches)
    [failure] = drain(sqs, "failed", lambda got: len(got) >= 1)
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    info = failure["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1 and info["startSequenceNumber"] == info["endSequenceNumber"]
    assert info["streamArn"] == stream
