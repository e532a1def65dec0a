#include "protocol/wire.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/text.hpp"
#include "core/timefmt.hpp"

namespace awan::protocol::wire {

namespace {

const char* type_label(ShapeType t) {
  switch (t) {
    case ShapeType::String: return "String";
    case ShapeType::Integer: return "Integer";
    case ShapeType::Long: return "Long";
    case ShapeType::Float: return "Float";
    case ShapeType::Double: return "Double";
    case ShapeType::Boolean: return "Boolean";
    case ShapeType::Timestamp: return "Date";
    case ShapeType::Blob: return "ByteBuffer";
    case ShapeType::BigInteger: return "BigInteger";
    case ShapeType::BigDecimal: return "BigDecimal";
    default: return "Object";
  }
}

// The coral-style name of a JSON token, as in "NUMBER_VALUE cannot be converted to String".
std::string mismatch(const json& wire, const Shape& shape) {
  if (wire.is_object()) return "Start of structure or map found where not expected.";
  if (wire.is_array()) return "Start of list found where not expected.";
  const char* tok = wire.is_string() ? "STRING_VALUE" : wire.is_boolean() ? (wire.get<bool>() ? "TRUE_VALUE" : "FALSE_VALUE")
                                                                           : "NUMBER_VALUE";
  if (shape.type == ShapeType::Structure || shape.type == ShapeType::Map)
    return std::string("Unexpected ") + tok + " where a structure or map was expected.";
  if (shape.type == ShapeType::List) return std::string("Unexpected ") + tok + " where a list was expected.";
  return std::string(tok) + " cannot be converted to " + type_label(shape.type);
}

bool parse_int64(std::string_view s, int64_t& v) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

bool parse_double(std::string_view s, double& v) {
  if (s.empty()) return false;
  if (s == "NaN") { v = NAN; return true; }
  if (s == "Infinity") { v = INFINITY; return true; }
  if (s == "-Infinity") { v = -INFINITY; return true; }
  std::string tmp(s);
  char* end = nullptr;
  v = std::strtod(tmp.c_str(), &end);
  return end == tmp.c_str() + tmp.size();
}

std::string format_number(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == std::floor(d) && std::fabs(d) < 9.0e15) return std::to_string(static_cast<int64_t>(d));
  return json(d).dump();
}

// Bounds the recursion of the model-driven walkers (recursive shapes such as DynamoDB's
// AttributeValue follow the data): deeper input is refused instead of exhausting the stack.
thread_local int t_depth = 0;
struct DepthGuard {
  DepthGuard() { ++t_depth; }
  ~DepthGuard() { --t_depth; }
  bool too_deep() const { return t_depth > kMaxNesting; }
};

json timestamp_value(double secs) {
  if (secs == std::floor(secs) && std::fabs(secs) < 9.0e15) return json(static_cast<int64_t>(secs));
  return json(secs);
}

}  // namespace

std::string too_deep_message() {
  return "The request body is nested too deeply; maximum nesting depth: " + std::to_string(kMaxNesting);
}

bool json_nesting_exceeds(std::string_view text, int limit) { return text::json_nesting_exceeds(text, limit); }

bool xml_nesting_exceeds(const pugi::xml_node& root, int limit) {
  int depth = 0;
  pugi::xml_node n = root.first_child();
  if (!n) return false;
  depth = 1;
  while (n) {
    if (depth > limit) return true;
    if (pugi::xml_node c = n.first_child()) {
      n = c;
      ++depth;
      continue;
    }
    while (n && !n.next_sibling()) {
      n = n.parent();
      --depth;
      if (n == root) return false;
    }
    if (n) n = n.next_sibling();
  }
  return false;
}

std::string json_syntax_message(std::string_view text) {
  bool middle = false;
  if (size_t at = text::invalid_utf8_at(text, middle); at != std::string_view::npos) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(text[at]));
    return std::string("Invalid UTF-8 ") + (middle ? "middle" : "start") + " byte " + hex;
  }
  try {
    json parsed = json::parse(text.begin(), text.end());
    (void)parsed;
  } catch (const json::parse_error& e) {
    if (e.byte == 0 || e.byte > text.size()) return "Unexpected end-of-input";
    unsigned char c = static_cast<unsigned char>(text[e.byte - 1]);
    if (c < 0x20 || c == 0x7f) return "Illegal character (code " + std::to_string(c) + ")";
    return std::string("Unexpected character ('") + static_cast<char>(c) + "' (code " + std::to_string(c) + "))";
  } catch (const json::out_of_range& e) {  // "number overflow parsing '1e541'"
    std::string_view what = e.what();
    size_t q = what.find('\'');
    if (q != std::string_view::npos && what.size() > q + 2)
      return "Numeric value (" + std::string(what.substr(q + 1, what.size() - q - 2)) + ") out of range";
    return "Numeric value out of range";
  } catch (const json::exception&) {
  }
  return "Unexpected end-of-input";
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t amp = s.find('&', pos);
    if (amp == std::string_view::npos) amp = s.size();
    std::string_view part = s.substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      auto k = percent_decode(part.substr(0, eq), true);
      auto v = eq == std::string_view::npos ? std::optional<std::string>(std::string()) : percent_decode(part.substr(eq + 1), true);
      if (!k || !v) return std::nullopt;
      out.emplace_back(std::move(*k), std::move(*v));
    }
    pos = amp + 1;
  }
  return out;
}

std::optional<double> doc_timestamp(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (auto t = timefmt::parse_iso8601(s)) return timefmt::epoch_seconds(*t);
    if (auto t = timefmt::parse_http_date(s)) return timefmt::epoch_seconds(*t);
    double d;
    if (parse_double(s, d)) return d;
  }
  return std::nullopt;
}

bool text_to_value(const MemberRef& ref, std::string_view text, json& out, std::string& why) {
  const Shape& s = *ref.shape;
  switch (s.type) {
    case ShapeType::Integer:
    case ShapeType::Long:
    case ShapeType::BigInteger: {
      int64_t v;
      if (!parse_int64(text, v)) {
        why = "expected an integer";
        return false;
      }
      if (s.type == ShapeType::Integer && (v > INT32_MAX || v < INT32_MIN)) {
        why = "integer out of range";
        return false;
      }
      out = v;
      return true;
    }
    case ShapeType::Float:
    case ShapeType::Double:
    case ShapeType::BigDecimal: {
      double v;
      if (!parse_double(text, v)) {
        why = "expected a number";
        return false;
      }
      out = v;
      return true;
    }
    case ShapeType::Boolean:
      if (text == "true") out = true;
      else if (text == "false") out = false;
      else {
        why = "expected true or false";
        return false;
      }
      return true;
    case ShapeType::Timestamp: {
      std::optional<timefmt::time_point> t = timefmt::parse_iso8601(text);
      if (!t) t = timefmt::parse_http_date(text);
      if (t) {
        out = timestamp_value(timefmt::epoch_seconds(*t));
        return true;
      }
      double d;
      if (parse_double(text, d)) {
        out = timestamp_value(d);
        return true;
      }
      why = "expected a timestamp";
      return false;
    }
    default:
      out = std::string(text);
      return true;
  }
}

std::string value_to_text(const MemberRef& ref, const json& v, TsDefault ts_default, bool ts_millis) {
  const Shape& s = *ref.shape;
  if (s.type == ShapeType::Timestamp) {
    auto secs = doc_timestamp(v);
    if (!secs) return v.is_string() ? v.get<std::string>() : v.dump();
    std::string_view fmt = ref.timestamp_format;
    TsDefault kind = ts_default;
    if (fmt == "iso8601") kind = TsDefault::Iso8601;
    else if (fmt == "rfc822") kind = TsDefault::Rfc822;
    else if (fmt == "unixTimestamp") kind = TsDefault::Unix;
    auto tp = timefmt::from_epoch_seconds(*secs);
    switch (kind) {
      case TsDefault::Iso8601: return timefmt::iso8601(tp, ts_millis || *secs != std::floor(*secs));
      case TsDefault::Rfc822: return timefmt::http_date(tp);
      case TsDefault::Unix: return format_number(*secs);
    }
  }
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return v.dump();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (s.type == ShapeType::Integer || s.type == ShapeType::Long) return std::to_string(static_cast<int64_t>(d));
    return format_number(d);
  }
  if (v.is_null()) return "";
  return v.dump();
}

// ---------------------------------------------------------------- JSON bodies

namespace {

std::optional<std::string> to_doc_in_place(const MemberRef& ref, json& v);

// A structure converted in place: unknown and null members dropped, members renamed from their
// wire names where the model renames them.
std::optional<std::string> struct_to_doc_in_place(const Shape& shape, json& v, bool body_only) {
  if (!v.is_object()) return mismatch(v, shape);
  if (shape.json_identity) {
    auto& obj = v.get_ref<json::object_t&>();
    for (auto it = obj.begin(); it != obj.end();) {
      const MemberRef* m = shape.find_member(it->first);
      if (!m || it->second.is_null() || (body_only && m->location != Location::Body)) {
        it = obj.erase(it);
        continue;
      }
      if (auto err = to_doc_in_place(*m, it->second)) return err;
      ++it;
    }
    return std::nullopt;
  }
  json out = json::object();
  for (const MemberRef& m : shape.members) {
    if (body_only && m.location != Location::Body) continue;
    auto it = v.find(m.wire_name());
    if (it == v.end() || it->is_null()) continue;
    if (auto err = to_doc_in_place(m, *it)) return err;
    out[m.name] = std::move(*it);
  }
  v = std::move(out);
  return std::nullopt;
}

std::optional<std::string> to_doc_in_place(const MemberRef& ref, json& v) {
  DepthGuard guard;
  if (guard.too_deep()) return too_deep_message();
  const Shape& s = *ref.shape;
  if (s.document) return std::nullopt;
  switch (s.type) {
    case ShapeType::Structure:
      return struct_to_doc_in_place(s, v, false);
    case ShapeType::List:
      if (!v.is_array()) return mismatch(v, s);
      for (auto& item : v) {
        if (item.is_null()) continue;
        if (auto err = to_doc_in_place(s.member, item)) return err;
      }
      return std::nullopt;
    case ShapeType::Map: {
      if (!v.is_object()) return mismatch(v, s);
      auto& obj = v.get_ref<json::object_t&>();
      for (auto it = obj.begin(); it != obj.end();) {
        if (it->second.is_null()) {
          it = obj.erase(it);
          continue;
        }
        if (auto err = to_doc_in_place(s.value, it->second)) return err;
        ++it;
      }
      return std::nullopt;
    }
    case ShapeType::String:
    case ShapeType::Blob:
      if (!v.is_string()) return mismatch(v, s);
      return std::nullopt;
    case ShapeType::Integer:
    case ShapeType::Long:
    case ShapeType::BigInteger:
      // Out of the shape's range (an Integer beyond 32 bits, anything beyond 64): refused as
      // AWS's parser refuses it, never wrapped.
      if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return mismatch(v, s);
      if (v.is_number_float()) {
        double d = v.get<double>();
        if (d != std::floor(d) || !(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return mismatch(v, s);
        v = static_cast<int64_t>(d);
      }
      if (!v.is_number_integer()) return mismatch(v, s);
      if (s.type == ShapeType::Integer && (v.get<int64_t>() > INT32_MAX || v.get<int64_t>() < INT32_MIN))
        return mismatch(v, s);
      return std::nullopt;
    case ShapeType::Float:
    case ShapeType::Double:
    case ShapeType::BigDecimal:
      if (v.is_number()) return std::nullopt;
      if (v.is_string()) {  // "NaN", "Infinity"
        double d;
        if (parse_double(v.get_ref<const std::string&>(), d)) {
          v = d;
          return std::nullopt;
        }
      }
      return mismatch(v, s);
    case ShapeType::Boolean:
      if (!v.is_boolean()) return mismatch(v, s);
      return std::nullopt;
    case ShapeType::Timestamp:
      if (v.is_number()) return std::nullopt;
      if (v.is_string()) {
        if (auto secs = doc_timestamp(v)) {
          v = timestamp_value(*secs);
          return std::nullopt;
        }
        return "Unable to parse date value: " + v.get<std::string>();
      }
      return mismatch(v, s);
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<std::string> json_struct_to_doc(const Shape& shape, json& wire, json& out, bool body_only) {
  if (auto err = struct_to_doc_in_place(shape, wire, body_only)) return err;
  out = std::move(wire);
  return std::nullopt;
}

std::optional<std::string> json_to_doc(const MemberRef& ref, json& wire, json& out) {
  if (auto err = to_doc_in_place(ref, wire)) return err;
  out = std::move(wire);
  return std::nullopt;
}

json doc_struct_to_json(const Shape& shape, const json& doc, bool body_only) {
  if (!doc.is_object()) return doc;
  if (shape.json_identity && !body_only) return doc;
  json out = json::object();
  for (const MemberRef& m : shape.members) {
    if (body_only && m.location != Location::Body) continue;
    auto it = doc.find(m.name);
    if (it == doc.end() || it->is_null()) continue;
    out[std::string(m.wire_name())] = doc_to_json(m, *it);
  }
  return out;
}

json doc_to_json(const MemberRef& ref, const json& doc) {
  const Shape& s = *ref.shape;
  if (s.json_identity && s.type != ShapeType::Timestamp) return doc;
  switch (s.type) {
    case ShapeType::Structure:
      return doc_struct_to_json(s, doc, false);
    case ShapeType::List: {
      if (!doc.is_array()) return doc;
      json out = json::array();
      for (const auto& item : doc) out.push_back(doc_to_json(s.member, item));
      return out;
    }
    case ShapeType::Map: {
      if (!doc.is_object()) return doc;
      json out = json::object();
      for (auto it = doc.begin(); it != doc.end(); ++it) out[it.key()] = doc_to_json(s.value, *it);
      return out;
    }
    case ShapeType::Timestamp: {
      if (ref.timestamp_format == "iso8601" || ref.timestamp_format == "rfc822")
        return value_to_text(ref, doc, TsDefault::Unix);
      auto secs = doc_timestamp(doc);
      return secs ? timestamp_value(*secs) : doc;
    }
    default:
      return doc;
  }
}

// ---------------------------------------------------------------- XML

std::string_view local_name(const pugi::xml_node& n) {
  std::string_view name = n.name();
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

namespace {

std::string_view strip_prefix(std::string_view name) {
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// XML element name of a structure member (botocore's rule: a flattened list's elements are
// named after the list member's locationName when it has one).
std::string_view xml_member_name(const MemberRef& m) {
  if (m.shape->type == ShapeType::List && m.flattened && !m.shape->member.location_name.empty())
    return m.shape->member.location_name;
  return m.wire_name();
}

std::optional<std::string> xml_list(const MemberRef& ref, std::vector<pugi::xml_node> items, json& out) {
  out = json::array();
  for (const auto& item : items) {
    json v;
    if (auto err = xml_to_doc(ref.shape->member, item, v)) return err;
    out.push_back(std::move(v));
  }
  return std::nullopt;
}

std::optional<std::string> xml_map(const MemberRef& ref, std::vector<pugi::xml_node> entries, json& out) {
  const Shape& s = *ref.shape;
  std::string_view kname = s.key.location_name.empty() ? "key" : std::string_view(s.key.location_name);
  std::string_view vname = s.value.location_name.empty() ? "value" : std::string_view(s.value.location_name);
  out = json::object();
  for (const auto& e : entries) {
    std::string key;
    pugi::xml_node vnode;
    for (auto c : e.children()) {
      if (c.type() != pugi::node_element) continue;
      if (local_name(c) == kname) key = c.child_value();
      else if (local_name(c) == vname) vnode = c;
    }
    json v;
    if (vnode) {
      if (auto err = xml_to_doc(s.value, vnode, v)) return err;
    } else {
      v = "";
    }
    out[key] = std::move(v);
  }
  return std::nullopt;
}

std::vector<pugi::xml_node> children_named(const pugi::xml_node& node, std::string_view name) {
  std::vector<pugi::xml_node> out;
  for (auto c : node.children())
    if (c.type() == pugi::node_element && local_name(c) == strip_prefix(name)) out.push_back(c);
  return out;
}

}  // namespace

std::optional<std::string> xml_struct_to_doc(const Shape& shape, const pugi::xml_node& node, json& out) {
  out = json::object();
  for (const MemberRef& m : shape.members) {
    if (m.location != Location::Body) continue;
    if (m.xml_attribute) {
      for (auto a : node.attributes()) {
        if (strip_prefix(a.name()) == strip_prefix(m.wire_name())) {
          json v;
          std::string why;
          if (!text_to_value(m, a.value(), v, why)) return "Invalid value for " + m.name + ": " + why;
          out[m.name] = std::move(v);
        }
      }
      continue;
    }
    if (m.flattened && m.shape->type == ShapeType::List) {
      auto items = children_named(node, xml_member_name(m));
      if (items.empty()) continue;
      json v;
      if (auto err = xml_list(m, std::move(items), v)) return err;
      out[m.name] = std::move(v);
      continue;
    }
    if (m.flattened && m.shape->type == ShapeType::Map) {
      auto entries = children_named(node, m.wire_name());
      if (entries.empty()) continue;
      json v;
      if (auto err = xml_map(m, std::move(entries), v)) return err;
      out[m.name] = std::move(v);
      continue;
    }
    auto found = children_named(node, m.wire_name());
    if (found.empty()) continue;
    json v;
    if (auto err = xml_to_doc(m, found.front(), v)) return err;
    out[m.name] = std::move(v);
  }
  return std::nullopt;
}

std::optional<std::string> xml_to_doc(const MemberRef& ref, const pugi::xml_node& node, json& out) {
  DepthGuard guard;
  if (guard.too_deep()) return too_deep_message();
  const Shape& s = *ref.shape;
  switch (s.type) {
    case ShapeType::Structure:
      return xml_struct_to_doc(s, node, out);
    case ShapeType::List: {
      if (ref.flattened) return xml_list(ref, {node}, out);
      std::string_view item = s.member.location_name.empty() ? "member" : std::string_view(s.member.location_name);
      return xml_list(ref, children_named(node, item), out);
    }
    case ShapeType::Map:
      if (ref.flattened) return xml_map(ref, {node}, out);
      return xml_map(ref, children_named(node, "entry"), out);
    default: {
      std::string why;
      std::string text = node.child_value();
      if (!text_to_value(ref, text, out, why)) return "Invalid value for " + std::string(local_name(node)) + ": " + why;
      return std::nullopt;
    }
  }
}

void doc_to_xml(pugi::xml_node parent, std::string_view name, const MemberRef& ref, const json& doc, TsDefault ts,
                bool ts_millis) {
  const Shape& s = *ref.shape;
  std::string ename(name);
  auto add_ns = [&](pugi::xml_node el) {
    if (ref.xml_namespace_uri.empty()) return;
    std::string attr = ref.xml_namespace_prefix.empty() ? "xmlns" : "xmlns:" + ref.xml_namespace_prefix;
    el.append_attribute(attr.c_str()).set_value(ref.xml_namespace_uri.c_str());
  };
  switch (s.type) {
    case ShapeType::Structure: {
      auto el = parent.append_child(ename.c_str());
      add_ns(el);
      doc_struct_to_xml(el, s, doc, ts, ts_millis);
      return;
    }
    case ShapeType::List: {
      if (!doc.is_array()) return;
      if (ref.flattened) {
        std::string item = s.member.location_name.empty() ? ename : s.member.location_name;
        for (const auto& v : doc) doc_to_xml(parent, item, s.member, v, ts, ts_millis);
        return;
      }
      auto el = parent.append_child(ename.c_str());
      add_ns(el);
      std::string item = s.member.location_name.empty() ? "member" : s.member.location_name;
      for (const auto& v : doc) doc_to_xml(el, item, s.member, v, ts, ts_millis);
      return;
    }
    case ShapeType::Map: {
      if (!doc.is_object()) return;
      std::string kname = s.key.location_name.empty() ? "key" : s.key.location_name;
      std::string vname = s.value.location_name.empty() ? "value" : s.value.location_name;
      pugi::xml_node container = parent;
      if (!ref.flattened) container = parent.append_child(ename.c_str());
      for (auto it = doc.begin(); it != doc.end(); ++it) {
        auto entry = container.append_child(ref.flattened ? ename.c_str() : "entry");
        entry.append_child(kname.c_str()).text().set(it.key().c_str());
        doc_to_xml(entry, vname, s.value, *it, ts, ts_millis);
      }
      return;
    }
    default: {
      auto el = parent.append_child(ename.c_str());
      add_ns(el);
      std::string text = value_to_text(ref, doc, ts, ts_millis);
      el.text().set(text.c_str());
      return;
    }
  }
}

void doc_struct_to_xml(pugi::xml_node parent, const Shape& shape, const json& doc, TsDefault ts, bool ts_millis) {
  if (!doc.is_object()) return;
  for (const MemberRef& m : shape.members) {
    if (m.location != Location::Body) continue;
    auto it = doc.find(m.name);
    if (it == doc.end() || it->is_null()) continue;
    if (m.xml_attribute) {
      std::string text = value_to_text(m, *it, ts, ts_millis);
      std::string aname(m.wire_name());
      parent.append_attribute(aname.c_str()).set_value(text.c_str());
      continue;
    }
    doc_to_xml(parent, xml_member_name(m), m, *it, ts, ts_millis);
  }
}

void xml_escape(std::string& out, std::string_view text, bool attribute) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"':
        if (attribute) {
          out += "&quot;";
        } else {
          out += c;
        }
        break;
      default: {
        auto u = static_cast<unsigned char>(c);
        if (u < 32 && (attribute || (u != '\t' && u != '\n' && u != '\r'))) {
          out += "&#";
          out += std::to_string(u);
          out += ';';
        } else {
          out += c;
        }
      }
    }
  }
}

namespace {
void open_tag(std::string& out, std::string_view name, const MemberRef& ref) {
  out += '<';
  out += name;
  if (!ref.xml_namespace_uri.empty()) {
    out += ref.xml_namespace_prefix.empty() ? " xmlns" : " xmlns:";
    out += ref.xml_namespace_prefix;
    out += "=\"";
    xml_escape(out, ref.xml_namespace_uri, true);
    out += '"';
  }
}

void close_tag(std::string& out, std::string_view name) {
  out += "</";
  out += name;
  out += '>';
}

void doc_to_xml_text(std::string& out, std::string_view name, const MemberRef& ref, const json& doc, TsDefault ts,
                     bool ts_millis);

// Attributes of `shape`'s members, then '>' and the child elements, then nothing: the caller
// closes the element (an empty element is written as <a></a>, which is the same XML as <a/>).
void struct_body_text(std::string& out, const Shape& shape, const json& doc, TsDefault ts, bool ts_millis) {
  if (doc.is_object()) {
    for (const MemberRef& m : shape.members) {
      if (m.location != Location::Body || !m.xml_attribute) continue;
      auto it = doc.find(m.name);
      if (it == doc.end() || it->is_null()) continue;
      out += ' ';
      out += m.wire_name();
      out += "=\"";
      xml_escape(out, value_to_text(m, *it, ts, ts_millis), true);
      out += '"';
    }
  }
  out += '>';
  doc_struct_to_xml_text(out, shape, doc, ts, ts_millis);
}

void doc_to_xml_text(std::string& out, std::string_view name, const MemberRef& ref, const json& doc, TsDefault ts,
                     bool ts_millis) {
  const Shape& s = *ref.shape;
  switch (s.type) {
    case ShapeType::Structure:
      open_tag(out, name, ref);
      struct_body_text(out, s, doc, ts, ts_millis);
      close_tag(out, name);
      return;
    case ShapeType::List: {
      if (!doc.is_array()) return;
      std::string_view item = s.member.location_name.empty() ? (ref.flattened ? name : std::string_view("member"))
                                                             : std::string_view(s.member.location_name);
      if (ref.flattened) {
        for (const auto& v : doc) doc_to_xml_text(out, item, s.member, v, ts, ts_millis);
        return;
      }
      open_tag(out, name, ref);
      out += '>';
      for (const auto& v : doc) doc_to_xml_text(out, item, s.member, v, ts, ts_millis);
      close_tag(out, name);
      return;
    }
    case ShapeType::Map: {
      if (!doc.is_object()) return;
      std::string_view kname = s.key.location_name.empty() ? std::string_view("key") : s.key.location_name;
      std::string_view vname = s.value.location_name.empty() ? std::string_view("value") : s.value.location_name;
      if (!ref.flattened) out.append("<").append(name).append(">");
      std::string_view entry = ref.flattened ? name : std::string_view("entry");
      for (auto it = doc.begin(); it != doc.end(); ++it) {
        out.append("<").append(entry).append("><").append(kname).append(">");
        xml_escape(out, it.key(), false);
        close_tag(out, kname);
        doc_to_xml_text(out, vname, s.value, *it, ts, ts_millis);
        close_tag(out, entry);
      }
      if (!ref.flattened) close_tag(out, name);
      return;
    }
    default:
      open_tag(out, name, ref);
      out += '>';
      xml_escape(out, value_to_text(ref, doc, ts, ts_millis), false);
      close_tag(out, name);
      return;
  }
}
}  // namespace

void doc_struct_to_xml_text(std::string& out, const Shape& shape, const json& doc, TsDefault ts, bool ts_millis) {
  if (!doc.is_object()) return;
  for (const MemberRef& m : shape.members) {
    if (m.location != Location::Body || m.xml_attribute) continue;
    auto it = doc.find(m.name);
    if (it == doc.end() || it->is_null()) continue;
    doc_to_xml_text(out, xml_member_name(m), m, *it, ts, ts_millis);
  }
}

namespace {
// Appends pugixml's output straight to a string (an ostringstream costs a locale-aware stream
// and a copy on every response).
struct StringWriter final : pugi::xml_writer {
  std::string& out;
  explicit StringWriter(std::string& o) : out(o) {}
  void write(const void* data, size_t size) override { out.append(static_cast<const char*>(data), size); }
};
}  // namespace

std::string xml_string(const pugi::xml_document& doc, bool declaration) {
  std::string out;
  out.reserve(512);
  if (declaration) out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  StringWriter writer(out);
  doc.save(writer, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
  return out;
}

}  // namespace awan::protocol::wire
