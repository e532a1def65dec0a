#include "protocol/model.hpp"
#include "protocol/per_model.hpp"

#include <array>
#include <mutex>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace awan::protocol {

namespace {

using json = nlohmann::json;

ShapeType shape_type(std::string_view t) {
  static const std::unordered_map<std::string_view, ShapeType> types{
      {"structure", ShapeType::Structure}, {"list", ShapeType::List},       {"map", ShapeType::Map},
      {"string", ShapeType::String},       {"integer", ShapeType::Integer}, {"long", ShapeType::Long},
      {"float", ShapeType::Float},         {"double", ShapeType::Double},   {"boolean", ShapeType::Boolean},
      {"timestamp", ShapeType::Timestamp}, {"blob", ShapeType::Blob},       {"bigInteger", ShapeType::BigInteger},
      {"bigDecimal", ShapeType::BigDecimal}};
  auto it = types.find(t);
  return it == types.end() ? ShapeType::Unknown : it->second;
}

Location location_of(std::string_view l) {
  if (l == "header") return Location::Header;
  if (l == "headers") return Location::Headers;
  if (l == "uri") return Location::Uri;
  if (l == "querystring") return Location::Querystring;
  if (l == "statusCode") return Location::StatusCode;
  return Location::Body;
}

ProtocolKind protocol_kind(std::string_view p) {
  if (p == "json") return ProtocolKind::Json;
  if (p == "query") return ProtocolKind::Query;
  if (p == "rest-xml") return ProtocolKind::RestXml;
  if (p == "rest-json") return ProtocolKind::RestJson;
  if (p == "ec2") return ProtocolKind::Ec2;
  return ProtocolKind::Unknown;
}

std::string str(const json& o, const char* k) {
  auto it = o.find(k);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}
bool flag(const json& o, const char* k) {
  auto it = o.find(k);
  return it != o.end() && it->is_boolean() && it->get<bool>();
}

// Shape-level traits first, then the reference's own (the reference wins).
void fill_ref(MemberRef& ref, const json& j, const std::unordered_map<std::string, Shape*, StringHash, std::equal_to<>>& by_name) {
  std::string target = str(j, "shape");
  auto it = by_name.find(target);
  if (it == by_name.end()) throw std::runtime_error("model: unknown shape " + target);
  const Shape* s = it->second;
  ref.shape = s;
  ref.location_name = s->location_name;
  ref.flattened = s->flattened;
  ref.streaming = s->streaming;
  ref.timestamp_format = s->timestamp_format;
  ref.xml_namespace_uri = s->xml_namespace_uri;
  ref.xml_namespace_prefix = s->xml_namespace_prefix;
  if (auto l = j.find("location"); l != j.end() && l->is_string()) ref.location = location_of(l->get<std::string>());
  if (j.contains("locationName")) ref.location_name = str(j, "locationName");
  if (flag(j, "flattened")) ref.flattened = true;
  if (flag(j, "streaming")) ref.streaming = true;
  ref.xml_attribute = flag(j, "xmlAttribute");
  ref.jsonvalue = flag(j, "jsonvalue");
  ref.host_label = flag(j, "hostLabel");
  ref.idempotency_token = flag(j, "idempotencyToken");
  if (j.contains("timestampFormat")) ref.timestamp_format = str(j, "timestampFormat");
  if (auto ns = j.find("xmlNamespace"); ns != j.end() && ns->is_object()) {
    ref.xml_namespace_uri = str(*ns, "uri");
    ref.xml_namespace_prefix = str(*ns, "prefix");
  }
}

// Whether the awsJson wire form of a shape equals its document form.
bool compute_identity(Shape* s, std::unordered_map<const Shape*, int>& state) {
  auto [it, inserted] = state.emplace(s, 1);  // 1 = visiting (assumed identity), 2 = done
  if (!inserted) return it->second == 1 ? true : s->json_identity;
  bool ident = true;
  auto ref_ok = [&](const MemberRef& r) {
    if (!r.location_name.empty() && r.location_name != r.name && !r.name.empty()) return false;
    if (r.shape->type == ShapeType::Timestamp && !r.timestamp_format.empty() && r.timestamp_format != "unixTimestamp")
      return false;
    return compute_identity(const_cast<Shape*>(r.shape), state);
  };
  switch (s->type) {
    case ShapeType::Structure:
      for (auto& m : s->members)
        if (!ref_ok(m)) ident = false;
      break;
    case ShapeType::List:
      ident = ref_ok(s->member);
      break;
    case ShapeType::Map:
      ident = ref_ok(s->key) && ref_ok(s->value);
      break;
    default:
      break;
  }
  s->json_identity = ident;
  state[s] = 2;
  return ident;
}

}  // namespace

const MemberRef* Shape::find_member(std::string_view member_name) const {
  auto it = member_index.find(member_name);
  return it == member_index.end() ? nullptr : &members[it->second];
}

Model::~Model() = default;

std::unique_ptr<Model> Model::parse(std::string_view key, std::string_view json_text) {
  json doc = json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) throw std::runtime_error("model: malformed JSON");
  std::unique_ptr<Model> m(new Model());
  m->key_ = std::string(key);

  static const json empty_object = json::object();
  auto section = [&](const char* name) -> const json& {
    auto it = doc.find(name);
    return it != doc.end() && it->is_object() ? *it : empty_object;
  };
  const json& meta = section("metadata");
  Metadata& md = m->metadata_;
  md.protocol = str(meta, "protocol");
  md.kind = protocol_kind(md.protocol);
  md.api_version = str(meta, "apiVersion");
  md.target_prefix = str(meta, "targetPrefix");
  md.json_version = str(meta, "jsonVersion");
  md.xml_namespace = str(meta, "xmlNamespace");
  md.signing_name = str(meta, "signingName");
  md.endpoint_prefix = str(meta, "endpointPrefix");
  md.service_id = str(meta, "serviceId");
  md.aws_query_compatible = meta.contains("awsQueryCompatible");

  const json& shapes = section("shapes");
  std::unordered_map<std::string, Shape*, StringHash, std::equal_to<>> by_name;
  by_name.reserve(shapes.size());
  m->shape_store_.reserve(shapes.size());
  // Pass 1: shapes and their own traits.
  for (auto it = shapes.begin(); it != shapes.end(); ++it) {
    auto s = std::make_unique<Shape>();
    const json& j = it.value();
    s->name = it.key();
    s->type = shape_type(str(j, "type"));
    s->payload = str(j, "payload");
    s->location_name = str(j, "locationName");
    s->timestamp_format = str(j, "timestampFormat");
    s->flattened = flag(j, "flattened");
    s->exception = flag(j, "exception");
    s->streaming = flag(j, "streaming");
    s->document = flag(j, "document");
    s->is_union = flag(j, "union");
    if (auto ns = j.find("xmlNamespace"); ns != j.end() && ns->is_object()) {
      s->xml_namespace_uri = str(*ns, "uri");
      s->xml_namespace_prefix = str(*ns, "prefix");
    }
    if (auto e = j.find("error"); e != j.end() && e->is_object()) {
      s->error.present = true;
      s->error.code = str(*e, "code");
      s->error.http_status = e->value("httpStatusCode", 400);
      s->error.sender_fault = e->value("senderFault", false);
    }
    if (s->exception && !s->error.present) {
      s->error.present = true;  // an exception without traits: a client error
      s->error.sender_fault = true;
    }
    by_name.emplace(s->name, s.get());
    m->shape_store_.push_back(std::move(s));
  }
  // Pass 2: references.
  for (auto& up : m->shape_store_) {
    Shape* s = up.get();
    const json& j = shapes.at(s->name);
    if (auto mem = j.find("members"); mem != j.end() && mem->is_object()) {
      s->members.reserve(mem->size());
      for (auto mi = mem->begin(); mi != mem->end(); ++mi) {
        MemberRef r;
        r.name = mi.key();
        fill_ref(r, mi.value(), by_name);
        s->member_index.emplace(r.name, s->members.size());
        s->members.push_back(std::move(r));
      }
      if (auto req = j.find("required"); req != j.end() && req->is_array())
        for (const auto& n : *req)
          if (n.is_string())
            if (auto mi = s->member_index.find(n.get<std::string>()); mi != s->member_index.end())
              s->members[mi->second].required = true;
    }
    if (auto x = j.find("member"); x != j.end()) fill_ref(s->member, *x, by_name);
    if (auto x = j.find("key"); x != j.end()) fill_ref(s->key, *x, by_name);
    if (auto x = j.find("value"); x != j.end()) fill_ref(s->value, *x, by_name);
    if (!s->payload.empty()) s->payload_member = s->find_member(s->payload);
  }
  std::unordered_map<const Shape*, int> state;
  for (auto& up : m->shape_store_) compute_identity(up.get(), state);
  for (auto& up : m->shape_store_) {
    m->shapes_.emplace(up->name, up.get());
    if (up->error.present && !up->error.code.empty()) m->errors_by_code_.emplace(up->error.code, up.get());
  }

  const json& ops = section("operations");
  m->operation_store_.reserve(ops.size());
  for (auto it = ops.begin(); it != ops.end(); ++it) {
    auto op = std::make_unique<Operation>();
    const json& j = it.value();
    op->name = it.key();
    if (auto h = j.find("http"); h != j.end() && h->is_object()) {
      if (h->contains("method")) op->http_method = str(*h, "method");
      if (h->contains("requestUri")) op->request_uri = str(*h, "requestUri");
      op->response_code = h->value("responseCode", 0);
    }
    if (auto in = j.find("input"); in != j.end() && in->is_object()) {
      auto s = by_name.find(str(*in, "shape"));
      if (s != by_name.end()) op->input = s->second;
      op->input_location_name = str(*in, "locationName");
      if (auto ns = in->find("xmlNamespace"); ns != in->end() && ns->is_object()) op->input_xml_namespace = str(*ns, "uri");
    }
    if (auto out = j.find("output"); out != j.end() && out->is_object()) {
      auto s = by_name.find(str(*out, "shape"));
      if (s != by_name.end()) op->output = s->second;
      op->result_wrapper = str(*out, "resultWrapper");
    }
    op->deprecated = flag(j, "deprecated");
    if (auto errs = j.find("errors"); errs != j.end() && errs->is_array())
      for (const auto& e : *errs) {
        std::string n = e.is_string() ? e.get<std::string>() : (e.is_object() ? str(e, "shape") : std::string());
        if (auto s = by_name.find(n); s != by_name.end()) op->errors.push_back(s->second);
      }
    m->operations_.emplace(op->name, op.get());
    m->operation_list_.push_back(op.get());
    m->operation_store_.push_back(std::move(op));
  }
  return m;
}

const Operation* Model::operation(std::string_view name) const {
  auto it = operations_.find(name);
  return it == operations_.end() ? nullptr : it->second;
}

const Shape* Model::shape(std::string_view name) const {
  auto it = shapes_.find(name);
  return it == shapes_.end() ? nullptr : it->second;
}

const Shape* Model::error_shape(std::string_view code) const {
  if (auto it = shapes_.find(code); it != shapes_.end() && it->second->error.present) return it->second;
  if (auto it = errors_by_code_.find(code); it != errors_by_code_.end()) return it->second;
  return nullptr;
}

AwsError Model::make_error(std::string_view code, std::string message) const {
  AwsError e(std::string(code), std::move(message));
  if (const Shape* s = error_shape(code)) {
    e.http_status = s->error.http_status;
    e.sender_fault = s->error.sender_fault || s->error.http_status < 500;
  }
  return e;
}

const Model* Model::get(std::string_view service) {
  static PerModel<Model> models;
  return models.get(service, [](std::string_view name) -> std::unique_ptr<Model> {
    try {
      return parse(name, embedded_model(name));
    } catch (const std::exception&) {
      return nullptr;
    }
  });
}

}  // namespace awan::protocol
