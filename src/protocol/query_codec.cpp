// awsQuery: Action=<operation> and the input as form parameters (Member.N, entry.N.key/value,
// flattened lists), the output as <OperationResponse><OperationResult>, errors as
// <ErrorResponse><Error>.
#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "protocol/codec_support.hpp"
#include "protocol/codecs.hpp"
#include "protocol/wire.hpp"

namespace awan::protocol {

namespace {

using json = nlohmann::json;
using wire::TsDefault;

// Query parameters of a request: the query string followed by a form body.
std::optional<std::vector<std::pair<std::string, std::string>>> request_params(const http::Request& req,
                                                                                bool include_body) {
  auto params = wire::parse_form(req.query);
  if (!params) return std::nullopt;
  if (include_body && !req.body.empty()) {
    auto b = wire::parse_form(req.body);
    if (!b) return std::nullopt;
    params->insert(params->end(), std::make_move_iterator(b->begin()), std::make_move_iterator(b->end()));
  }
  return params;
}

using ParamMap = std::map<std::string, std::string, std::less<>>;

bool has_prefix(const ParamMap& p, const std::string& key) {  // key itself or key.*
  auto it = p.lower_bound(key);
  if (it == p.end()) return false;
  if (it->first == key) return true;
  return it->first.size() > key.size() && it->first.compare(0, key.size(), key) == 0 && it->first[key.size()] == '.';
}

// Indices N present as "<prefix>.N" or "<prefix>.N.*", ascending.
std::vector<long> indices(const ParamMap& p, const std::string& prefix) {
  std::vector<long> out;
  std::string start = prefix + ".";
  for (auto it = p.lower_bound(start); it != p.end() && it->first.compare(0, start.size(), start) == 0; ++it) {
    std::string_view rest = std::string_view(it->first).substr(start.size());
    size_t dot = rest.find('.');
    std::string_view num = rest.substr(0, dot);
    if (num.empty() || num.size() >= 10) continue;  // at most 9 digits: no overflow below
    long n = 0;
    bool ok = true;
    for (char c : num)
      if (c < '0' || c > '9') ok = false;
      else n = n * 10 + (c - '0');
    if (ok) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// "X=" with no items under it: the empty list or map.
bool empty_collection(const ParamMap& p, const std::string& prefix) {
  auto it = p.find(prefix);
  return it != p.end() && it->second.empty();
}

std::optional<AwsError> query_value(const ParamMap& p, const MemberRef& ref, const std::string& prefix, json& out,
                                    bool& present);

std::optional<AwsError> query_struct(const ParamMap& p, const Shape& shape, const std::string& prefix, json& out) {
  out = json::object();
  for (const MemberRef& m : shape.members) {
    std::string key = prefix.empty() ? std::string(m.wire_name()) : prefix + "." + std::string(m.wire_name());
    json v;
    bool present = false;
    if (auto err = query_value(p, m, key, v, present)) return err;
    if (present) out[m.name] = std::move(v);
  }
  return std::nullopt;
}

std::optional<AwsError> query_value(const ParamMap& p, const MemberRef& ref, const std::string& prefix, json& out,
                                    bool& present) {
  const Shape& s = *ref.shape;
  switch (s.type) {
    case ShapeType::Structure:
      if (!has_prefix(p, prefix)) return std::nullopt;
      present = true;
      return query_struct(p, s, prefix, out);
    case ShapeType::List: {
      std::string list_prefix;
      if (ref.flattened) {
        list_prefix = prefix;
        if (!s.member.location_name.empty()) {
          size_t dot = prefix.rfind('.');
          list_prefix = (dot == std::string::npos ? std::string() : prefix.substr(0, dot + 1)) + s.member.location_name;
        }
      } else {
        list_prefix = prefix + "." + (s.member.location_name.empty() ? std::string("member") : s.member.location_name);
      }
      auto idx = indices(p, list_prefix);
      if (idx.empty()) {
        if (empty_collection(p, prefix)) {
          present = true;
          out = json::array();
        }
        return std::nullopt;
      }
      present = true;
      out = json::array();
      for (long i : idx) {
        json v;
        bool item_present = false;
        if (auto err = query_value(p, s.member, list_prefix + "." + std::to_string(i), v, item_present)) return err;
        out.push_back(item_present ? std::move(v) : json(nullptr));
      }
      return std::nullopt;
    }
    case ShapeType::Map: {
      std::string full = ref.flattened ? prefix : prefix + ".entry";
      std::string kname = s.key.location_name.empty() ? "key" : s.key.location_name;
      std::string vname = s.value.location_name.empty() ? "value" : s.value.location_name;
      auto idx = indices(p, full);
      if (idx.empty()) {
        if (empty_collection(p, prefix)) {
          present = true;
          out = json::object();
        }
        return std::nullopt;
      }
      present = true;
      out = json::object();
      for (long i : idx) {
        std::string base = full + "." + std::to_string(i);
        auto k = p.find(base + "." + kname);
        if (k == p.end()) continue;
        json v;
        bool vp = false;
        if (auto err = query_value(p, s.value, base + "." + vname, v, vp)) return err;
        out[k->second] = vp ? std::move(v) : json("");
      }
      return std::nullopt;
    }
    default: {
      auto it = p.find(prefix);
      if (it == p.end()) return std::nullopt;
      std::string why;
      if (!wire::text_to_value(ref, it->second, out, why))
        return AwsError("InvalidParameterValue",
                        "Value (" + it->second + ") for parameter " + prefix + " is invalid: " + why + ".", 400);
      present = true;
      return std::nullopt;
    }
  }
}

}  // namespace

using support::add_request_id_headers;

std::variant<Decoded, AwsError> QueryCodec::decode(const http::Request& req) const {
  auto params = request_params(req, true);
  // AWS's common errors list MalformedQueryString with status 404.
  if (!params) return AwsError("MalformedQueryString", "The query string contains a syntax error.", 404);
  ParamMap p;
  for (auto& [k, v] : *params) p.emplace(std::move(k), std::move(v));  // first value wins
  auto action = p.find("Action");
  if (action == p.end() || action->second.empty()) return AwsError::missing_action();
  const Operation* op = model_->operation(action->second);
  if (!op) return AwsError::invalid_action(action->second);
  Decoded d;
  d.operation = op->name;
  d.input = std::make_unique<json>(json::object());
  if (op->input) {
    if (auto err = query_struct(p, *op->input, "", *d.input)) return std::move(*err);
    // Older SQS clients post to the queue URL itself instead of passing QueueUrl.
    if (service_ == "sqs" && req.path.size() > 1 && !d.input->contains("QueueUrl") && op->input->find_member("QueueUrl")) {
      std::string_view host = req.headers.get("Host");
      (*d.input)["QueueUrl"] = "http://" + std::string(host.empty() ? "localhost" : host) + req.path;
    }
  }
  return d;
}

void QueryCodec::encode_output(const std::string& operation, const nlohmann::json& output, const EncodeContext& ctx,
                               http::Response& out) const {
  const Operation* op = model_->operation(operation);
  // Written as text, not through a DOM: this is every awsQuery service's hot path.
  std::string& xml = out.body;
  xml.clear();
  xml.reserve(512);
  xml.append("<").append(operation).append("Response");
  if (!model_->metadata().xml_namespace.empty()) {
    xml += " xmlns=\"";
    wire::xml_escape(xml, model_->metadata().xml_namespace, true);
    xml += '"';
  }
  xml += '>';
  if (op && op->output) {
    bool wrapped = !op->result_wrapper.empty();
    if (wrapped) xml.append("<").append(op->result_wrapper).append(">");
    wire::doc_struct_to_xml_text(xml, *op->output, output, TsDefault::Iso8601, false);
    if (wrapped) xml.append("</").append(op->result_wrapper).append(">");
  }
  xml += "<ResponseMetadata><RequestId>";
  wire::xml_escape(xml, ctx.request_id, false);
  xml.append("</RequestId></ResponseMetadata></").append(operation).append("Response>");
  out.status = 200;
  out.headers.set("Content-Type", "text/xml");
  add_request_id_headers(ctx, out);
}

std::string QueryCodec::wire_code(const AwsError& error) const {
  if (const Shape* s = model_->error_shape(error.code); s && !s->error.code.empty()) return s->error.code;
  return error.code;
}

void QueryCodec::encode_error(const AwsError& error, const EncodeContext& ctx, http::Response& out) const {
  pugi::xml_document doc;
  auto root = doc.append_child("ErrorResponse");
  if (!model_->metadata().xml_namespace.empty())
    root.append_attribute("xmlns").set_value(model_->metadata().xml_namespace.c_str());
  auto e = root.append_child("Error");
  e.append_child("Type").text().set(error.sender_fault ? "Sender" : "Receiver");
  e.append_child("Code").text().set(wire_code(error).c_str());
  e.append_child("Message").text().set(error.message.c_str());
  support::append_details_xml(error, e);
  root.append_child("RequestId").text().set(ctx.request_id.c_str());
  out.status = error.http_status;
  out.body = wire::xml_string(doc, false);
  out.headers.set("Content-Type", "text/xml");
  add_request_id_headers(ctx, out);
}

}  // namespace awan::protocol
