#include "protocol/codec_support.hpp"

#include "core/crypto.hpp"
#include "protocol/wire.hpp"

namespace awan::protocol::support {

using json = nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string message_key(const Shape* s) {
  if (s && !s->find_member("message") && s->find_member("Message")) return "Message";
  return "message";
}

void merge_details_json(const AwsError& e, json& body) {
  if (!e.details || !e.details->is_object()) return;
  for (auto it = e.details->begin(); it != e.details->end(); ++it)
    if (!body.contains(it.key())) body[it.key()] = *it;
}

void append_details_xml(const AwsError& error, pugi::xml_node e) {
  if (error.details && error.details->is_object())
    for (auto it = error.details->begin(); it != error.details->end(); ++it) {
      std::string text = it->is_string() ? it->get<std::string>() : dump(*it);
      e.append_child(it.key().c_str()).text().set(text.c_str());
    }
}

void add_request_id_headers(const EncodeContext& ctx, http::Response& out) {
  if (!ctx.request_id.empty()) out.headers.set("x-amzn-RequestId", ctx.request_id);
}

std::string header_text(const MemberRef& m, const nlohmann::json& v) {
  std::string text;
  if (m.shape->type == ShapeType::List && v.is_array()) {
    for (const auto& item : v) {
      if (!text.empty()) text += ",";
      text += wire::value_to_text(m.shape->member, item, wire::TsDefault::Rfc822);
    }
  } else if (m.jsonvalue) {
    text = crypto::base64_encode(v.is_string() ? v.get<std::string>() : dump(v));
  } else {
    text = wire::value_to_text(m, v, wire::TsDefault::Rfc822);
  }
  return text;
}

}  // namespace awan::protocol::support
