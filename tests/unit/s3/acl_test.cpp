// Block Public Access's judgement of bucket policies (emulators/s3/acl.hpp): public statements,
// pinning conditions, and documents of any shape (the caller's JSON), which never throw.
#include "s3/acl.hpp"

#include <gtest/gtest.h>

namespace awan::s3 {
namespace {

TEST(PolicyIsPublic, AllowForEveryoneWithoutAPinningCondition) {
  EXPECT_TRUE(acl::policy_is_public(R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]})"));
  EXPECT_TRUE(acl::policy_is_public(R"({"Statement": {"Effect": "Allow", "Principal": {"AWS": ["*"]}}})"));
  EXPECT_FALSE(acl::policy_is_public(R"({"Statement": [{"Effect": "Deny", "Principal": "*"}]})"));
  EXPECT_FALSE(acl::policy_is_public(
      R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Condition": {"StringEquals": {"aws:SourceAccount": "1"}}}]})"));
}

// The fuzzer's class of bug: json::value throws on a member of another type.
TEST(PolicyIsPublic, MembersOfTheWrongTypeAreNotPublic) {
  EXPECT_FALSE(acl::policy_is_public(R"({"Statement": [{"Effect": 1, "Principal": "*"}]})"));
  EXPECT_FALSE(acl::policy_is_public(R"({"Statement": [{"Effect": ["Allow"], "Principal": "*"}]})"));
  EXPECT_FALSE(acl::policy_is_public(R"({"Statement": [1, "x", null]})"));
  EXPECT_FALSE(acl::policy_is_public(R"({"Statement": "Allow"})"));
  EXPECT_FALSE(acl::policy_is_public(R"([{"Effect": "Allow", "Principal": "*"}])"));
  EXPECT_TRUE(acl::policy_is_public(
      R"({"Statement": [{"Effect": "Allow", "Principal": "*", "Condition": {"StringEquals": 5, "X": {"aws:SourceIp": "*"}}}]})"));
}

}  // namespace
}  // namespace awan::s3
