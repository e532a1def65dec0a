// Request checking shared by the DynamoDB operation files (service, PartiQL, streams, backups):
// member access and the awsJson "N validation error(s) detected" constraint messages.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "awan/error.hpp"

namespace awan::dynamodb::request {

using json = nlohmann::json;

[[noreturn]] inline void invalid(std::string msg) { throw AwsError::validation(std::move(msg)); }

inline const json* member(const json& in, const char* name) {
  if (!in.is_object()) return nullptr;
  auto it = in.find(name);
  return it == in.end() || it->is_null() ? nullptr : &*it;
}
inline std::string str_member(const json& in, const char* name, std::string def = {}) {
  const json* v = member(in, name);
  return v && v->is_string() ? v->get<std::string>() : def;
}
// "1 validation error detected: Value null at '<path>' ...": one missing required member.
[[noreturn]] inline void null_member(const char* path) {
  invalid(std::string("1 validation error detected: Value null at '") + path +
          "' failed to satisfy constraint: Member must not be null");
}

// CreateTable, DescribeTable, DeleteTable, UpdateTable and DescribeTimeToLive without a TableName:
// AWS answers this before the model's constraints (the item operations say "Value null at
// 'tableName' ..." instead).
inline void require_table_name(const json& in) {
  if (!member(in, "TableName")) invalid("The parameter 'TableName' is required but was not present in the request");
}

// A list of structures as AWS's Java service prints it in constraint messages:
// [com.amazonaws.dynamodb.v20120810.<shape>@<hash>, ...], the hash being the object's hashCode in
// unpadded hex. Ours is a 32-bit FNV-1a of each element's JSON: the same shape, stable for the same
// element, not Java's value.
inline std::string java_object_list(const json& list, const char* shape) {
  std::string out = "[";
  bool first = true;
  for (const json& e : list) {
    uint32_t h = 2166136261u;
    for (unsigned char ch : e.dump()) h = (h ^ ch) * 16777619u;
    char hex[16];
    std::snprintf(hex, sizeof hex, "%x", h);
    out.append(first ? "" : ", ").append("com.amazonaws.dynamodb.v20120810.").append(shape).append("@").append(hex);
    first = false;
  }
  return out + "]";
}

// "N validation error(s) detected: ..." (the awsJson constraint-violation form).
class Constraints {
 public:
  void add(const json* v, const std::string& path, const std::string& msg) {
    std::string value = "null";
    if (v) {
      value = "'";
      value.append(v->is_string() ? v->get_ref<const std::string&>() : v->dump()).append("'");
    }
    add_text(value, path, msg);
  }
  void add_quoted(const std::string& rendered, const std::string& path, const std::string& msg) {
    std::string value = "'";
    value.append(rendered).append("'");
    add_text(value, path, msg);
  }
  // The value already rendered (quoted, or null).
  void add_text(const std::string& value, const std::string& path, const std::string& msg) {
    // Appended piece by piece: GCC 12 warns -Wrestrict (falsely, PR105329) on "lit" + string.
    std::string e = "Value ";
    e.append(value).append(" at '").append(path).append("' failed to satisfy constraint: ").append(msg);
    errs_.push_back(std::move(e));
  }
  // "Value at '<path>' ...": AWS prints no value for members of RequestItems' map values.
  void add_unvalued(const std::string& path, const std::string& msg) {
    std::string e = "Value at '";
    e.append(path).append("' failed to satisfy constraint: ").append(msg);
    errs_.push_back(std::move(e));
  }
  void raise() const {
    if (errs_.empty()) return;
    std::string m = std::to_string(errs_.size()) + " validation error" + (errs_.size() > 1 ? "s" : "") + " detected: ";
    for (size_t i = 0; i < errs_.size(); ++i) m += (i ? "; " : "") + errs_[i];
    invalid(m);
  }
  void table_name(const json& in, const char* field = "TableName", const char* path = "tableName", bool required = true) {
    const json* v = member(in, field);
    if (!v) {
      if (required) add(nullptr, path, "Member must not be null");
      return;
    }
    if (!v->is_string()) throw AwsError::serialization("Unexpected value type for " + std::string(field));
    const auto& s = v->get_ref<const std::string&>();
    if (s.rfind("arn:", 0) == 0) {
      if (s.size() > 1024) add(v, path, "Member must have length less than or equal to 1024");
      return;
    }
    // The name members are TableArn-shaped now (1..1024): an empty name fails that alone.
    if (s.empty()) {
      add(v, path, "Member must have length greater than or equal to 1");
      return;
    }
    if (s.size() < 3) add(v, path, "Member must have length greater than or equal to 3");
    if (s.size() > 255) add(v, path, "Member must have length less than or equal to 255");
    bool ok = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    });
    if (!ok) add(v, path, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  }
  void enum_value(const json& in, const char* field, const char* path, std::initializer_list<const char*> allowed) {
    const json* v = member(in, field);
    if (!v) return;
    if (v->is_string())
      for (const char* a : allowed)
        if (*v == a) return;
    std::string set = "[";
    bool first = true;
    for (const char* a : allowed) {
      set += (first ? "" : ", ") + std::string(a);
      first = false;
    }
    add(v, path, "Member must satisfy enum value set: " + set + "]");
  }
  void min_int(const json& in, const char* field, const char* path, int64_t min) {
    const json* v = member(in, field);
    if (v && v->is_number() && v->get<int64_t>() < min)
      add(v, path, "Member must have value greater than or equal to " + std::to_string(min));
  }

 protected:
  std::vector<std::string> errs_;
};

}  // namespace awan::dynamodb::request
