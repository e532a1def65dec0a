// The client side of the codecs (client_codec.hpp): requests built and answers read from the
// same models and wire walkers the server codecs use, in the other direction.
#include "protocol/client_codec.hpp"
#include "protocol/codec.hpp"

#include <algorithm>
#include <initializer_list>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "core/crypto.hpp"
#include "protocol/codec_support.hpp"
#include "protocol/model.hpp"
#include "protocol/wire.hpp"

namespace awan::protocol {

namespace {

using json = nlohmann::json;
using wire::TsDefault;
using Params = std::vector<std::pair<std::string, std::string>>;

void append_form(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += '&';
  out += text::percent_encode(key);
  out += '=';
  out += text::percent_encode(value);
}

// awsQuery parameters of a value (the inverse of the query codec's decoder).
void query_params(const MemberRef& ref, const std::string& prefix, const json& v, Params& out, int depth) {
  if (depth > wire::kMaxNesting || v.is_null()) return;
  const Shape& s = *ref.shape;
  switch (s.type) {
    case ShapeType::Structure:
      if (!v.is_object()) return;
      for (const MemberRef& m : s.members) {
        auto it = v.find(m.name);
        if (it == v.end()) continue;
        std::string key = prefix.empty() ? std::string(m.wire_name()) : prefix + "." + std::string(m.wire_name());
        query_params(m, key, *it, out, depth + 1);
      }
      return;
    case ShapeType::List: {
      if (!v.is_array()) return;
      if (v.empty()) {
        out.emplace_back(prefix, "");
        return;
      }
      std::string base;
      if (ref.flattened) {
        base = prefix;
        if (!s.member.location_name.empty()) {
          size_t dot = prefix.rfind('.');
          base = (dot == std::string::npos ? std::string() : prefix.substr(0, dot + 1)) + s.member.location_name;
        }
      } else {
        base = prefix + "." + (s.member.location_name.empty() ? std::string("member") : s.member.location_name);
      }
      for (size_t i = 0; i < v.size(); ++i) query_params(s.member, base + "." + std::to_string(i + 1), v[i], out, depth + 1);
      return;
    }
    case ShapeType::Map: {
      if (!v.is_object()) return;
      if (v.empty()) {
        out.emplace_back(prefix, "");
        return;
      }
      std::string base = ref.flattened ? prefix : prefix + ".entry";
      std::string kname = s.key.location_name.empty() ? "key" : s.key.location_name;
      std::string vname = s.value.location_name.empty() ? "value" : s.value.location_name;
      size_t i = 0;
      for (auto it = v.begin(); it != v.end(); ++it) {
        std::string entry = base + "." + std::to_string(++i);
        out.emplace_back(entry + "." + kname, it.key());
        query_params(s.value, entry + "." + vname, *it, out, depth + 1);
      }
      return;
    }
    default:
      out.emplace_back(prefix, wire::value_to_text(ref, v, TsDefault::Iso8601));
  }
}

std::string_view xml_root_name(const MemberRef& pm) {
  if (!pm.location_name.empty()) return pm.location_name;
  if (!pm.shape->location_name.empty()) return pm.shape->location_name;
  return pm.name;
}

std::string xml_body(std::string_view root_name, std::string_view ns, const Shape& shape, const json& doc) {
  pugi::xml_document d;
  auto root = d.append_child(std::string(root_name).c_str());
  if (!ns.empty()) root.append_attribute("xmlns").set_value(std::string(ns).c_str());
  wire::doc_struct_to_xml(root, shape, doc, TsDefault::Iso8601, true);
  return wire::xml_string(d, true);
}

void finish_target(http::Request& req) { req.target = req.query.empty() ? req.path : req.path + "?" + req.query; }

std::variant<http::Request, AwsError> encode_rest(const Operation& op, const json& input, const Payload* payload,
                                                  bool xml) {
  http::Request req;
  req.method = op.http_method;
  const Shape* shape = op.input;
  auto member_of_label = [&](std::string_view label) -> const MemberRef* {
    if (!shape) return nullptr;
    for (const MemberRef& m : shape->members)
      if (m.location == Location::Uri && m.wire_name() == label) return &m;
    return nullptr;
  };
  // The URI template: labels expanded, its literal query kept.
  std::string_view uri = op.request_uri;
  std::string_view literal_query;
  if (size_t q = uri.find('?'); q != std::string_view::npos) {
    literal_query = uri.substr(q + 1);
    uri = uri.substr(0, q);
  }
  std::string path;
  for (size_t i = 0; i < uri.size();) {
    if (uri[i] != '{') {
      path += uri[i++];
      continue;
    }
    size_t close = uri.find('}', i);
    if (close == std::string_view::npos) return AwsError("InvalidRequest", "malformed URI template in the model", 500);
    std::string_view label = uri.substr(i + 1, close - i - 1);
    bool greedy = !label.empty() && label.back() == '+';
    if (greedy) label.remove_suffix(1);
    const MemberRef* m = member_of_label(label);
    auto it = m ? input.find(m->name) : input.end();
    if (!m || it == input.end() || it->is_null())
      return AwsError("ParamValidation", "Missing required parameter in input: \"" + std::string(label) + "\"", 400);
    std::string value = wire::value_to_text(*m, *it, TsDefault::Iso8601);
    if (value.empty()) return AwsError("ParamValidation", "Invalid length for parameter " + std::string(label) + ", value: 0", 400);
    path += text::percent_encode(value, greedy);
    i = close + 1;
  }
  req.path = path.empty() ? "/" : path;
  std::string query(literal_query);
  std::string body;
  if (shape) {
    for (const MemberRef& m : shape->members) {
      auto it = input.find(m.name);
      if (it == input.end() || it->is_null()) continue;
      switch (m.location) {
        case Location::Querystring:
          if (m.shape->type == ShapeType::Map && it->is_object()) {
            for (auto kv = it->begin(); kv != it->end(); ++kv)
              append_form(query, kv.key(), kv->is_string() ? kv->get<std::string>() : kv->dump());
          } else if (m.shape->type == ShapeType::List && it->is_array()) {
            for (const auto& item : *it) append_form(query, m.wire_name(), wire::value_to_text(m.shape->member, item, TsDefault::Iso8601));
          } else {
            append_form(query, m.wire_name(), wire::value_to_text(m, *it, TsDefault::Iso8601));
          }
          break;
        case Location::Header:
          req.headers.set(std::string(m.wire_name()), support::header_text(m, *it));
          break;
        case Location::Headers:
          if (it->is_object())
            for (auto h = it->begin(); h != it->end(); ++h)
              req.headers.add(std::string(m.wire_name()) + h.key(), h->is_string() ? h->get<std::string>() : h->dump());
          break;
        default:
          break;
      }
    }
    if (const MemberRef* pm = shape->payload_member) {
      auto it = input.find(pm->name);
      ShapeType t = pm->shape->type;
      if (t == ShapeType::Blob || t == ShapeType::String) {
        if (payload) {
          auto bytes = payload->read_all();
          if (!bytes) return AwsError("InvalidRequest", "the request's payload cannot be read", 400);
          body = std::move(*bytes);
        } else if (it != input.end() && it->is_string()) {
          body = it->get<std::string>();
        }
        if (!req.headers.has("Content-Type") && !body.empty()) req.headers.set("Content-Type", "application/octet-stream");
      } else if (it != input.end() && it->is_object()) {
        if (xml) {
          std::string ns = pm->xml_namespace_uri.empty() ? pm->shape->xml_namespace_uri : pm->xml_namespace_uri;
          body = xml_body(xml_root_name(*pm), ns, *pm->shape, *it);
          req.headers.set("Content-Type", "application/xml");
        } else {
          body = support::dump(wire::doc_to_json(*pm, *it));
          req.headers.set("Content-Type", "application/json");
        }
      }
    } else if (std::any_of(shape->members.begin(), shape->members.end(), [&](const MemberRef& m) {
                 return m.location == Location::Body && input.contains(m.name);
               })) {
      if (xml) {
        body = xml_body(op.input_location_name.empty() ? op.name + "Request" : op.input_location_name,
                        op.input_xml_namespace, *shape, input);
        req.headers.set("Content-Type", "application/xml");
      } else {
        body = support::dump(wire::doc_struct_to_json(*shape, input, true));
        req.headers.set("Content-Type", "application/json");
      }
    }
  }
  req.query = std::move(query);
  req.body = std::move(body);
  finish_target(req);
  return req;
}

// "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException" / "Code:http://..." → "Code".
std::string bare_code(std::string_view code) {
  if (size_t hash = code.rfind('#'); hash != std::string_view::npos) code = code.substr(hash + 1);
  if (size_t colon = code.find(':'); colon != std::string_view::npos) code = code.substr(0, colon);
  return std::string(code);
}

// The code a body-less error answer (HEAD) gets, as the SDKs name them.
std::string status_code_name(int status) {
  switch (status) {
    case 304: return "NotModified";
    case 400: return "BadRequest";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 412: return "PreconditionFailed";
    default: return std::to_string(status);
  }
}

AwsError decode_error(const Model& model, int status, const http::Headers& headers, const std::string& body) {
  std::string code, message;
  ProtocolKind kind = model.metadata().kind;
  if (kind == ProtocolKind::Json || kind == ProtocolKind::RestJson) {
    json j = json::parse(body, nullptr, false);
    // The first of these members that is a string: the answer is the server's, of any shape.
    auto first_text = [&j](std::initializer_list<const char*> keys) {
      for (const char* k : keys)
        if (auto it = j.find(k); it != j.end() && it->is_string()) return it->get<std::string>();
      return std::string();
    };
    code = first_text({"__type", "code", "Code"});
    message = first_text({"message", "Message", "errorMessage"});
    if (std::string_view t = headers.get("x-amzn-ErrorType"); !t.empty()) code = std::string(t);
    if (std::string_view q = headers.get("x-amzn-query-error"); !q.empty()) code = std::string(q.substr(0, q.find(';')));
  } else {
    pugi::xml_document doc;
    if (!body.empty() && doc.load_buffer(body.data(), body.size())) {
      pugi::xml_node e = doc.document_element();
      if (wire::local_name(e) == "ErrorResponse" || wire::local_name(e) == "Response") {
        for (auto c : e.children())
          if (wire::local_name(c) == "Error" || wire::local_name(c) == "Errors") e = c;
        if (auto inner = e.child("Error")) e = inner;
      }
      for (auto c : e.children()) {
        if (wire::local_name(c) == "Code") code = c.text().get();
        if (wire::local_name(c) == "Message") message = c.text().get();
      }
    }
  }
  code = code.empty() ? status_code_name(status) : bare_code(code);
  AwsError e(code, message, status);
  e.sender_fault = status < 500;
  return e;
}

Result decode_rest_output(const Operation& op, int status, const http::Headers& headers, std::string body, bool xml) {
  Result r;
  const Shape* shape = op.output;
  if (!shape) return r;
  json& out = r.output;
  for (const MemberRef& m : shape->members) {
    switch (m.location) {
      case Location::Header: {
        const std::string* h = headers.find(m.wire_name());
        if (!h) break;
        json v;
        std::string why;
        if (m.shape->type == ShapeType::List) {
          v = json::array();
          size_t pos = 0;
          while (pos <= h->size()) {
            size_t comma = h->find(',', pos);
            if (comma == std::string::npos) comma = h->size();
            std::string item = h->substr(pos, comma - pos);
            item.erase(0, item.find_first_not_of(' '));
            item.erase(item.find_last_not_of(' ') + 1);
            json iv;
            if (!item.empty() && wire::text_to_value(m.shape->member, item, iv, why)) v.push_back(std::move(iv));
            pos = comma + 1;
          }
        } else if (m.jsonvalue) {
          auto decoded = crypto::base64_decode(*h);
          v = decoded ? json::parse(*decoded, nullptr, false) : json();
          if (v.is_discarded()) v = *decoded;
        } else if (!wire::text_to_value(m, *h, v, why)) {
          v = *h;
        }
        out[m.name] = std::move(v);
        break;
      }
      case Location::Headers: {
        json obj = json::object();
        std::string_view prefix = m.wire_name();
        for (const auto& h : headers.items()) {
          if (h.name.size() <= prefix.size() || !http::iequals(std::string_view(h.name).substr(0, prefix.size()), prefix))
            continue;
          std::string key = text::ascii_lower(std::string_view(h.name).substr(prefix.size()));
          obj[key] = h.value;
        }
        if (!obj.empty()) out[m.name] = std::move(obj);
        break;
      }
      case Location::StatusCode:
        out[m.name] = status;
        break;
      default:
        break;
    }
  }
  auto bad = [](const std::string& why) {
    return Result::fail(AwsError("SerializationException", "cannot read the service's answer: " + why, 500));
  };
  if (const MemberRef* pm = shape->payload_member) {
    ShapeType t = pm->shape->type;
    if (t == ShapeType::Blob && pm->streaming) {
      r.payload = Payload::of_bytes(std::move(body));
    } else if (t == ShapeType::Blob || t == ShapeType::String) {
      out[pm->name] = std::move(body);
    } else if (!body.empty()) {
      json v;
      if (xml) {
        pugi::xml_document doc;
        if (!doc.load_buffer(body.data(), body.size())) return bad("malformed XML");
        if (auto err = wire::xml_to_doc(*pm, doc.document_element(), v)) return bad(*err);
      } else {
        json w = json::parse(body, nullptr, false);
        if (w.is_discarded()) return bad("malformed JSON");
        if (auto err = wire::json_to_doc(*pm, w, v)) return bad(*err);
      }
      out[pm->name] = std::move(v);
    }
  } else if (!body.empty()) {
    json v;
    if (xml) {
      pugi::xml_document doc;
      if (!doc.load_buffer(body.data(), body.size())) return bad("malformed XML");
      pugi::xml_node root = doc.document_element();
      // GetBucketLocation's answer is the element itself.
      if (shape->members.size() == 1 && wire::local_name(root) == shape->members[0].wire_name() &&
          shape->members[0].shape->type == ShapeType::String) {
        out[shape->members[0].name] = root.text().get();
        return r;
      }
      if (auto err = wire::xml_struct_to_doc(*shape, root, v)) return bad(*err);
    } else {
      json w = json::parse(body, nullptr, false);
      if (w.is_discarded()) return bad("malformed JSON");
      if (auto err = wire::json_struct_to_doc(*shape, w, v, true)) return bad(*err);
    }
    for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = std::move(*it);
  }
  return r;
}

}  // namespace

std::variant<http::Request, AwsError> encode_request(std::string_view service, const std::string& operation,
                                                     const json& input, const Payload* payload) {
  const Model* model = Model::get(service);
  if (!model) return AwsError("UnknownService", "no model for service " + std::string(service), 400);
  const Operation* op = model->operation(operation);
  if (!op) return AwsError("UnknownOperation", "service " + std::string(service) + " has no operation " + operation, 400);
  const Metadata& md = model->metadata();
  switch (md.kind) {
    case ProtocolKind::Json: {
      http::Request req;
      req.method = "POST";
      req.path = "/";
      finish_target(req);
      req.headers.set("Content-Type", "application/x-amz-json-" + (md.json_version.empty() ? std::string("1.0") : md.json_version));
      req.headers.set("X-Amz-Target", md.target_prefix + "." + op->name);
      req.body = op->input && input.is_object() ? support::dump(wire::doc_struct_to_json(*op->input, input, false)) : "{}";
      return req;
    }
    case ProtocolKind::Query: {
      http::Request req;
      req.method = "POST";
      req.path = "/";
      finish_target(req);
      req.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
      append_form(req.body, "Action", op->name);
      append_form(req.body, "Version", md.api_version);
      if (op->input && input.is_object()) {
        Params params;
        MemberRef root;
        root.shape = op->input;
        query_params(root, "", input, params, 0);
        for (const auto& [k, v] : params) append_form(req.body, k, v);
      }
      return req;
    }
    case ProtocolKind::RestXml:
    case ProtocolKind::RestJson:
      return encode_rest(*op, input.is_object() ? input : json::object(), payload, md.kind == ProtocolKind::RestXml);
    default:
      return AwsError("UnknownService", "the protocol of service " + std::string(service) + " is not supported", 400);
  }
}

Result decode_response(std::string_view service, const std::string& operation, int status,
                       const http::Headers& headers, std::string body) {
  const Model* model = Model::get(service);
  if (!model) return Result::fail(AwsError("UnknownService", "no model for service " + std::string(service), 400));
  const Operation* op = model->operation(operation);
  if (!op) return Result::fail(AwsError("UnknownOperation", "no operation " + operation, 400));
  ProtocolKind kind = model->metadata().kind;
  if (status >= 300) return Result::fail(decode_error(*model, status, headers, body));
  auto bad = [](const std::string& why) {
    return Result::fail(AwsError("SerializationException", "cannot read the service's answer: " + why, 500));
  };
  switch (kind) {
    case ProtocolKind::Json: {
      Result r;
      if (!op->output || body.empty()) return r;
      json w = json::parse(body, nullptr, false);
      if (w.is_discarded() || !w.is_object()) return bad("malformed JSON");
      if (auto err = wire::json_struct_to_doc(*op->output, w, r.output, false)) return bad(*err);
      return r;
    }
    case ProtocolKind::Query: {
      Result r;
      if (!op->output) return r;
      pugi::xml_document doc;
      if (!doc.load_buffer(body.data(), body.size())) return bad("malformed XML");
      pugi::xml_node node = doc.document_element();
      if (!op->result_wrapper.empty()) {
        pugi::xml_node wrapped;
        for (auto c : node.children())
          if (wire::local_name(c) == op->result_wrapper) wrapped = c;
        if (!wrapped) return r;
        node = wrapped;
      }
      if (auto err = wire::xml_struct_to_doc(*op->output, node, r.output)) return bad(*err);
      return r;
    }
    case ProtocolKind::RestXml:
    case ProtocolKind::RestJson:
      return decode_rest_output(*op, status, headers, std::move(body), kind == ProtocolKind::RestXml);
    default:
      return bad("unsupported protocol");
  }
}

std::optional<json> decode_xml_shape(std::string_view service, std::string_view shape_name, std::string_view xml) {
  const Model* model = Model::get(service);
  const Shape* shape = model ? model->shape(shape_name) : nullptr;
  if (!shape || shape->type != ShapeType::Structure) return std::nullopt;
  pugi::xml_document doc;
  if (xml.empty() || !doc.load_buffer(xml.data(), xml.size())) return std::nullopt;
  pugi::xml_node root = doc.document_element();
  std::string_view expected = shape->location_name.empty() ? std::string_view(shape->name) : shape->location_name;
  if (wire::local_name(root) != expected || wire::xml_nesting_exceeds(root)) return std::nullopt;
  json out;
  if (wire::xml_struct_to_doc(*shape, root, out)) return std::nullopt;
  return out;
}

}  // namespace awan::protocol
