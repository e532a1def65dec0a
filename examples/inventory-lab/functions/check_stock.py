"""Check-Stock: DynamoDB stream records from table `Inventory` → an SNS alert for every item
whose new count is 0, to the topic named NoStock (found with ListTopics, as the lab does).
Returns {"alerts": published}.
"""
from decimal import Decimal, InvalidOperation

import boto3

TOPIC_NAME = "NoStock"
SUBJECT = "Inventory Alert!"

sns = boto3.client("sns")


def find_topic(name):
    for page in sns.get_paginator("list_topics").paginate():
        for topic in page.get("Topics", []):
            if topic["TopicArn"].endswith(":" + name):
                return topic["TopicArn"]
    raise RuntimeError(f"no SNS topic named {name}")


def out_of_stock(image):
    try:
        return Decimal(image.get("Count", {}).get("N", "")) == 0
    except InvalidOperation:
        return False


def handler(event, context):
    topic = None
    alerts = 0
    for record in event.get("Records", []):
        image = record.get("dynamodb", {}).get("NewImage")
        if not image or not out_of_stock(image):
            continue  # a deletion, or an item still in stock
        store = image.get("Store", {}).get("S", "")
        item = image.get("Item", {}).get("S", "")
        if topic is None:
            topic = find_topic(TOPIC_NAME)
        message = f"{store} is out of stock of {item}"
        sns.publish(TopicArn=topic, Message=message, Subject=SUBJECT)
        print(f"alert published: {message}")
        alerts += 1
    return {"alerts": alerts}
