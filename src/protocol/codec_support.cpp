#include "protocol/codec_support.hpp"

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

}  // namespace awan::protocol::support
