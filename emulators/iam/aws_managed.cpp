#include "iam/aws_managed.hpp"

#include "core/crypto.hpp"

namespace awan::iam {

namespace {

std::string stable_id(std::string_view prefix, std::string_view seed) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string h = crypto::sha256(seed);
  std::string out(prefix);
  for (size_t i = 0; out.size() < prefix.size() + 17; ++i) out.push_back(alphabet[static_cast<unsigned char>(h[i]) % 32]);
  return out;
}

std::string allow(std::string_view actions) {
  return std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":)") + std::string(actions) +
         R"(,"Resource":"*"}]})";
}

std::vector<AwsManagedPolicy> build() {
  struct Row {
    const char* name;
    const char* path;
    const char* description;
    std::string document;
  };
  std::vector<Row> rows = {
      {"AdministratorAccess", "/", "Provides full access to AWS services and resources.", allow(R"("*")")},
      {"PowerUserAccess", "/",
       "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:ListRegions"],"Resource":"*"}]})"},
      {"ReadOnlyAccess", "/", "Provides read-only access to AWS services and resources.",
       allow(R"(["dynamodb:Describe*","dynamodb:Get*","dynamodb:List*","dynamodb:Query","dynamodb:Scan","s3:Get*","s3:List*","sns:Get*","sns:List*","sqs:Get*","sqs:List*","lambda:Get*","lambda:List*","logs:Describe*","logs:Get*","iam:Get*","iam:List*","apigateway:GET"])")},
      {"IAMFullAccess", "/", "Provides full access to IAM via the AWS Management Console.",
       allow(R"(["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies","organizations:ListTargetsForPolicy"])")},
      {"IAMReadOnlyAccess", "/", "Provides read only access to IAM via the AWS Management Console.",
       allow(R"(["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"])")},
      {"AmazonS3FullAccess", "/", "Provides full access to all buckets via the AWS Management Console.",
       allow(R"(["s3:*","s3-object-lambda:*"])")},
      {"AmazonS3ReadOnlyAccess", "/", "Provides read only access to all buckets via the AWS Management Console.",
       allow(R"(["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"])")},
      {"AmazonDynamoDBFullAccess", "/", "Provides full access to Amazon DynamoDB via the AWS Management Console.",
       allow(R"(["dynamodb:*","application-autoscaling:*","cloudwatch:*","iam:GetRole","iam:ListRoles","iam:PassRole","lambda:CreateEventSourceMapping","lambda:DeleteEventSourceMapping","lambda:GetFunctionConfiguration","lambda:ListEventSourceMappings","lambda:ListFunctions"])")},
      {"AmazonDynamoDBReadOnlyAccess", "/",
       "Provides read only access to Amazon DynamoDB via the AWS Management Console.",
       allow(R"(["dynamodb:BatchGetItem","dynamodb:Describe*","dynamodb:List*","dynamodb:GetItem","dynamodb:Query","dynamodb:Scan","dynamodb:PartiQLSelect","cloudwatch:GetMetricStatistics","cloudwatch:Describe*","cloudwatch:List*"])")},
      {"AmazonSNSFullAccess", "/", "Provides full access to Amazon SNS via the AWS Management Console.",
       allow(R"(["sns:*"])")},
      {"AmazonSNSReadOnlyAccess", "/", "Provides read only access to Amazon SNS via the AWS Management Console.",
       allow(R"(["sns:GetTopicAttributes","sns:List*"])")},
      {"AmazonSQSFullAccess", "/", "Provides full access to Amazon SQS via the AWS Management Console.",
       allow(R"(["sqs:*"])")},
      {"AmazonSQSReadOnlyAccess", "/", "Provides read only access to Amazon SQS via the AWS Management Console.",
       allow(R"(["sqs:GetQueueAttributes","sqs:GetQueueUrl","sqs:ListDeadLetterSourceQueues","sqs:ListQueues","sqs:ListMessageMoveTasks","sqs:ListQueueTags"])")},
      {"AWSLambda_FullAccess", "/",
       "Grants full access to AWS Lambda service, AWS Lambda console features, and other related AWS services.",
       allow(R"(["lambda:*","cloudformation:DescribeStacks","cloudwatch:GetMetricData","dynamodb:DescribeStream","dynamodb:GetRecords","dynamodb:GetShardIterator","dynamodb:ListStreams","dynamodb:ListTables","iam:GetRole","iam:ListRoles","logs:DescribeLogGroups","logs:FilterLogEvents","logs:GetLogEvents","s3:ListAllMyBuckets","sns:ListTopics","sqs:ListQueues"])")},
      {"AWSLambda_ReadOnlyAccess", "/",
       "Grants read-only access to AWS Lambda service, AWS Lambda console features, and other related AWS services.",
       allow(R"(["lambda:Get*","lambda:List*","logs:DescribeLogGroups","logs:GetLogEvents","iam:GetRole","iam:ListRoles"])")},
      {"AWSLambdaExecute", "/", "Provides Put, Get access to S3 and full access to CloudWatch Logs.",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:*"],"Resource":"arn:aws:logs:*:*:*"},{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::*"}]})"},
      {"AWSLambdaBasicExecutionRole", "/service-role/", "Provides write permissions to CloudWatch Logs.",
       allow(R"(["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"])")},
      {"AWSLambdaDynamoDBExecutionRole", "/service-role/",
       "Provides list and read access to DynamoDB streams and write permissions to CloudWatch logs.",
       allow(R"(["dynamodb:DescribeStream","dynamodb:GetRecords","dynamodb:GetShardIterator","dynamodb:ListStreams","logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"])")},
      {"AWSLambdaSQSQueueExecutionRole", "/service-role/",
       "Provides receive message, delete message, and read attribute access to SQS queues, and write permissions to "
       "CloudWatch logs.",
       allow(R"(["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes","logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"])")},
      {"AWSLambdaKinesisExecutionRole", "/service-role/",
       "Provides list and read access to Kinesis streams and write permissions to CloudWatch logs.",
       allow(R"(["kinesis:DescribeStream","kinesis:DescribeStreamSummary","kinesis:GetRecords","kinesis:GetShardIterator","kinesis:ListShards","kinesis:ListStreams","kinesis:SubscribeToShard","logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"])")},
      {"AWSLambdaVPCAccessExecutionRole", "/service-role/",
       "Provides minimum permissions for a Lambda function to execute while accessing a resource within a VPC.",
       allow(R"(["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents","ec2:CreateNetworkInterface","ec2:DescribeNetworkInterfaces","ec2:DescribeSubnets","ec2:DeleteNetworkInterface","ec2:AssignPrivateIpAddresses","ec2:UnassignPrivateIpAddresses"])")},
      {"AWSLambdaRole", "/service-role/", "Default policy for AWS Lambda service role.",
       allow(R"(["lambda:InvokeFunction"])")},
      {"CloudWatchLogsFullAccess", "/", "Provides full access to CloudWatch Logs", allow(R"(["logs:*"])")},
      {"CloudWatchLogsReadOnlyAccess", "/", "Provides read only access to CloudWatch Logs",
       allow(R"(["logs:Describe*","logs:Get*","logs:List*","logs:StartQuery","logs:StopQuery","logs:TestMetricFilter","logs:FilterLogEvents"])")},
      {"AmazonAPIGatewayAdministrator", "/",
       "Provides full access to create/edit/delete APIs in Amazon API Gateway via the AWS Management Console.",
       allow(R"(["apigateway:*"])")},
      {"AmazonAPIGatewayInvokeFullAccess", "/",
       "Provides full access to invoke APIs in Amazon API Gateway.",
       allow(R"(["execute-api:Invoke","execute-api:ManageConnections"])")},
      {"AmazonAPIGatewayPushToCloudWatchLogs", "/service-role/",
       "Allows API Gateway to push logs to user's account.",
       allow(R"(["logs:CreateLogGroup","logs:CreateLogStream","logs:DescribeLogGroups","logs:DescribeLogStreams","logs:PutLogEvents","logs:GetLogEvents","logs:FilterLogEvents"])")},
  };
  std::vector<AwsManagedPolicy> out;
  out.reserve(rows.size());
  for (auto& r : rows) {
    AwsManagedPolicy p;
    p.name = r.name;
    p.path = r.path;
    p.arn = std::string("arn:aws:iam::aws:policy") + r.path + r.name;
    p.policy_id = stable_id("ANPA", p.arn);
    p.description = r.description;
    p.document = std::move(r.document);
    p.create_date = 1423008000;  // 2015-02-04, a fixed date: these policies predate any local state
    p.update_date = 1423008000;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

const std::vector<AwsManagedPolicy>& aws_managed_policies() {
  static const std::vector<AwsManagedPolicy> table = build();
  return table;
}

const AwsManagedPolicy* find_aws_managed_policy(std::string_view arn) {
  for (const auto& p : aws_managed_policies())
    if (p.arn == arn) return &p;
  return nullptr;
}

}  // namespace awan::iam
