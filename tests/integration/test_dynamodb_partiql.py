"""DynamoDB PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction) through boto3
and aws-cli against a running daemon."""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import AwsCliError


@pytest.fixture
def ddb(boto):
    client = boto("dynamodb")
    client.create_table(
        TableName="Music",
        AttributeDefinitions=[
            {"AttributeName": "Artist", "AttributeType": "S"},
            {"AttributeName": "Song", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "Artist", "KeyType": "HASH"},
            {"AttributeName": "Song", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return client


def error_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_insert_select_update_delete(ddb):
    assert ddb.execute_statement(
        Statement="INSERT INTO \"Music\" VALUE {'Artist': 'Acme', 'Song': 'One', 'Plays': 1, 'Tags': <<'a', 'b'>>}"
    )["Items"] == []
    ddb.execute_statement(
        Statement="INSERT INTO Music VALUE {'Artist': ?, 'Song': ?, 'Plays': ?}",
        Parameters=[{"S": "Acme"}, {"S": "Two"}, {"N": "2"}],
    )
    out = ddb.execute_statement(Statement="SELECT Song, Plays FROM Music WHERE Artist = 'Acme' ORDER BY Song DESC")
    assert out["Items"] == [
        {"Song": {"S": "Two"}, "Plays": {"N": "2"}},
        {"Song": {"S": "One"}, "Plays": {"N": "1"}},
    ]
    ddb.execute_statement(
        Statement="UPDATE Music SET Plays = Plays + 10 REMOVE Tags WHERE Artist = 'Acme' AND Song = 'One'"
    )
    item = ddb.get_item(TableName="Music", Key={"Artist": {"S": "Acme"}, "Song": {"S": "One"}})["Item"]
    assert item["Plays"] == {"N": "11"} and "Tags" not in item
    out = ddb.execute_statement(
        Statement="DELETE FROM Music WHERE Artist = 'Acme' AND Song = 'Two' RETURNING ALL OLD *"
    )
    assert out["Items"][0]["Plays"] == {"N": "2"}
    assert ddb.execute_statement(Statement="SELECT * FROM Music WHERE Plays > 5")["Items"][0]["Song"] == {"S": "One"}


def test_errors(ddb):
    ddb.execute_statement(Statement="INSERT INTO Music VALUE {'Artist': 'A', 'Song': 'S'}")
    with pytest.raises(ClientError) as e:
        ddb.execute_statement(Statement="INSERT INTO Music VALUE {'Artist': 'A', 'Song': 'S'}")
    assert error_of(e) == ("DuplicateItemException", "Duplicate primary key exists in table")
    with pytest.raises(ClientError) as e:
        ddb.execute_statement(Statement="SELEKT * FROM Music")
    assert error_of(e) == (
        "ValidationException",
        "Statement wasn't well formed, can't be processed: Expected data manipulation",
    )
    with pytest.raises(ClientError) as e:
        ddb.execute_statement(Statement="UPDATE Music SET x = 1 WHERE Artist = 'A'")
    assert error_of(e) == (
        "ValidationException",
        "Where clause does not contain a mandatory equality on all key attributes",
    )
    with pytest.raises(ClientError) as e:
        ddb.execute_statement(Statement="UPDATE Music SET x = 1 WHERE Artist = 'B' AND Song = 'S'")
    assert error_of(e) == ("ConditionalCheckFailedException", "The conditional request failed")
    with pytest.raises(ClientError) as e:
        ddb.execute_statement(Statement="SELECT * FROM Music WHERE Artist = ?", Parameters=[{"S": "a"}, {"S": "b"}])
    assert error_of(e) == ("ValidationException", "Number of parameters in request and statement don't match.")
    with pytest.raises(ClientError) as e:
        ddb.execute_statement(Statement="SELECT * FROM Nope")
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_pagination_with_limit(ddb):
    for i in range(7):
        ddb.execute_statement(Statement=f"INSERT INTO Music VALUE {{'Artist': 'P', 'Song': 's{i}'}}")
    seen, token, pages = [], None, 0
    while True:
        kw = {"NextToken": token} if token else {}
        out = ddb.execute_statement(Statement="SELECT Song FROM Music WHERE Artist = 'P'", Limit=3, **kw)
        pages += 1
        seen += [i["Song"]["S"] for i in out["Items"]]
        token = out.get("NextToken")
        if not token:
            break
    assert pages == 3
    assert seen == [f"s{i}" for i in range(7)]
    # Without a Limit everything fits in one page.
    out = ddb.execute_statement(Statement="SELECT * FROM Music")
    assert len(out["Items"]) == 7 and "NextToken" not in out


def test_batch_execute_statement(ddb):
    ddb.execute_statement(Statement="INSERT INTO Music VALUE {'Artist': 'A', 'Song': 'exists'}")
    out = ddb.batch_execute_statement(
        Statements=[
            {"Statement": "INSERT INTO Music VALUE {'Artist': 'A', 'Song': 'new'}"},
            {"Statement": "INSERT INTO Music VALUE {'Artist': 'A', 'Song': 'exists'}"},
            {"Statement": "UPDATE Music SET v = 1 WHERE Artist = 'A' AND Song = ?", "Parameters": [{"S": "missing"}]},
        ]
    )["Responses"]
    assert out[0] == {"TableName": "Music"}
    assert out[1]["Error"]["Code"] == "DuplicateItem"
    assert out[2]["Error"]["Code"] == "ConditionalCheckFailed"
    out = ddb.batch_execute_statement(
        Statements=[
            {"Statement": "SELECT * FROM Music WHERE Artist = 'A' AND Song = 'new'"},
            {"Statement": "SELECT * FROM Music WHERE Artist = 'A'"},
        ]
    )["Responses"]
    assert out[0]["Item"]["Song"] == {"S": "new"}
    assert out[1]["Error"] == {
        "Code": "ValidationError",
        "Message": "Select statements within BatchExecuteStatement must specify the primary key in the where clause.",
    }
    with pytest.raises(ClientError) as e:
        ddb.batch_execute_statement(
            Statements=[
                {"Statement": "SELECT * FROM Music WHERE Artist = 'A' AND Song = 'new'"},
                {"Statement": "DELETE FROM Music WHERE Artist = 'A' AND Song = 'new'"},
            ]
        )
    assert error_of(e) == ("ValidationException", "Read and write requests together in the same batch is not supported.")


def test_execute_transaction(ddb):
    ddb.execute_statement(Statement="INSERT INTO Music VALUE {'Artist': 'A', 'Song': 'x', 'n': 1}")
    with pytest.raises(ClientError) as e:
        ddb.execute_transaction(
            TransactStatements=[
                {"Statement": "INSERT INTO Music VALUE {'Artist': 'A', 'Song': 'y'}"},
                {"Statement": "INSERT INTO Music VALUE {'Artist': 'A', 'Song': 'x'}"},
            ]
        )
    assert e.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert e.value.response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"},
    ]
    assert "Item" not in ddb.get_item(TableName="Music", Key={"Artist": {"S": "A"}, "Song": {"S": "y"}})
    out = ddb.execute_transaction(
        TransactStatements=[
            {"Statement": "EXISTS(SELECT * FROM Music WHERE Artist = 'A' AND Song = 'x' AND n = 1)"},
            {"Statement": "INSERT INTO Music VALUE {'Artist': 'A', 'Song': 'y'}"},
        ],
        ClientRequestToken="token-1",
    )
    assert len(out["Responses"]) == 2
    out = ddb.execute_transaction(
        TransactStatements=[
            {"Statement": "SELECT n FROM Music WHERE Artist = 'A' AND Song = 'x'"},
            {"Statement": "SELECT * FROM Music WHERE Artist = 'A' AND Song = 'nope'"},
        ]
    )
    assert out["Responses"] == [{"Item": {"n": {"N": "1"}}}, {}]


def test_aws_cli_execute_statement(ddb, aws):
    aws("dynamodb", "execute-statement", "--statement",
        "INSERT INTO Music VALUE {'Artist': 'Cli', 'Song': 'c1', 'n': 5}")
    out = aws("dynamodb", "execute-statement", "--statement", "SELECT * FROM Music WHERE Artist = ?",
              "--parameters", json.dumps([{"S": "Cli"}]))
    assert out["Items"] == [{"Artist": {"S": "Cli"}, "Song": {"S": "c1"}, "n": {"N": "5"}}]
    with pytest.raises(AwsCliError) as e:
        aws("dynamodb", "execute-statement", "--statement", "SELECT * FROM Music WHERE")
    assert "ValidationException" in e.value.stderr
    assert "Statement wasn't well formed" in e.value.stderr


def test_js_sdk_partiql_tables_and_tags(js):
    out = js("dynamodb_partiql.mjs")
    assert "ok" in out
