"""DynamoDB with --data-dir: tables, items and indexes survive a restart and a kill -9."""
from conftest import Daemon, make_boto3


def make(d):
    return make_boto3(d.endpoint, "dynamodb")


def test_dynamodb_survives_restart_and_kill9(tmp_path):
    data = str(tmp_path / "data")
    d = Daemon("--data-dir", data)
    try:
        ddb = make(d)
        ddb.create_table(
            TableName="Inventory", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "Store", "AttributeType": "S"},
                                  {"AttributeName": "Item", "AttributeType": "S"},
                                  {"AttributeName": "Count", "AttributeType": "N"}],
            KeySchema=[{"AttributeName": "Store", "KeyType": "HASH"}, {"AttributeName": "Item", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[{"IndexName": "ByCount", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                     "KeySchema": [{"AttributeName": "Count", "KeyType": "HASH"}]}])
        for i in range(20):
            ddb.put_item(TableName="Inventory",
                         Item={"Store": {"S": "Berlin"}, "Item": {"S": f"i{i:02}"}, "Count": {"N": str(i % 3)}})
        ddb.tag_resource(ResourceArn="arn:aws:dynamodb:us-east-1:000000000000:table/Inventory",
                         Tags=[{"Key": "env", "Value": "test"}])
    finally:
        assert d.stop() == 0

    d = Daemon("--data-dir", data)
    try:
        ddb = make(d)
        t = ddb.describe_table(TableName="Inventory")["Table"]
        assert t["TableStatus"] == "ACTIVE" and t["ItemCount"] == 20
        assert t["GlobalSecondaryIndexes"][0]["IndexName"] == "ByCount"
        zero = ddb.query(TableName="Inventory", IndexName="ByCount", KeyConditionExpression="#c = :z",
                         ExpressionAttributeNames={"#c": "Count"}, ExpressionAttributeValues={":z": {"N": "0"}})
        assert zero["Count"] == 7
        # Acknowledged writes survive kill -9 (WAL).
        ddb.update_item(TableName="Inventory", Key={"Store": {"S": "Berlin"}, "Item": {"S": "i01"}},
                        UpdateExpression="SET #c = :z", ExpressionAttributeNames={"#c": "Count"},
                        ExpressionAttributeValues={":z": {"N": "0"}})
        ddb.delete_item(TableName="Inventory", Key={"Store": {"S": "Berlin"}, "Item": {"S": "i02"}})
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "Inventory", "Item": {
            "Store": {"S": "Paris"}, "Item": {"S": "new"}, "Count": {"N": "0"}}}}])
    finally:
        d.kill9()

    d = Daemon("--data-dir", data)
    try:
        ddb = make(d)
        assert ddb.scan(TableName="Inventory", Select="COUNT")["Count"] == 20
        got = ddb.get_item(TableName="Inventory", Key={"Store": {"S": "Berlin"}, "Item": {"S": "i01"}})["Item"]
        assert got["Count"] == {"N": "0"}
        assert "Item" not in ddb.get_item(TableName="Inventory", Key={"Store": {"S": "Berlin"}, "Item": {"S": "i02"}})
        zero = ddb.query(TableName="Inventory", IndexName="ByCount", KeyConditionExpression="#c = :z",
                         ExpressionAttributeNames={"#c": "Count"}, ExpressionAttributeValues={":z": {"N": "0"}})
        assert sorted(i["Item"]["S"] for i in zero["Items"]) == sorted(
            ["i00", "i01", "i03", "i06", "i09", "i12", "i15", "i18", "new"])
        tags = ddb.list_tags_of_resource(ResourceArn="arn:aws:dynamodb:us-east-1:000000000000:table/Inventory")
        assert tags["Tags"] == [{"Key": "env", "Value": "test"}]
    finally:
        d.stop()
