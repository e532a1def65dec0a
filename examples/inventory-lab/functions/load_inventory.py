"""Load-Inventory: an S3 ObjectCreated event → the CSV's rows in DynamoDB table `Inventory`.

The file has a header naming the columns store, item and count (any order, any case). Blank
lines are ignored; a row with no store or item, or a count that is not an integer, is printed
(it lands in the function's log) and skipped. Returns {"rows": written, "skipped": skipped}.
"""
import csv
import io
import urllib.parse

import boto3

TABLE = "Inventory"
COLUMNS = ("store", "item", "count")

s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table(TABLE)


def parse_count(text):
    text = text.strip()
    if text.startswith("+"):
        text = text[1:]
    # int() alone would also take "1_000" and " 7 "; the lab wants plain digits.
    digits = text[1:] if text.startswith("-") else text
    if not digits.isdigit() or not digits.isascii():
        return None
    return int(text)


def read_rows(text, where):
    """Yields (store, item, count) for the good rows; prints and counts the bad ones."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = None
    skipped = 0
    rows = []
    for record in reader:
        if not any(field.strip() for field in record):
            continue  # a blank line
        if header is None:
            names = [field.strip().lstrip("\ufeff").strip().lower() for field in record]
            missing = [c for c in COLUMNS if c not in names]
            if missing:
                print(f"{where}: the header has no {', '.join(missing)} column; nothing written")
                return [], 0
            header = {c: names.index(c) for c in COLUMNS}
            continue
        line = reader.line_num

        def field(name):
            i = header[name]
            return record[i].strip() if i < len(record) else ""

        store, item, count = field("store"), field("item"), parse_count(field("count"))
        if not store or not item:
            print(f"{where}: line {line}: skipped (no store or item): {record}")
            skipped += 1
        elif count is None:
            print(f"{where}: line {line}: skipped (count is not an integer): {record}")
            skipped += 1
        else:
            rows.append((store, item, count))
    return rows, skipped


def handler(event, context):
    if event.get("Event") == "s3:TestEvent":
        # S3 checks the destination when the bucket's notification configuration is stored.
        print(f"test event from s3://{event.get('Bucket')}: nothing to load")
        return {"rows": 0, "skipped": 0}
    written = skipped = 0
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        where = f"s3://{bucket}/{key}"
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        # utf-8-sig drops a byte-order mark; undecodable bytes become U+FFFD rather than failing.
        text = body.decode("utf-8-sig", errors="replace")
        try:
            rows, bad = read_rows(text, where)
        except csv.Error as e:
            print(f"{where}: not a CSV file ({e}); nothing written")
            continue
        # overwrite_by_pkeys: a (store, item) repeated in the file keeps its last row instead of
        # failing the batch with a duplicate key.
        with table.batch_writer(overwrite_by_pkeys=["Store", "Item"]) as batch:
            for store, item, count in rows:
                batch.put_item(Item={"Store": store, "Item": item, "Count": count})
        print(f"{where}: wrote {len(rows)} rows to {TABLE}" + (f", skipped {bad}" if bad else ""))
        written += len(rows)
        skipped += bad
    return {"rows": written, "skipped": skipped}
