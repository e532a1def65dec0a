"""DynamoDB behaviours where an emulator commonly differs from AWS (issue 17), one test per
behaviour, with boto3 (client-side validation off, so that the service's own answer is seen)."""
import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import make_boto3


@pytest.fixture
def raw_ddb(awan):
    """A client that sends what it is given (no parameter validation)."""
    import boto3
    return boto3.client("dynamodb", endpoint_url=awan.endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=botocore.config.Config(parameter_validation=False))


def table(c, name="fid", stream=False):
    kw = {}
    if stream:
        kw["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    c.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   BillingMode="PAY_PER_REQUEST", **kw)
    return name


def records(awan, c, name):
    s = make_boto3(awan.endpoint, "dynamodbstreams")
    arn = c.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = s.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return [r["eventName"] for r in s.get_records(ShardIterator=it)["Records"]]


def error_of(fn):
    with pytest.raises(ClientError) as e:
        fn()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def test_update_with_only_removals_does_not_create_the_item(awan, raw_ddb):
    t = table(raw_ddb, stream=True)
    out = raw_ddb.update_item(TableName=t, Key={"pk": {"S": "a"}}, UpdateExpression="REMOVE x, y.z",
                              ReturnValues="ALL_NEW")
    assert "Attributes" not in out
    raw_ddb.update_item(TableName=t, Key={"pk": {"S": "b"}}, UpdateExpression="DELETE s :v",
                        ExpressionAttributeValues={":v": {"SS": ["x"]}})
    raw_ddb.update_item(TableName=t, Key={"pk": {"S": "c"}}, AttributeUpdates={"x": {"Action": "DELETE"}})
    for k in "abc":
        assert "Item" not in raw_ddb.get_item(TableName=t, Key={"pk": {"S": k}})
    assert records(awan, raw_ddb, t) == []
    # Any SET or ADD still creates it; so does an update with no actions at all.
    raw_ddb.update_item(TableName=t, Key={"pk": {"S": "d"}}, UpdateExpression="REMOVE x SET y = :one",
                        ExpressionAttributeValues={":one": {"N": "1"}})
    raw_ddb.update_item(TableName=t, Key={"pk": {"S": "e"}})
    assert raw_ddb.get_item(TableName=t, Key={"pk": {"S": "d"}})["Item"] == {"pk": {"S": "d"}, "y": {"N": "1"}}
    assert raw_ddb.get_item(TableName=t, Key={"pk": {"S": "e"}})["Item"] == {"pk": {"S": "e"}}
    assert records(awan, raw_ddb, t) == ["INSERT", "INSERT"]
    # On an existing item REMOVE modifies it.
    raw_ddb.update_item(TableName=t, Key={"pk": {"S": "d"}}, UpdateExpression="REMOVE y")
    assert raw_ddb.get_item(TableName=t, Key={"pk": {"S": "d"}})["Item"] == {"pk": {"S": "d"}}


def test_list_tags_of_a_missing_table_is_access_denied(raw_ddb):
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/nope"
    code, msg = error_of(lambda: raw_ddb.list_tags_of_resource(ResourceArn=arn))
    assert code == "AccessDeniedException"
    assert "dynamodb:ListTagsOfResource" in msg and arn in msg
    t = table(raw_ddb)
    arn = raw_ddb.describe_table(TableName=t)["Table"]["TableArn"]
    assert raw_ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


def test_update_time_to_live_with_an_empty_attribute_name(raw_ddb):
    t = table(raw_ddb)
    code, msg = error_of(lambda: raw_ddb.update_time_to_live(
        TableName=t, TimeToLiveSpecification={"Enabled": True, "AttributeName": ""}))
    assert code == "ValidationException"
    assert msg == ("1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to "
                   "satisfy constraint: Member must have length greater than or equal to 1")
    assert raw_ddb.describe_time_to_live(TableName=t)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"


def test_batch_write_with_an_empty_request_list(raw_ddb):
    t = table(raw_ddb)
    code, msg = error_of(lambda: raw_ddb.batch_write_item(RequestItems={t: []}))
    assert code == "ValidationException"
    assert "Map value must satisfy constraint" in msg and "greater than or equal to 1" in msg


def sorted_table(c):
    c.create_table(TableName="ord", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "sk", "KeyType": "RANGE"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "S"}],
                   BillingMode="PAY_PER_REQUEST")
    c.put_item(TableName="ord", Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "5"}})
    return "ord"


@pytest.mark.parametrize("op,value", [("<", {"L": []}), ("<=", {"M": {}}), (">", {"SS": ["x"]}),
                                      (">=", {"BOOL": True}), ("<", {"NULL": True}), (">", {"NS": ["1"]})])
def test_ordering_an_unorderable_constant_is_a_validation_error(raw_ddb, op, value):
    t = sorted_table(raw_ddb)
    kind = list(value)[0]
    want = ("Incorrect operand type for operator or function; operator or function: %s, operand type: %s"
            % (op, kind))
    code, msg = error_of(lambda: raw_ddb.put_item(TableName=t, Item={"pk": {"S": "a"}, "sk": {"S": "1"}},
                                                  ConditionExpression="n %s :v" % op,
                                                  ExpressionAttributeValues={":v": value}))
    assert (code, msg) == ("ValidationException", "Invalid ConditionExpression: " + want)
    code, msg = error_of(lambda: raw_ddb.scan(TableName=t, FilterExpression="n %s :v" % op,
                                              ExpressionAttributeValues={":v": value}))
    assert (code, msg) == ("ValidationException", "Invalid FilterExpression: " + want)
    code, msg = error_of(lambda: raw_ddb.query(TableName=t, KeyConditionExpression="pk = :p AND sk %s :v" % op,
                                               ExpressionAttributeValues={":p": {"S": "a"}, ":v": value}))
    assert (code, msg) == ("ValidationException", "Invalid KeyConditionExpression: " + want)
    # The item is untouched.
    assert raw_ddb.get_item(TableName=t, Key={"pk": {"S": "a"}, "sk": {"S": "1"}})["Item"]["n"] == {"N": "5"}


def test_between_an_unorderable_constant_is_a_validation_error(raw_ddb):
    t = sorted_table(raw_ddb)
    code, msg = error_of(lambda: raw_ddb.put_item(
        TableName=t, Item={"pk": {"S": "a"}, "sk": {"S": "1"}}, ConditionExpression="n BETWEEN :a AND :b",
        ExpressionAttributeValues={":a": {"L": []}, ":b": {"L": []}}))
    assert code == "ValidationException"
    assert msg.endswith("operator or function: BETWEEN, operand type: L")
    # Equality on lists is fine: a failed condition.
    code, _ = error_of(lambda: raw_ddb.put_item(TableName=t, Item={"pk": {"S": "a"}, "sk": {"S": "1"}},
                                               ConditionExpression="n = :v", ExpressionAttributeValues={":v": {"L": []}}))
    assert code == "ConditionalCheckFailedException"
