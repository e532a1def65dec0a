// Malformed and random input never crashes or throws out of a codec.
#include <gtest/gtest.h>

#include <random>

#include <nlohmann/json.hpp>

#include "helpers.hpp"
#include "protocol/codecs.hpp"

using namespace awan;
using namespace awan::protocol;
using namespace awan::protocol::test;
using nlohmann::json;

namespace {

const char* kServices[] = {"sts", "iam", "dynamodb", "dynamodbstreams", "sqs", "sns", "s3", "lambda", "apigateway", "logs"};

std::string random_text(std::mt19937& rng, size_t max_len, std::string_view alphabet) {
  std::uniform_int_distribution<size_t> len(0, max_len);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string s(len(rng), ' ');
  for (auto& c : s) c = alphabet[pick(rng)];
  return s;
}

}  // namespace

TEST(Robustness, RandomRequestsNeverThrow) {
  std::mt19937 rng(12345);
  const std::string_view form_chars = "abcAZ.=&%+0123456789-_";
  const std::string_view json_chars = "{}[]\":,0123456789.-eEtruefalsn \\";
  const std::string_view path_chars = "/abc%2F{}+?=&";
  const char* methods[] = {"GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"};
  for (const char* svc : kServices) {
    const auto* codec = dynamic_cast<const ModelCodec*>(codec_for(svc));
    ASSERT_NE(codec, nullptr) << svc;
    const auto& ops = codec->model().operations();
    for (int i = 0; i < 300; ++i) {
      const Operation* op = ops[rng() % ops.size()];
      http::Request r = make_request(methods[rng() % 6], "/");
      r.path = op->request_uri.substr(0, op->request_uri.find('?'));
      if (rng() % 2) r.path += random_text(rng, 12, path_chars);
      r.query = random_text(rng, 40, form_chars);
      if (codec->model().metadata().kind == ProtocolKind::Query) {
        r.body = "Action=" + op->name + "&" + random_text(rng, 80, form_chars);
      } else if (codec->model().metadata().kind == ProtocolKind::RestXml) {
        r.body = rng() % 2 ? "<a><b>" + random_text(rng, 40, "<>/abc") : "";
      } else {
        r.body = random_text(rng, 80, json_chars);
      }
      r.headers.add("X-Amz-Target", codec->model().metadata().target_prefix + "." + op->name);
      r.headers.add("x-amz-meta-" + random_text(rng, 5, "abc"), random_text(rng, 5, "abc"));
      EXPECT_NO_THROW({ auto res = codec->decode(r); }) << svc << " " << op->name;
    }
  }
}

TEST(Robustness, WellTypedJsonWithWrongShapesNeverThrows) {
  std::mt19937 rng(7);
  json values[] = {json(1), json(-2.5), json("s"), json(true), json(nullptr), json::array({1, "x"}), json::object({{"a", 1}})};
  for (const char* svc : {"dynamodb", "sqs", "logs"}) {
    const auto* codec = dynamic_cast<const ModelCodec*>(codec_for(svc));
    for (const Operation* op : codec->model().operations()) {
      if (!op->input) continue;
      json body = json::object();
      for (const MemberRef& m : op->input->members) body[m.name] = values[rng() % 7];
      auto r = json_request(codec->model().metadata().target_prefix + "." + op->name, body.dump());
      EXPECT_NO_THROW({ auto res = codec->decode(r); }) << svc << " " << op->name;
    }
  }
}

TEST(Robustness, WrongOutputDocumentsNeverThrow) {
  std::mt19937 rng(99);
  json values[] = {json(1), json(-2.5), json("s"), json(true), json(nullptr), json::array({1, "x"}), json::object({{"a", 1}}),
                   json(std::string("\xff\x00", 2))};
  for (const char* svc : kServices) {
    const auto* codec = dynamic_cast<const ModelCodec*>(codec_for(svc));
    for (const Operation* op : codec->model().operations()) {
      json out = json::object();
      if (op->output)
        for (const MemberRef& m : op->output->members) out[m.name] = values[rng() % 8];
      http::Response resp;
      EXPECT_NO_THROW(codec->encode_output(op->name, out, ctx(op->http_method), resp)) << svc << " " << op->name;
      http::Response r2;
      EXPECT_NO_THROW(codec->encode_output(op->name, values[rng() % 8], ctx(), r2)) << svc << " " << op->name;
    }
    http::Response err_resp;
    AwsError e("X", std::string("bad \xff bytes"), 400);
    e.details = std::make_shared<const json>(json{{"Key", 1}, {"List", json::array({1})}});
    EXPECT_NO_THROW(codec->encode_error(e, ctx(), err_resp)) << svc;
    EXPECT_NO_THROW(codec->encode_output("NoSuchOperation", json::object(), ctx(), err_resp)) << svc;
  }
}
