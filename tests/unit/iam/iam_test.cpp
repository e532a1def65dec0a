#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "awan/clock.hpp"
#include "iam/iam.hpp"
#include "iam/service_fixture.hpp"
#include "iam/validation.hpp"

namespace {

using json = nlohmann::json;
using awan::iam::validation::url_decode;
using awan::iam::validation::url_encode;

const char* kTrust =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
const char* kPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:PutItem"],"Resource":"*"}]})";
const char* kBasicExec = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

class IamTest : public awan::test_support::ServiceTest<&awan::iam::make_service> {
 protected:
  json create_role(const std::string& name, const std::string& path = "/") {
    return ok("CreateRole", {{"RoleName", name}, {"Path", path}, {"AssumeRolePolicyDocument", kTrust}})["Role"];
  }
};

// ---------------------------------------------------------------- roles

TEST_F(IamTest, CreateRoleReturnsTheRole) {
  auto role = ok("CreateRole", {{"RoleName", "lambda-role"},
                                {"AssumeRolePolicyDocument", kTrust},
                                {"Description", "for functions"},
                                {"Tags", {{{"Key", "team"}, {"Value", "inventory"}}}}})["Role"];
  EXPECT_EQ(role["RoleName"], "lambda-role");
  EXPECT_EQ(role["Path"], "/");
  EXPECT_EQ(role["Arn"], "arn:aws:iam::111122223333:role/lambda-role");
  EXPECT_EQ(role["RoleId"].get<std::string>().substr(0, 4), "AROA");
  EXPECT_EQ(role["RoleId"].get<std::string>().size(), 21u);
  EXPECT_EQ(role["CreateDate"], 1'700'000'000);
  EXPECT_EQ(role["MaxSessionDuration"], 3600);
  EXPECT_EQ(role["Description"], "for functions");
  EXPECT_EQ(role["AssumeRolePolicyDocument"], url_encode(kTrust));
  EXPECT_EQ(url_decode(role["AssumeRolePolicyDocument"].get<std::string>()), kTrust);
  EXPECT_EQ(role["Tags"], json::parse(R"([{"Key":"team","Value":"inventory"}])"));
}

TEST_F(IamTest, RoleArnIncludesPath) {
  auto role = create_role("r1", "/service/app/");
  EXPECT_EQ(role["Arn"], "arn:aws:iam::111122223333:role/service/app/r1");
  auto got = ok("GetRole", {{"RoleName", "r1"}})["Role"];
  EXPECT_EQ(got["Path"], "/service/app/");
  EXPECT_EQ(got["RoleId"], role["RoleId"]);
  EXPECT_TRUE(got["RoleLastUsed"].is_object());
}

TEST_F(IamTest, DuplicateRoleIsEntityAlreadyExistsCaseInsensitive) {
  create_role("MyRole");
  auto e = err("CreateRole", {{"RoleName", "myrole"}, {"AssumeRolePolicyDocument", kTrust}});
  EXPECT_EQ(e.code, "EntityAlreadyExists");
  EXPECT_EQ(e.http_status, 409);
  EXPECT_EQ(e.message, "Role with name myrole already exists.");
  // Lookups ignore case too and return the stored name.
  EXPECT_EQ(ok("GetRole", {{"RoleName", "MYROLE"}})["Role"]["RoleName"], "MyRole");
}

TEST_F(IamTest, GetMissingRoleIsNoSuchEntity) {
  auto e = err("GetRole", {{"RoleName", "ghost"}});
  EXPECT_EQ(e.code, "NoSuchEntity");
  EXPECT_EQ(e.http_status, 404);
  EXPECT_EQ(e.message, "The role with name ghost cannot be found.");
}

TEST_F(IamTest, InvalidRoleNameIsValidationError) {
  auto e = err("CreateRole", {{"RoleName", "bad name!"}, {"AssumeRolePolicyDocument", kTrust}});
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.message,
            "1 validation error detected: Value 'bad name!' at 'roleName' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: [\\w+=,.@-]+");
}

TEST_F(IamTest, TooLongRoleNameAndBadPathReportTwoErrors) {
  std::string name(65, 'a');
  auto e = err("CreateRole", {{"RoleName", name}, {"Path", "no-slash"}, {"AssumeRolePolicyDocument", kTrust}});
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_EQ(e.message,
            "2 validation errors detected: Value 'no-slash' at 'path' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007F]+\\u002F); Value '" +
                name + "' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64");
}

TEST_F(IamTest, MissingRoleNameIsNullValidationError) {
  auto e = err("CreateRole", {{"AssumeRolePolicyDocument", kTrust}});
  EXPECT_EQ(e.message,
            "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be "
            "null");
}

TEST_F(IamTest, MaxSessionDurationRange) {
  auto e = err("CreateRole", {{"RoleName", "r"}, {"AssumeRolePolicyDocument", kTrust}, {"MaxSessionDuration", 60}});
  EXPECT_EQ(e.message,
            "1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must "
            "have value greater than or equal to 3600");
}

TEST_F(IamTest, MalformedTrustPolicies) {
  auto make = [&](const std::string& doc) {
    return err("CreateRole", {{"RoleName", "r"}, {"AssumeRolePolicyDocument", doc}});
  };
  auto e = make("{not json");
  EXPECT_EQ(e.code, "MalformedPolicyDocument");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.message, "This policy contains invalid Json");
  e = make(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"x"},"Action":"sts:AssumeRole","Resource":"*"}]})");
  EXPECT_EQ(e.message, "Has prohibited field Resource");
  e = make(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]})");
  EXPECT_EQ(e.message,
            "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a "
            "statement with no principals!");
  e = make(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"x"},"Action":"s3:GetObject"}]})");
  EXPECT_EQ(e.message, "AssumeRole policy may only specify STS AssumeRole actions.");
  e = make(R"({"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":{"Service":"x"},"Action":"sts:AssumeRole"}]})");
  EXPECT_EQ(e.message, "Syntax errors in policy.");
  EXPECT_EQ(ok("ListRoles")["Roles"].size(), 0u);
}

TEST_F(IamTest, ListRolesPaginatesInNameOrder) {
  for (auto n : {"delta", "alpha", "Echo", "charlie", "bravo"}) create_role(n);
  auto page1 = ok("ListRoles", {{"MaxItems", 2}});
  ASSERT_EQ(page1["Roles"].size(), 2u);
  EXPECT_EQ(page1["Roles"][0]["RoleName"], "alpha");
  EXPECT_EQ(page1["Roles"][1]["RoleName"], "bravo");
  EXPECT_TRUE(page1["IsTruncated"].get<bool>());
  auto page2 = ok("ListRoles", {{"MaxItems", 2}, {"Marker", page1["Marker"]}});
  ASSERT_EQ(page2["Roles"].size(), 2u);
  EXPECT_EQ(page2["Roles"][0]["RoleName"], "charlie");
  EXPECT_EQ(page2["Roles"][1]["RoleName"], "delta");
  auto page3 = ok("ListRoles", {{"MaxItems", 2}, {"Marker", page2["Marker"]}});
  ASSERT_EQ(page3["Roles"].size(), 1u);
  EXPECT_EQ(page3["Roles"][0]["RoleName"], "Echo");
  EXPECT_FALSE(page3["IsTruncated"].get<bool>());
  EXPECT_FALSE(page3.contains("Marker"));
  // ListRoles does not return tags or last-used data.
  EXPECT_FALSE(page1["Roles"][0].contains("RoleLastUsed"));
}

TEST_F(IamTest, ListRolesPathPrefixAndMaxItemsValidation) {
  create_role("a", "/app/");
  create_role("b", "/other/");
  auto out = ok("ListRoles", {{"PathPrefix", "/app/"}});
  ASSERT_EQ(out["Roles"].size(), 1u);
  EXPECT_EQ(out["Roles"][0]["RoleName"], "a");
  auto e = err("ListRoles", {{"MaxItems", 0}});
  EXPECT_EQ(e.code, "ValidationError");
  EXPECT_NE(e.message.find("Member must have value greater than or equal to 1"), std::string::npos);
}

TEST_F(IamTest, UpdateRoleAndTrustPolicy) {
  create_role("r");
  ok("UpdateRole", {{"RoleName", "r"}, {"Description", "new"}, {"MaxSessionDuration", 7200}});
  const char* trust2 =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}})";
  ok("UpdateAssumeRolePolicy", {{"RoleName", "r"}, {"PolicyDocument", trust2}});
  auto role = ok("GetRole", {{"RoleName", "r"}})["Role"];
  EXPECT_EQ(role["Description"], "new");
  EXPECT_EQ(role["MaxSessionDuration"], 7200);
  EXPECT_EQ(url_decode(role["AssumeRolePolicyDocument"].get<std::string>()), trust2);
  EXPECT_EQ(err("UpdateAssumeRolePolicy", {{"RoleName", "r"}, {"PolicyDocument", "[]"}}).code,
            "MalformedPolicyDocument");
  EXPECT_EQ(err("UpdateRole", {{"RoleName", "nope"}}).code, "NoSuchEntity");
}

TEST_F(IamTest, RoleTags) {
  create_role("r");
  ok("TagRole", {{"RoleName", "r"}, {"Tags", {{{"Key", "a"}, {"Value", "1"}}, {{"Key", "b"}, {"Value", "2"}}}}});
  ok("TagRole", {{"RoleName", "r"}, {"Tags", {{{"Key", "A"}, {"Value", "3"}}}}});  // keys ignore case
  auto tags = ok("ListRoleTags", {{"RoleName", "r"}});
  EXPECT_EQ(tags["Tags"], json::parse(R"([{"Key":"a","Value":"3"},{"Key":"b","Value":"2"}])"));
  EXPECT_FALSE(tags["IsTruncated"].get<bool>());
  ok("UntagRole", {{"RoleName", "r"}, {"TagKeys", {"a"}}});
  EXPECT_EQ(ok("ListRoleTags", {{"RoleName", "r"}})["Tags"], json::parse(R"([{"Key":"b","Value":"2"}])"));
  auto e = err("TagRole", {{"RoleName", "r"}, {"Tags", {{{"Key", "x"}, {"Value", "1"}}, {{"Key", "X"}, {"Value", "2"}}}}});
  EXPECT_EQ(e.code, "InvalidInput");
  EXPECT_EQ(e.message, "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
  EXPECT_EQ(err("ListRoleTags", {{"RoleName", "nope"}}).code, "NoSuchEntity");
}

// ---------------------------------------------------------------- inline policies

TEST_F(IamTest, RoleInlinePolicies) {
  create_role("r");
  ok("PutRolePolicy", {{"RoleName", "r"}, {"PolicyName", "write"}, {"PolicyDocument", kPolicy}});
  auto got = ok("GetRolePolicy", {{"RoleName", "r"}, {"PolicyName", "write"}});
  EXPECT_EQ(got["RoleName"], "r");
  EXPECT_EQ(got["PolicyName"], "write");
  EXPECT_EQ(got["PolicyDocument"], url_encode(kPolicy));
  EXPECT_EQ(got["PolicyDocument"].get<std::string>().substr(0, 6), "%7B%22");
  ok("PutRolePolicy", {{"RoleName", "r"}, {"PolicyName", "another"}, {"PolicyDocument", kPolicy}});
  EXPECT_EQ(ok("ListRolePolicies", {{"RoleName", "r"}})["PolicyNames"], json::parse(R"(["another","write"])"));
  ok("DeleteRolePolicy", {{"RoleName", "r"}, {"PolicyName", "write"}});
  auto e = err("GetRolePolicy", {{"RoleName", "r"}, {"PolicyName", "write"}});
  EXPECT_EQ(e.code, "NoSuchEntity");
  EXPECT_EQ(e.message, "The role policy with name write cannot be found.");
  EXPECT_EQ(err("DeleteRolePolicy", {{"RoleName", "r"}, {"PolicyName", "write"}}).code, "NoSuchEntity");
  EXPECT_EQ(err("PutRolePolicy", {{"RoleName", "ghost"}, {"PolicyName", "p"}, {"PolicyDocument", kPolicy}}).message,
            "The role with name ghost cannot be found.");
}

TEST_F(IamTest, MalformedIdentityPolicies) {
  create_role("r");
  auto put = [&](const std::string& doc) {
    return err("PutRolePolicy", {{"RoleName", "r"}, {"PolicyName", "p"}, {"PolicyDocument", doc}});
  };
  EXPECT_EQ(put("nope").message, "This policy contains invalid Json");
  EXPECT_EQ(put(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]})").message,
            "Policy statement must contain resources.");
  EXPECT_EQ(put(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]})").message,
            "Policy statement must contain actions.");
  EXPECT_EQ(put(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]})")
                .message,
            "Policy document should not specify a principal.");
  EXPECT_EQ(put(R"({"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})").message,
            "The policy failed legacy parsing");
  EXPECT_EQ(put(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]})")
                .message,
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
  EXPECT_EQ(put(R"({"Version":"2012-10-17","Bogus":1,"Statement":[]})").message, "Syntax errors in policy.");
  EXPECT_EQ(ok("ListRolePolicies", {{"RoleName", "r"}})["PolicyNames"].size(), 0u);
  ok("PutRolePolicy", {{"RoleName", "r"}, {"PolicyName", "p"},
                       {"PolicyDocument", R"({"Statement":{"Effect":"Deny","NotAction":"s3:*","NotResource":["*"]}})"}});
}

TEST_F(IamTest, InlinePolicySizeQuota) {
  create_role("r");
  std::string big = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":[)";
  for (int i = 0; i < 400; ++i) big += std::string(i ? "," : "") + "\"arn:aws:s3:::bucket-name/k" + std::to_string(i) + "\"";
  big += "]}]}";
  auto e = err("PutRolePolicy", {{"RoleName", "r"}, {"PolicyName", "p"}, {"PolicyDocument", big}});
  EXPECT_EQ(e.code, "LimitExceeded");
  EXPECT_EQ(e.http_status, 409);
  EXPECT_EQ(e.message, "Maximum policy size of 10240 bytes exceeded for role r");
}

// ---------------------------------------------------------------- managed policies

TEST_F(IamTest, CreateAndGetManagedPolicy) {
  auto p = ok("CreatePolicy", {{"PolicyName", "writer"}, {"PolicyDocument", kPolicy}, {"Path", "/app/"},
                               {"Description", "d"}})["Policy"];
  EXPECT_EQ(p["Arn"], "arn:aws:iam::111122223333:policy/app/writer");
  EXPECT_EQ(p["PolicyId"].get<std::string>().substr(0, 4), "ANPA");
  EXPECT_EQ(p["DefaultVersionId"], "v1");
  EXPECT_EQ(p["AttachmentCount"], 0);
  EXPECT_EQ(p["IsAttachable"], true);
  auto got = ok("GetPolicy", {{"PolicyArn", p["Arn"]}})["Policy"];
  EXPECT_EQ(got["Description"], "d");
  EXPECT_EQ(got["PolicyId"], p["PolicyId"]);
  auto v1 = ok("GetPolicyVersion", {{"PolicyArn", p["Arn"]}, {"VersionId", "v1"}})["PolicyVersion"];
  EXPECT_EQ(v1["Document"], url_encode(kPolicy));
  EXPECT_EQ(v1["IsDefaultVersion"], true);
  auto e = err("CreatePolicy", {{"PolicyName", "WRITER"}, {"PolicyDocument", kPolicy}});
  EXPECT_EQ(e.code, "EntityAlreadyExists");
  EXPECT_EQ(e.message, "A policy called WRITER already exists. Duplicate names are not allowed.");
  e = err("GetPolicy", {{"PolicyArn", "arn:aws:iam::111122223333:policy/nope"}});
  EXPECT_EQ(e.code, "NoSuchEntity");
  EXPECT_EQ(e.message, "Policy arn:aws:iam::111122223333:policy/nope was not found.");
  e = err("GetPolicy", {{"PolicyArn", "not-an-arn-at-all-xxxxx"}});
  EXPECT_EQ(e.code, "InvalidInput");
  EXPECT_EQ(e.message, "ARN not-an-arn-at-all-xxxxx is not valid.");
}

TEST_F(IamTest, PolicyVersions) {
  std::string arn = ok("CreatePolicy", {{"PolicyName", "p"}, {"PolicyDocument", kPolicy}})["Policy"]["Arn"];
  clock_.advance(std::chrono::seconds(10));
  auto v2 = ok("CreatePolicyVersion", {{"PolicyArn", arn}, {"PolicyDocument", kPolicy}, {"SetAsDefault", true}});
  EXPECT_EQ(v2["PolicyVersion"]["VersionId"], "v2");
  EXPECT_EQ(v2["PolicyVersion"]["IsDefaultVersion"], true);
  auto pol = ok("GetPolicy", {{"PolicyArn", arn}})["Policy"];
  EXPECT_EQ(pol["DefaultVersionId"], "v2");
  EXPECT_EQ(pol["UpdateDate"], 1'700'000'010);
  for (int i = 0; i < 3; ++i) ok("CreatePolicyVersion", {{"PolicyArn", arn}, {"PolicyDocument", kPolicy}});
  auto e = err("CreatePolicyVersion", {{"PolicyArn", arn}, {"PolicyDocument", kPolicy}});
  EXPECT_EQ(e.code, "LimitExceeded");
  EXPECT_EQ(e.message,
            "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing "
            "version.");
  auto versions = ok("ListPolicyVersions", {{"PolicyArn", arn}})["Versions"];
  ASSERT_EQ(versions.size(), 5u);
  EXPECT_EQ(versions[0]["VersionId"], "v5");
  EXPECT_EQ(versions[3]["VersionId"], "v2");
  EXPECT_EQ(versions[3]["IsDefaultVersion"], true);
  e = err("DeletePolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v2"}});
  EXPECT_EQ(e.code, "DeleteConflict");
  EXPECT_EQ(e.message, "Cannot delete the default version of a policy.");
  e = err("DeletePolicy", {{"PolicyArn", arn}});
  EXPECT_EQ(e.code, "DeleteConflict");
  ok("SetDefaultPolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v4"}});
  e = err("SetDefaultPolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v9"}});
  EXPECT_EQ(e.code, "NoSuchEntity");
  EXPECT_EQ(err("SetDefaultPolicyVersion", {{"PolicyArn", arn}, {"VersionId", "x1"}}).code, "ValidationError");
  for (auto v : {"v1", "v2", "v3", "v5"}) ok("DeletePolicyVersion", {{"PolicyArn", arn}, {"VersionId", v}});
  // Version ids are never reused.
  EXPECT_EQ(ok("CreatePolicyVersion", {{"PolicyArn", arn}, {"PolicyDocument", kPolicy}})["PolicyVersion"]["VersionId"],
            "v6");
  ok("DeletePolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v6"}});
  ok("DeletePolicy", {{"PolicyArn", arn}});
  EXPECT_EQ(err("GetPolicy", {{"PolicyArn", arn}}).code, "NoSuchEntity");
}

TEST_F(IamTest, AttachAndDetachManagedPolicies) {
  create_role("r");
  std::string arn = ok("CreatePolicy", {{"PolicyName", "p"}, {"PolicyDocument", kPolicy}})["Policy"]["Arn"];
  ok("AttachRolePolicy", {{"RoleName", "r"}, {"PolicyArn", arn}});
  ok("AttachRolePolicy", {{"RoleName", "r"}, {"PolicyArn", kBasicExec}});
  ok("AttachRolePolicy", {{"RoleName", "r"}, {"PolicyArn", kBasicExec}});  // idempotent
  auto attached = ok("ListAttachedRolePolicies", {{"RoleName", "r"}})["AttachedPolicies"];
  EXPECT_EQ(attached, json::parse(std::string(R"([{"PolicyName":"p","PolicyArn":")") + arn +
                                  R"("},{"PolicyName":"AWSLambdaBasicExecutionRole","PolicyArn":")" + kBasicExec +
                                  R"("}])"));
  EXPECT_EQ(ok("GetPolicy", {{"PolicyArn", arn}})["Policy"]["AttachmentCount"], 1);
  EXPECT_EQ(ok("GetPolicy", {{"PolicyArn", kBasicExec}})["Policy"]["AttachmentCount"], 1);

  auto e = err("AttachRolePolicy", {{"RoleName", "r"}, {"PolicyArn", "arn:aws:iam::aws:policy/AWSLambdaFullAccess"}});
  EXPECT_EQ(e.code, "NoSuchEntity");
  EXPECT_EQ(e.message, "Policy arn:aws:iam::aws:policy/AWSLambdaFullAccess does not exist or is not attachable.");
  e = err("DeletePolicy", {{"PolicyArn", arn}});
  EXPECT_EQ(e.code, "DeleteConflict");
  EXPECT_EQ(e.message, "Cannot delete a policy attached to entities.");

  auto entities = ok("ListEntitiesForPolicy", {{"PolicyArn", kBasicExec}});
  ASSERT_EQ(entities["PolicyRoles"].size(), 1u);
  EXPECT_EQ(entities["PolicyRoles"][0]["RoleName"], "r");
  EXPECT_EQ(entities["PolicyUsers"].size(), 0u);

  e = err("DeleteRole", {{"RoleName", "r"}});
  EXPECT_EQ(e.code, "DeleteConflict");
  EXPECT_EQ(e.message, "Cannot delete entity, must detach all policies first.");
  ok("DetachRolePolicy", {{"RoleName", "r"}, {"PolicyArn", arn}});
  ok("DetachRolePolicy", {{"RoleName", "r"}, {"PolicyArn", kBasicExec}});
  e = err("DetachRolePolicy", {{"RoleName", "r"}, {"PolicyArn", arn}});
  EXPECT_EQ(e.code, "NoSuchEntity");
  EXPECT_EQ(e.message, "Policy " + arn + " was not found.");
  ok("DeleteRole", {{"RoleName", "r"}});
  EXPECT_EQ(err("GetRole", {{"RoleName", "r"}}).code, "NoSuchEntity");
}

TEST_F(IamTest, AttachedPoliciesQuota) {
  create_role("r");
  const char* names[] = {"AdministratorAccess", "ReadOnlyAccess", "AmazonS3FullAccess", "AmazonDynamoDBFullAccess",
                         "AmazonSNSFullAccess", "AmazonSQSFullAccess", "IAMFullAccess", "PowerUserAccess",
                         "AmazonS3ReadOnlyAccess", "CloudWatchLogsFullAccess", "AWSLambda_FullAccess"};
  for (int i = 0; i < 10; ++i)
    ok("AttachRolePolicy", {{"RoleName", "r"}, {"PolicyArn", std::string("arn:aws:iam::aws:policy/") + names[i]}});
  auto e = err("AttachRolePolicy", {{"RoleName", "r"}, {"PolicyArn", std::string("arn:aws:iam::aws:policy/") + names[10]}});
  EXPECT_EQ(e.code, "LimitExceeded");
  EXPECT_EQ(e.message, "Cannot exceed quota for PoliciesPerRole: 10");
}

TEST_F(IamTest, DeleteRoleWithInlinePolicyConflicts) {
  create_role("r");
  ok("PutRolePolicy", {{"RoleName", "r"}, {"PolicyName", "p"}, {"PolicyDocument", kPolicy}});
  auto e = err("DeleteRole", {{"RoleName", "r"}});
  EXPECT_EQ(e.code, "DeleteConflict");
  EXPECT_EQ(e.http_status, 409);
  EXPECT_EQ(e.message, "Cannot delete entity, must delete policies first.");
}

TEST_F(IamTest, ListPoliciesScopes) {
  ok("CreatePolicy", {{"PolicyName", "mine"}, {"PolicyDocument", kPolicy}});
  auto local = ok("ListPolicies", {{"Scope", "Local"}})["Policies"];
  ASSERT_EQ(local.size(), 1u);
  EXPECT_EQ(local[0]["PolicyName"], "mine");
  auto aws = ok("ListPolicies", {{"Scope", "AWS"}, {"MaxItems", 1000}})["Policies"];
  EXPECT_GE(aws.size(), 10u);
  bool found = false;
  for (const auto& p : aws)
    if (p["Arn"] == kBasicExec) found = p["Path"] == "/service-role/";
  EXPECT_TRUE(found);
  EXPECT_EQ(ok("ListPolicies", {{"OnlyAttached", true}})["Policies"].size(), 0u);
  create_role("r");
  ok("AttachRolePolicy", {{"RoleName", "r"}, {"PolicyArn", kBasicExec}});
  auto attached = ok("ListPolicies", {{"OnlyAttached", true}})["Policies"];
  ASSERT_EQ(attached.size(), 1u);
  EXPECT_EQ(attached[0]["AttachmentCount"], 1);
  EXPECT_EQ(err("ListPolicies", {{"Scope", "Mine"}}).message,
            "1 validation error detected: Value 'Mine' at 'scope' failed to satisfy constraint: Member must satisfy "
            "enum value set: [All, AWS, Local]");
  // Paginate the whole AWS list, two at a time, without repeats.
  std::set<std::string> seen;
  json in = {{"Scope", "AWS"}, {"MaxItems", 2}};
  for (int guard = 0; guard < 100; ++guard) {
    auto page = ok("ListPolicies", in);
    for (const auto& p : page["Policies"]) EXPECT_TRUE(seen.insert(p["Arn"].get<std::string>()).second);
    if (!page["IsTruncated"].get<bool>()) break;
    in["Marker"] = page["Marker"];
  }
  EXPECT_EQ(seen.size(), aws.size());
}

TEST_F(IamTest, AwsManagedPolicyVersionDocument) {
  auto v = ok("GetPolicyVersion", {{"PolicyArn", kBasicExec}, {"VersionId", "v1"}})["PolicyVersion"];
  auto doc = json::parse(url_decode(v["Document"].get<std::string>()));
  EXPECT_EQ(doc["Statement"][0]["Action"][0], "logs:CreateLogGroup");
  EXPECT_EQ(err("DeletePolicy", {{"PolicyArn", kBasicExec}}).code, "AccessDenied");
}

// ---------------------------------------------------------------- users and keys

TEST_F(IamTest, UsersLifecycle) {
  auto u = ok("CreateUser", {{"UserName", "alice"}, {"Path", "/eng/"}})["User"];
  EXPECT_EQ(u["Arn"], "arn:aws:iam::111122223333:user/eng/alice");
  EXPECT_EQ(u["UserId"].get<std::string>().substr(0, 4), "AIDA");
  EXPECT_EQ(err("CreateUser", {{"UserName", "ALICE"}}).message, "User with name ALICE already exists.");
  ok("CreateUser", {{"UserName", "bob"}});
  auto list = ok("ListUsers")["Users"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["UserName"], "alice");
  ok("PutUserPolicy", {{"UserName", "alice"}, {"PolicyName", "p"}, {"PolicyDocument", kPolicy}});
  ok("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}});
  ok("UpdateUser", {{"UserName", "alice"}, {"NewUserName", "alicia"}, {"NewPath", "/ops/"}});
  EXPECT_EQ(err("GetUser", {{"UserName", "alice"}}).message, "The user with name alice cannot be found.");
  auto renamed = ok("GetUser", {{"UserName", "alicia"}})["User"];
  EXPECT_EQ(renamed["Arn"], "arn:aws:iam::111122223333:user/ops/alicia");
  EXPECT_EQ(renamed["UserId"], u["UserId"]);
  EXPECT_EQ(ok("ListUserPolicies", {{"UserName", "alicia"}})["PolicyNames"], json::parse(R"(["p"])"));
  EXPECT_EQ(ok("ListAttachedUserPolicies", {{"UserName", "alicia"}})["AttachedPolicies"].size(), 1u);
  EXPECT_EQ(err("DeleteUser", {{"UserName", "alicia"}}).message,
            "Cannot delete entity, must detach all policies first.");
  ok("DetachUserPolicy", {{"UserName", "alicia"}, {"PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}});
  EXPECT_EQ(err("DeleteUser", {{"UserName", "alicia"}}).message, "Cannot delete entity, must delete policies first.");
  ok("DeleteUserPolicy", {{"UserName", "alicia"}, {"PolicyName", "p"}});
  ok("DeleteUser", {{"UserName", "alicia"}});
  EXPECT_EQ(ok("ListUsers")["Users"].size(), 1u);
}

TEST_F(IamTest, AccessKeysAndCredentialResolution) {
  auto user = ok("CreateUser", {{"UserName", "ci"}})["User"];
  auto key = ok("CreateAccessKey", {{"UserName", "ci"}})["AccessKey"];
  std::string id = key["AccessKeyId"];
  EXPECT_EQ(id.substr(0, 4), "AKIA");
  EXPECT_EQ(id.size(), 20u);
  EXPECT_EQ(key["SecretAccessKey"].get<std::string>().size(), 40u);
  EXPECT_EQ(key["Status"], "Active");
  EXPECT_EQ(key["UserName"], "ci");

  auto& resolver = awan::iam::credential_resolver(*svc_);
  auto p = resolver.lookup(id);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->secret_access_key, key["SecretAccessKey"]);
  EXPECT_EQ(p->account_id, "111122223333");
  EXPECT_EQ(p->arn, "arn:aws:iam::111122223333:user/ci");
  EXPECT_EQ(p->user_id, user["UserId"]);
  EXPECT_FALSE(p->expires.has_value());
  EXPECT_FALSE(resolver.lookup("AKIANOTAREALKEY00000").has_value());

  ok("CreateAccessKey", {{"UserName", "ci"}});
  auto e = err("CreateAccessKey", {{"UserName", "ci"}});
  EXPECT_EQ(e.code, "LimitExceeded");
  EXPECT_EQ(e.message, "Cannot exceed quota for AccessKeysPerUser: 2");
  EXPECT_EQ(ok("ListAccessKeys", {{"UserName", "ci"}})["AccessKeyMetadata"].size(), 2u);

  ok("UpdateAccessKey", {{"UserName", "ci"}, {"AccessKeyId", id}, {"Status", "Inactive"}});
  EXPECT_FALSE(resolver.lookup(id).has_value());
  EXPECT_EQ(err("UpdateAccessKey", {{"UserName", "ci"}, {"AccessKeyId", id}, {"Status", "Off"}}).code,
            "ValidationError");
  auto last = ok("GetAccessKeyLastUsed", {{"AccessKeyId", id}});
  EXPECT_EQ(last["UserName"], "ci");
  EXPECT_EQ(last["AccessKeyLastUsed"]["ServiceName"], "N/A");

  e = err("DeleteUser", {{"UserName", "ci"}});
  EXPECT_EQ(e.code, "DeleteConflict");
  EXPECT_EQ(e.message, "Cannot delete entity, must delete access keys first.");
  ok("DeleteAccessKey", {{"UserName", "ci"}, {"AccessKeyId", id}});
  e = err("DeleteAccessKey", {{"UserName", "ci"}, {"AccessKeyId", id}});
  EXPECT_EQ(e.code, "NoSuchEntity");
  EXPECT_EQ(e.message, "The Access Key with id " + id + " cannot be found.");
  EXPECT_FALSE(resolver.lookup(id).has_value());
}

TEST_F(IamTest, CallerIsTheDefaultUserForKeysAndGetUser) {
  ok("CreateUser", {{"UserName", "me"}});
  ctx_.caller_arn = "arn:aws:iam::111122223333:user/me";
  EXPECT_EQ(ok("GetUser")["User"]["UserName"], "me");
  auto key = ok("CreateAccessKey")["AccessKey"];
  EXPECT_EQ(key["UserName"], "me");
  ctx_.caller_arn.clear();
  auto root = ok("GetUser")["User"];
  EXPECT_EQ(root["Arn"], "arn:aws:iam::111122223333:root");
  EXPECT_EQ(root["UserId"], "111122223333");
  // Root keys resolve to the root principal.
  auto root_key = ok("CreateAccessKey")["AccessKey"];
  EXPECT_FALSE(root_key.contains("UserName"));
  auto p = awan::iam::credential_resolver(*svc_).lookup(root_key["AccessKeyId"].get<std::string>());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->arn, "arn:aws:iam::111122223333:root");
  EXPECT_EQ(p->user_id, "111122223333");
}

// ---------------------------------------------------------------- instance profiles

TEST_F(IamTest, InstanceProfiles) {
  create_role("r");
  auto ip = ok("CreateInstanceProfile", {{"InstanceProfileName", "web"}})["InstanceProfile"];
  EXPECT_EQ(ip["Arn"], "arn:aws:iam::111122223333:instance-profile/web");
  EXPECT_EQ(ip["Roles"].size(), 0u);
  ok("AddRoleToInstanceProfile", {{"InstanceProfileName", "web"}, {"RoleName", "r"}});
  EXPECT_EQ(ok("GetInstanceProfile", {{"InstanceProfileName", "web"}})["InstanceProfile"]["Roles"][0]["RoleName"], "r");
  EXPECT_EQ(ok("ListInstanceProfilesForRole", {{"RoleName", "r"}})["InstanceProfiles"].size(), 1u);
  EXPECT_EQ(err("DeleteRole", {{"RoleName", "r"}}).message,
            "Cannot delete entity, must remove roles from instance profile first.");
  EXPECT_EQ(err("DeleteInstanceProfile", {{"InstanceProfileName", "web"}}).code, "DeleteConflict");
  ok("RemoveRoleFromInstanceProfile", {{"InstanceProfileName", "web"}, {"RoleName", "r"}});
  ok("DeleteInstanceProfile", {{"InstanceProfileName", "web"}});
  ok("DeleteRole", {{"RoleName", "r"}});
  EXPECT_EQ(err("GetInstanceProfile", {{"InstanceProfileName", "web"}}).message,
            "Instance Profile web cannot be found.");
}

// ---------------------------------------------------------------- partitioning, persistence, misc

TEST_F(IamTest, AccountsArePartitioned) {
  create_role("shared");
  auto key = ok("CreateAccessKey", {{"UserName", ok("CreateUser", {{"UserName", "u"}})["User"]["UserName"]}});
  awan::RequestContext other;
  other.account_id = "444455556666";
  auto r = svc_->call(other, "GetRole", {{"RoleName", "shared"}});
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error->code, "NoSuchEntity");
  r = svc_->call(other, "CreateRole", {{"RoleName", "shared"}, {"AssumeRolePolicyDocument", kTrust}});
  ASSERT_FALSE(r.is_error());
  EXPECT_EQ(r.output["Role"]["Arn"], "arn:aws:iam::444455556666:role/shared");
  EXPECT_EQ(svc_->call(other, "ListUsers", json::object()).output["Users"].size(), 0u);
  auto p = awan::iam::credential_resolver(*svc_).lookup(key["AccessKey"]["AccessKeyId"].get<std::string>());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->account_id, "111122223333");
}

TEST_F(IamTest, UnknownOperation) {
  auto e = err("FlyToTheMoon");
  EXPECT_EQ(e.code, "InvalidAction");
}

TEST_F(IamTest, ResetDropsEverything) {
  create_role("r");
  svc_->reset();
  EXPECT_EQ(ok("ListRoles")["Roles"].size(), 0u);
}

TEST(IamPersistence, StateSurvivesReopen) {
  auto dir = std::filesystem::temp_directory_path() / ("awan-iam-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  awan::ServiceEnv env;
  env.data_dir = dir.string();
  awan::RequestContext ctx;
  ctx.account_id = "123456789012";
  std::string role_id, key_id;
  {
    auto svc = awan::iam::make_service(env);
    auto r = svc->call(ctx, "CreateRole", {{"RoleName", "keep"}, {"AssumeRolePolicyDocument", kTrust}});
    ASSERT_FALSE(r.is_error());
    role_id = r.output["Role"]["RoleId"];
    ASSERT_FALSE(svc->call(ctx, "PutRolePolicy", {{"RoleName", "keep"}, {"PolicyName", "p"}, {"PolicyDocument", kPolicy}})
                     .is_error());
    ASSERT_FALSE(svc->call(ctx, "CreateUser", {{"UserName", "u"}}).is_error());
    key_id = svc->call(ctx, "CreateAccessKey", {{"UserName", "u"}}).output["AccessKey"]["AccessKeyId"];
  }
  {
    auto svc = awan::iam::make_service(env);
    auto r = svc->call(ctx, "GetRole", {{"RoleName", "keep"}});
    ASSERT_FALSE(r.is_error());
    EXPECT_EQ(r.output["Role"]["RoleId"], role_id);
    auto p = svc->call(ctx, "GetRolePolicy", {{"RoleName", "keep"}, {"PolicyName", "p"}});
    ASSERT_FALSE(p.is_error());
    EXPECT_EQ(url_decode(p.output["PolicyDocument"].get<std::string>()), kPolicy);
    auto principal = awan::iam::credential_resolver(*svc).lookup(key_id);
    ASSERT_TRUE(principal.has_value());
    EXPECT_EQ(principal->arn, "arn:aws:iam::123456789012:user/u");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
