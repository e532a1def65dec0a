#!/usr/bin/env bash
# A walk-through with aws-cli against a running Awan (scripts/run.sh starts one on :4566).
set -euo pipefail
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
EP="--endpoint-url ${AWAN_ENDPOINT:-http://127.0.0.1:4566}"
aws $EP sts get-caller-identity
aws $EP iam create-role --role-name Lambda-Load-Inventory \
  --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
aws $EP iam attach-role-policy --role-name Lambda-Load-Inventory \
  --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
aws $EP iam list-attached-role-policies --role-name Lambda-Load-Inventory
aws $EP sts assume-role --role-arn arn:aws:iam::000000000000:role/Lambda-Load-Inventory --role-session-name demo
