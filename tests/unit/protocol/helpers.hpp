#pragma once
#include <string>
#include <variant>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "protocol/codec.hpp"

namespace awan::protocol::test {

inline http::Request make_request(std::string method, std::string target, std::string body = "") {
  http::Request r;
  r.method = std::move(method);
  r.target = target;
  auto q = target.find('?');
  r.path = target.substr(0, q);
  r.query = q == std::string::npos ? "" : target.substr(q + 1);
  r.body = std::move(body);
  return r;
}

inline http::Request json_request(std::string_view target, std::string body) {
  auto r = make_request("POST", "/", std::move(body));
  r.headers.add("X-Amz-Target", std::string(target));
  r.headers.add("Content-Type", "application/x-amz-json-1.0");
  return r;
}

inline http::Request form_request(std::string body) {
  auto r = make_request("POST", "/", std::move(body));
  r.headers.add("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  return r;
}

inline const Decoded& ok(const std::variant<Decoded, AwsError>& v) {
  if (auto* e = std::get_if<AwsError>(&v)) ADD_FAILURE() << "unexpected error " << e->code << ": " << e->message;
  static Decoded empty{"", std::make_unique<nlohmann::json>(nlohmann::json::object())};
  auto* d = std::get_if<Decoded>(&v);
  return d ? *d : empty;
}

inline AwsError err(const std::variant<Decoded, AwsError>& v) {
  if (auto* e = std::get_if<AwsError>(&v)) return *e;
  ADD_FAILURE() << "expected an error, got operation " << std::get<Decoded>(v).operation;
  return {};
}

inline EncodeContext ctx(std::string method = "") {
  EncodeContext c;
  c.request_id = "req-1234";
  c.region = "us-east-1";
  c.account_id = "123456789012";
  c.http_method = std::move(method);
  return c;
}

inline pugi::xml_node parse_xml(pugi::xml_document& doc, const std::string& text) {
  auto res = doc.load_string(text.c_str());
  EXPECT_TRUE(res) << "bad XML: " << text;
  return doc.document_element();
}

}  // namespace awan::protocol::test
