// restXml (S3) and restJson (Lambda, API Gateway): the operation from the method, the path
// (URI labels, greedy labels, S3 virtual-hosted buckets) and the query; members from the URI,
// the query string, headers and the body (a payload member or the remaining members).
#include <algorithm>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "protocol/codec_support.hpp"
#include "protocol/codecs.hpp"
#include "protocol/wire.hpp"

namespace awan::protocol {

namespace {

using json = nlohmann::json;
using support::add_request_id_headers;
using support::dump;
using wire::TsDefault;

constexpr std::string_view kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

// ------------------------------------------------------------ routing

struct PathMatch {
  std::vector<std::pair<std::string, std::string>> labels;  // label → raw (still encoded) value
};

// Whether the path parts fit the route's segments; with `m`, the labels' values too (routing
// only asks whether, for every route of the method: no strings built then).
bool match_path(const std::vector<RestCodec::Segment>& segs, const std::vector<std::string_view>& parts, PathMatch* m) {
  size_t i = 0;
  for (size_t si = 0; si < segs.size(); ++si) {
    const auto& s = segs[si];
    if (s.greedy) {
      if (i >= parts.size()) return false;
      if (!m && s.literal.empty() && s.suffix.empty()) {  // the rest of the path, not empty
        bool empty = parts.size() - i == 1 && parts[i].empty();
        return !empty && si + 1 == segs.size();
      }
      std::string joined;
      for (size_t j = i; j < parts.size(); ++j) {
        if (j > i) joined += '/';
        joined += parts[j];
      }
      if (joined.size() < s.literal.size() + s.suffix.size() || joined.compare(0, s.literal.size(), s.literal) != 0)
        return false;
      std::string value = joined.substr(s.literal.size(), joined.size() - s.literal.size() - s.suffix.size());
      if (value.empty()) return false;
      if (m) m->labels.emplace_back(s.label, std::move(value));
      return si + 1 == segs.size();
    }
    if (i >= parts.size()) return false;
    std::string_view part = parts[i++];
    if (s.label.empty()) {
      if (part != s.literal) return false;
      continue;
    }
    if (part.size() <= s.literal.size() + s.suffix.size() || part.compare(0, s.literal.size(), s.literal) != 0 ||
        part.substr(part.size() - s.suffix.size()) != s.suffix)
      return false;
    if (m)
      m->labels.emplace_back(s.label,
                             std::string(part.substr(s.literal.size(), part.size() - s.literal.size() - s.suffix.size())));
  }
  // A trailing slash ("/bucket/") leaves one empty part.
  return i == parts.size() || (i + 1 == parts.size() && parts[i].empty());
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return parts;
  size_t pos = 0;
  while (true) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) {
      parts.push_back(path.substr(pos));
      break;
    }
    parts.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return parts;
}

// Virtual-hosted-style S3 ("bucket.s3.amazonaws.com", "bucket.s3.us-east-1.localhost:4566",
// "bucket.s3-website..."): the bucket from the Host, "" for path-style requests.
std::string_view s3_host_bucket(const http::Request& req) {
  std::string_view host = req.headers.get("Host");
  if (host.empty()) return {};
  if (auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos)
    host = host.substr(0, colon);
  size_t pos = 0;
  while (true) {
    size_t found = host.find(".s3", pos);
    if (found == std::string_view::npos) break;
    if (found > 0 && found + 3 < host.size() && (host[found + 3] == '.' || host[found + 3] == '-'))
      return host.substr(0, found);
    pos = found + 1;
  }
  // "<bucket>.localhost" (how browsers and SDKs reach a local endpoint without DNS set-up).
  constexpr std::string_view kLocal = ".localhost";
  if (host.size() > kLocal.size() && host.substr(host.size() - kLocal.size()) == kLocal) {
    std::string_view bucket = host.substr(0, host.size() - kLocal.size());
    if (bucket != "s3") return bucket;
  }
  return {};
}

// The request path with a virtual-hosted bucket folded in (S3), else the path as sent.
std::string effective_path(const http::Request& req, bool s3) {
  if (s3) {
    std::string_view bucket = s3_host_bucket(req);
    if (!bucket.empty()) {
      std::string p;
      p.reserve(bucket.size() + req.path.size() + 2);
      p.append("/").append(bucket).append(req.path.empty() ? std::string_view("/") : std::string_view(req.path));
      return p;
    }
  }
  return req.path;
}

// ------------------------------------------------------------ bodies

AwsError malformed_xml() {
  return AwsError("MalformedXML",
                  "The XML you provided was not well-formed or did not validate against our published schema", 400);
}

// The root element of an XML request body; null when the body is not well-formed XML.
pugi::xml_node parse_xml_body(const http::Request& req, pugi::xml_document& doc) {
  auto res = doc.load_buffer(req.body.data(), req.body.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!res || wire::xml_nesting_exceeds(doc)) return {};
  return doc.document_element();
}

// The root element of an S3 response, in S3's namespace.
pugi::xml_node s3_root(pugi::xml_document& doc, const std::string& name) {
  auto el = doc.append_child(name.c_str());
  el.append_attribute("xmlns").set_value(std::string(kS3Namespace).c_str());
  return el;
}

void set_xml_body(const pugi::xml_document& doc, http::Response& out) {
  out.body = wire::xml_string(doc, true);
  out.headers.set("Content-Type", "application/xml");
}

// The root element of S3 outputs whose name the model does not give.
std::string_view s3_root_name(std::string_view op) {
  static const std::map<std::string_view, std::string_view> roots{
      {"ListBuckets", "ListAllMyBucketsResult"},
      {"ListObjects", "ListBucketResult"},
      {"ListObjectsV2", "ListBucketResult"},
      {"ListObjectVersions", "ListVersionsResult"},
      {"ListMultipartUploads", "ListMultipartUploadsResult"},
      {"ListParts", "ListPartsResult"},
      {"CreateMultipartUpload", "InitiateMultipartUploadResult"},
      {"CompleteMultipartUpload", "CompleteMultipartUploadResult"},
      {"DeleteObjects", "DeleteResult"},
      {"GetBucketTagging", "Tagging"},
      {"GetObjectTagging", "Tagging"},
      {"GetBucketAcl", "AccessControlPolicy"},
      {"GetObjectAcl", "AccessControlPolicy"},
      {"GetBucketVersioning", "VersioningConfiguration"},
      {"GetBucketCors", "CORSConfiguration"},
      {"GetBucketLifecycleConfiguration", "LifecycleConfiguration"},
      {"GetBucketLifecycle", "LifecycleConfiguration"},
      {"GetBucketNotificationConfiguration", "NotificationConfiguration"},
      {"GetBucketNotification", "NotificationConfiguration"},
      {"GetBucketWebsite", "WebsiteConfiguration"},
      {"GetBucketLogging", "BucketLoggingStatus"},
      {"GetBucketRequestPayment", "RequestPaymentConfiguration"},
      {"GetBucketAccelerateConfiguration", "AccelerateConfiguration"},
      {"GetObjectAttributes", "GetObjectAttributesResponse"},
      {"GetObjectRetention", "Retention"},
      {"GetObjectLegalHold", "LegalHold"},
      {"ListBucketAnalyticsConfigurations", "ListBucketAnalyticsConfigurationResult"},
      {"ListBucketMetricsConfigurations", "ListMetricsConfigurationsResult"},
      {"ListBucketInventoryConfigurations", "ListInventoryConfigurationsResult"},
      {"ListBucketIntelligentTieringConfigurations", "ListBucketIntelligentTieringConfigurationsOutput"},
  };
  auto it = roots.find(op);
  return it == roots.end() ? std::string_view() : it->second;
}

}  // namespace

std::string s3_bucket_of(const http::Request& req) {
  std::string path = effective_path(req, true);
  auto parts = split_path(path);
  if (parts.empty() || parts[0].empty()) return "";
  return wire::percent_decode(parts[0], false).value_or("");
}

bool s3_names_key(const http::Request& req) {
  auto parts = split_path(effective_path(req, true));
  return parts.size() > 1 && !(parts.size() == 2 && parts[1].empty());
}

bool is_s3_post_object(const http::Request& req) {
  return req.method == "POST" && !s3_bucket_of(req).empty() && !s3_names_key(req) && req.query.empty() &&
         text::ascii_lower(req.headers.get("content-type")).rfind("multipart/form-data", 0) == 0;
}

RestCodec::RestCodec(std::string service, const Model* model, bool xml) : ModelCodec(std::move(service), model), xml_(xml) {
  size_t index = 0;
  for (const Operation* op : model->operations()) {
    Route r;
    r.op = op;
    r.index = index++;
    std::string_view uri = op->request_uri;
    std::string_view path = uri.substr(0, uri.find('?'));
    if (uri.find('?') != std::string_view::npos) {
      std::string_view q = uri.substr(uri.find('?') + 1);
      size_t pos = 0;
      while (pos <= q.size()) {
        size_t amp = q.find('&', pos);
        if (amp == std::string_view::npos) amp = q.size();
        std::string_view part = q.substr(pos, amp - pos);
        if (!part.empty()) {
          size_t eq = part.find('=');
          std::string k(part.substr(0, eq));
          std::string v = eq == std::string_view::npos ? std::string() : std::string(part.substr(eq + 1));
          if (k != "x-id") r.query.emplace_back(std::move(k), std::move(v));
        }
        pos = amp + 1;
      }
    }
    size_t pos = 0;
    while (pos < path.size()) {
      if (path[pos] == '/') {
        ++pos;
        continue;
      }
      size_t slash = path.find('/', pos);
      if (slash == std::string_view::npos) slash = path.size();
      std::string_view seg = path.substr(pos, slash - pos);
      Segment s;
      size_t open = seg.find('{'), close = seg.find('}');
      if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
        s.literal = std::string(seg.substr(0, open));
        s.label = std::string(seg.substr(open + 1, close - open - 1));
        s.suffix = std::string(seg.substr(close + 1));
        if (!s.label.empty() && s.label.back() == '+') {
          s.label.pop_back();
          s.greedy = true;
          r.greedy = true;
        }
      } else {
        s.literal = std::string(seg);
        ++r.literal_count;
      }
      r.segments.push_back(std::move(s));
      pos = slash;
    }
    if (op->input)
      for (const MemberRef& m : op->input->members)
        if (m.required && (m.location == Location::Header || m.location == Location::Querystring))
          r.required.emplace_back(m.location == Location::Header, std::string(m.wire_name()));
    routes_.push_back(std::move(r));
  }
}

const Operation* RestCodec::route(const http::Request& req) const {
  std::string path = effective_path(req, xml_ && service_ == "s3");
  auto parts = split_path(path);
  auto params = wire::parse_form(req.query);
  std::vector<std::pair<std::string, std::string>> q = params ? std::move(*params) : decltype(q){};
  auto has_param = [&](const std::string& k, const std::string& v, bool any_value) {
    for (const auto& [pk, pv] : q)
      if (pk == k && (any_value || pv == v)) return true;
    return false;
  };
  const Route* best = nullptr;
  std::tuple<int, int, int, int, long> best_score{};
  for (const Route& r : routes_) {
    if (r.op->http_method != req.method) continue;
    int satisfied = 0;
    bool ok = true;
    for (const auto& [k, v] : r.query) {
      if (!has_param(k, v, v.empty())) {
        ok = false;
        break;
      }
      ++satisfied;
    }
    if (!ok) continue;
    for (const auto& [is_header, name] : r.required) {
      if (is_header ? !req.headers.has(name) : !has_param(name, "", true)) {
        ok = false;
        break;
      }
      ++satisfied;
    }
    if (!ok || !match_path(r.segments, parts, nullptr)) continue;  // the path last: the dearest check
    std::tuple<int, int, int, int, long> score{satisfied, r.literal_count, r.greedy ? 0 : 1, r.op->deprecated ? 0 : 1,
                                               -static_cast<long>(r.index)};
    if (!best || score > best_score) {
      best = &r;
      best_score = score;
    }
  }
  return best ? best->op : nullptr;
}

bool RestCodec::streams_payload(const http::Request& req) const {
  if (xml_ && service_ == "s3" && is_s3_post_object(req)) return true;
  const Operation* op = route(req);
  const MemberRef* pm = op && op->input ? op->input->payload_member : nullptr;
  return pm && pm->streaming && pm->shape->type == ShapeType::Blob;
}

std::variant<Decoded, AwsError> RestCodec::decode(const http::Request& req) const {
  auto bad_value = [&](const std::string& name, const std::string& value, const std::string& why) -> AwsError {
    if (xml_) {
      AwsError e("InvalidArgument", "Provided " + name + " not an integer or within integer range.", 400);
      if (why != "expected an integer" && why != "integer out of range") e.message = "Invalid value for " + name + ": " + why;
      e.details = std::make_shared<const json>(json{{"ArgumentName", name}, {"ArgumentValue", value}});
      return e;
    }
    return AwsError::serialization("Invalid value '" + value + "' for " + name + ": " + why);
  };

  auto params = wire::parse_form(req.query);
  if (!params) {
    if (xml_) return AwsError("InvalidArgument", "Invalid query string encoding.", 400);
    return AwsError::serialization("Invalid query string encoding.");
  }
  if (xml_ && service_ == "s3" && is_s3_post_object(req)) {
    Decoded post;
    post.operation = "PostObject";
    post.input = std::make_unique<json>(json{{"Bucket", s3_bucket_of(req)},
                                             {"ContentType", std::string(req.headers.get("content-type"))},
                                             {"Host", std::string(req.headers.get("host"))}});
    post.streaming_payload = true;
    return post;
  }
  const Operation* op = route(req);
  if (!op) {
    if (xml_) return AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405);
    return AwsError("UnknownOperationException", "", 404);
  }
  Decoded d;
  d.operation = op->name;
  d.input = std::make_unique<json>(json::object());
  json& in = *d.input;
  if (!op->input) return d;
  const Shape& shape = *op->input;

  // URI labels
  std::string path = effective_path(req, xml_ && service_ == "s3");
  auto parts = split_path(path);
  for (const Route& r : routes_) {
    if (r.op != op) continue;
    PathMatch m;
    match_path(r.segments, parts, &m);
    for (const auto& [label, raw] : m.labels) {
      auto value = wire::percent_decode(raw, false);
      if (!value) return xml_ ? AwsError("InvalidURI", "Couldn't parse the specified URI.", 400)
                              : AwsError::serialization("Invalid URI encoding.");
      for (const MemberRef& mem : shape.members) {
        if (mem.location != Location::Uri || mem.wire_name() != label) continue;
        json v;
        std::string why;
        if (!wire::text_to_value(mem, *value, v, why)) return bad_value(label, *value, why);
        in[mem.name] = std::move(v);
      }
    }
    break;
  }

  for (const MemberRef& m : shape.members) {
    switch (m.location) {
      case Location::Querystring: {
        if (m.shape->type == ShapeType::Map) {
          json obj = json::object();
          for (const auto& [k, v] : *params) {
            bool bound = false;
            for (const MemberRef& o : shape.members)
              if (o.location == Location::Querystring && o.wire_name() == k) bound = true;
            if (!bound && !obj.contains(k)) obj[k] = v;
          }
          if (!obj.empty()) in[m.name] = std::move(obj);
          break;
        }
        if (m.shape->type == ShapeType::List) {
          json arr = json::array();
          for (const auto& [k, v] : *params) {
            if (k != m.wire_name()) continue;
            json item;
            std::string why;
            if (!wire::text_to_value(m.shape->member, v, item, why)) return bad_value(k, v, why);
            arr.push_back(std::move(item));
          }
          if (!arr.empty()) in[m.name] = std::move(arr);
          break;
        }
        for (const auto& [k, v] : *params) {
          if (k != m.wire_name()) continue;
          json val;
          std::string why;
          if (!wire::text_to_value(m, v, val, why)) return bad_value(k, v, why);
          in[m.name] = std::move(val);
          break;
        }
        break;
      }
      case Location::Header: {
        const std::string* h = req.headers.find(m.wire_name());
        if (!h) break;
        if (m.shape->type == ShapeType::List) {
          json arr = json::array();
          size_t pos = 0;
          while (pos <= h->size()) {
            size_t comma = h->find(',', pos);
            if (comma == std::string::npos) comma = h->size();
            std::string item = h->substr(pos, comma - pos);
            item.erase(0, item.find_first_not_of(' '));
            item.erase(item.find_last_not_of(' ') + 1);
            json v;
            std::string why;
            if (!item.empty()) {
              if (!wire::text_to_value(m.shape->member, item, v, why)) return bad_value(std::string(m.wire_name()), *h, why);
              arr.push_back(std::move(v));
            }
            pos = comma + 1;
          }
          in[m.name] = std::move(arr);
          break;
        }
        json v;
        std::string why;
        if (m.shape->type == ShapeType::String) {  // any bytes a client sent become text
          in[m.name] = text::header_text(*h);
          break;
        }
        if (!wire::text_to_value(m, *h, v, why)) {
          // S3 ignores a date it cannot read (If-Modified-Since ...): the service gets the text.
          if (!xml_ || m.shape->type != ShapeType::Timestamp) return bad_value(std::string(m.wire_name()), *h, why);
          v = *h;
        }
        in[m.name] = std::move(v);
        break;
      }
      case Location::Headers: {
        json obj = json::object();
        std::string_view prefix = m.wire_name();
        for (const auto& h : req.headers.items()) {
          if (h.name.size() <= prefix.size() || !http::iequals(std::string_view(h.name).substr(0, prefix.size()), prefix))
            continue;
          std::string key = h.name.substr(prefix.size());
          std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
          obj[key] = text::header_text(h.value);
        }
        if (!obj.empty()) in[m.name] = std::move(obj);
        break;
      }
      default:
        break;
    }
  }

  // Body
  if (const MemberRef* pm = shape.payload_member) {
    ShapeType t = pm->shape->type;
    if (t == ShapeType::Blob && pm->streaming) {
      d.streaming_payload = true;
    } else if (t == ShapeType::Blob || t == ShapeType::String) {
      if (!req.body.empty() || pm->streaming) in[pm->name] = req.body;
    } else if (t == ShapeType::Structure && !req.body.empty()) {
      if (xml_) {
        pugi::xml_document doc;
        pugi::xml_node root = parse_xml_body(req, doc);
        json v;
        if (!root || wire::xml_to_doc(*pm, root, v)) return malformed_xml();
        in[pm->name] = std::move(v);
      } else {
        if (wire::json_nesting_exceeds(req.body)) return AwsError::serialization(wire::too_deep_message());
        json w = json::parse(req.body.begin(), req.body.end(), nullptr, false);
        if (w.is_discarded()) return AwsError::serialization(wire::json_syntax_message(req.body));
        json v;
        if (auto err = wire::json_to_doc(*pm, w, v)) return AwsError::serialization(*err);
        in[pm->name] = std::move(v);
      }
    }
  } else if (!req.body.empty()) {
    bool has_body_members = std::any_of(shape.members.begin(), shape.members.end(),
                                        [](const MemberRef& m) { return m.location == Location::Body; });
    if (has_body_members) {
      if (xml_) {
        pugi::xml_document doc;
        pugi::xml_node root = parse_xml_body(req, doc);
        json v;
        if (!root || wire::xml_struct_to_doc(shape, root, v)) return malformed_xml();
        for (auto it = v.begin(); it != v.end(); ++it) in[it.key()] = std::move(*it);
      } else {
        bool too_deep = wire::json_nesting_exceeds(req.body);
        json w = too_deep ? json(nullptr) : json::parse(req.body.begin(), req.body.end(), nullptr, false);
        if (too_deep || w.is_discarded()) {
          if (model_->shape("InvalidRequestContentException"))
            return model_->make_error("InvalidRequestContentException",
                                      too_deep ? "Could not parse request body into json: " + wire::too_deep_message()
                                               : "Could not parse request body into json: Could not parse payload into json");
          return AwsError::serialization(too_deep ? wire::too_deep_message() : wire::json_syntax_message(req.body));
        }
        json v;
        if (auto err = wire::json_struct_to_doc(shape, w, v, true)) {
          if (model_->shape("InvalidRequestContentException"))
            return model_->make_error("InvalidRequestContentException", "Could not parse request body into json: " + *err);
          return AwsError::serialization(*err);
        }
        for (auto it = v.begin(); it != v.end(); ++it) in[it.key()] = std::move(*it);
      }
    }
  }
  return d;
}

void RestCodec::encode_output(const std::string& operation, const nlohmann::json& output, const EncodeContext& ctx,
                              http::Response& out) const {
  const Operation* op = model_->operation(operation);
  out.status = op && op->response_code ? op->response_code : 200;
  bool head = (op && op->http_method == "HEAD") || ctx.http_method == "HEAD";
  if (xml_) {
    if (!ctx.request_id.empty()) out.headers.set("x-amz-request-id", ctx.request_id);
  } else {
    add_request_id_headers(ctx, out);
  }
  const Shape* shape = op ? op->output : nullptr;
  if (xml_ && operation == "PostObject" && output.is_object()) {
    // Not in the model: the status and headers the service chose (its body is the payload).
    out.status = output.value("Status", 204);
    const json headers = output.value("Headers", json::object());
    for (const auto& [name, value] : headers.items()) out.headers.set(name, value.get<std::string>());
    return;
  }
  if (!shape || !output.is_object()) {
    if (head) out.omit_body = true;
    return;
  }
  std::string content_length;
  auto emit = [&](const MemberRef& m, const json& v) {
    if (v.is_null()) return;
    switch (m.location) {
      case Location::Header: {
        std::string text = support::header_text(m, v);
        if (http::iequals(m.wire_name(), "Content-Length")) {
          content_length = text;
          break;
        }
        out.headers.set(std::string(m.wire_name()), std::move(text));
        break;
      }
      case Location::Headers:
        if (v.is_object())
          for (auto h = v.begin(); h != v.end(); ++h)
            out.headers.add(std::string(m.wire_name()) + h.key(), h->is_string() ? h->get<std::string>() : dump(*h));
        break;
      case Location::StatusCode:
        if (v.is_number_integer()) out.status = v.get<int>();
        break;
      default:
        break;
    }
  };
  // Whichever side is smaller is walked (S3's GetObject output has 40 header members, an answer
  // a handful): the headers come out in either order.
  if (output.size() < shape->members.size()) {
    for (auto it = output.begin(); it != output.end(); ++it)
      if (const MemberRef* m = shape->find_member(it.key())) emit(*m, *it);
  } else {
    for (const MemberRef& m : shape->members)
      if (auto it = output.find(m.name); it != output.end()) emit(m, *it);
  }

  if (const MemberRef* pm = shape->payload_member) {
    auto it = output.find(pm->name);
    ShapeType t = pm->shape->type;
    if (it != output.end() && !it->is_null()) {
      if (t == ShapeType::Blob || t == ShapeType::String) {
        out.body = it->is_string() ? it->get<std::string>() : dump(*it);
        if (!out.headers.has("Content-Type"))
          out.headers.set("Content-Type", xml_ ? "binary/octet-stream" : (service_ == "lambda" ? "application/json" : "application/octet-stream"));
      } else if (xml_) {
        pugi::xml_document doc;
        std::string root = !pm->location_name.empty() ? pm->location_name
                           : !pm->shape->location_name.empty() ? pm->shape->location_name
                                                               : pm->name;
        wire::doc_struct_to_xml(s3_root(doc, root), *pm->shape, *it, TsDefault::Iso8601, true);
        set_xml_body(doc, out);
      } else {
        out.body = dump(wire::doc_to_json(*pm, *it));
        out.headers.set("Content-Type", "application/json");
      }
    } else if (ctx.payload && pm->streaming && !out.headers.has("Content-Type")) {
      out.headers.set("Content-Type", xml_ ? "binary/octet-stream" : "application/octet-stream");
    }
  } else {
    bool has_body_members = std::any_of(shape->members.begin(), shape->members.end(),
                                        [](const MemberRef& m) { return m.location == Location::Body; });
    if (has_body_members) {
      if (xml_) {
        pugi::xml_document doc;
        if (operation == "GetBucketLocation") {
          auto el = s3_root(doc, "LocationConstraint");
          auto lc = output.find("LocationConstraint");
          if (lc != output.end() && lc->is_string()) el.text().set(lc->get<std::string>().c_str());
        } else {
          std::string root(s3_root_name(operation));
          if (root.empty()) root = !shape->location_name.empty() ? shape->location_name : operation + "Result";
          wire::doc_struct_to_xml(s3_root(doc, root), *shape, output, TsDefault::Iso8601, true);
        }
        set_xml_body(doc, out);
      } else {
        out.body = dump(wire::doc_struct_to_json(*shape, output, true));
        out.headers.set("Content-Type", "application/json");
      }
    }
  }
  // S3 answers a ranged GET with 206 Partial Content (Content-Range is only set for ranges).
  if (xml_ && operation == "GetObject" && output.contains("ContentRange") && out.status == 200) out.status = 206;
  if (head) {
    out.omit_body = true;
    out.body.clear();
    if (!content_length.empty()) out.content_length_override = content_length;
  }
}

void RestCodec::encode_error(const AwsError& error, const EncodeContext& ctx, http::Response& out) const {
  out.status = error.http_status;
  const Shape* s = model_->error_shape(error.code);
  std::string code = s ? std::string(s->error_code()) : error.code;
  if (xml_) {
    pugi::xml_document doc;
    auto e = doc.append_child("Error");
    e.append_child("Code").text().set(code.c_str());
    e.append_child("Message").text().set(error.message.c_str());
    support::append_details_xml(error, e);
    e.append_child("RequestId").text().set(ctx.request_id.c_str());
    std::string host_id = crypto::base64_encode(crypto::sha256(ctx.request_id));
    e.append_child("HostId").text().set(host_id.c_str());
    set_xml_body(doc, out);
    // S3's 416 names the object's size, as HTTP asks (RFC 9110 section 15.5.17).
    if (error.code == "InvalidRange" && error.details && error.details->contains("ActualObjectSize"))
      out.headers.set("Content-Range", "bytes */" + error.details->value("ActualObjectSize", std::string("0")));
    if (!ctx.request_id.empty()) out.headers.set("x-amz-request-id", ctx.request_id);
    out.headers.set("x-amz-id-2", host_id);
  } else {
    json body = json::object();
    if (s && s->find_member("Type")) body["Type"] = error.sender_fault ? "User" : "Service";
    body[support::message_key(s)] = error.message;
    support::merge_details_json(error, body);
    out.body = dump(body);
    out.headers.set("Content-Type", "application/json");
    out.headers.set("x-amzn-ErrorType", code);
    add_request_id_headers(ctx, out);
  }
  if (ctx.http_method == "HEAD") {
    out.omit_body = true;
    out.body.clear();
  }
}

}  // namespace awan::protocol
