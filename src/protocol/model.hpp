#pragma once
// Service models: the compact AWS API models embedded at build time by scripts/gen_models.py,
// parsed lazily (once per service, thread-safe) into shapes and operations the codecs walk.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "awan/error.hpp"

namespace awan::protocol {

// Compact JSON model of a service ("" when unknown). Keys: botocore service ids, plus
// "sqs@query" (the awsQuery form of SQS) when an older botocore provided it.
std::string_view embedded_model(std::string_view service);
// Every key embedded_model() knows, sorted.
const std::vector<std::string_view>& embedded_model_names();

// Parses the models and builds the codecs of every embedded service now rather than on the
// first request (a few ms each). Meant for a background thread once the server listens.
void warm_up();

enum class ShapeType : uint8_t {
  Structure, List, Map, String, Integer, Long, Float, Double, Boolean, Timestamp, Blob,
  BigInteger, BigDecimal, Unknown
};
enum class Location : uint8_t { Body, Header, Headers, Uri, Querystring, StatusCode };
enum class ProtocolKind : uint8_t { Json, Query, RestXml, RestJson, Ec2, Unknown };

struct Shape;

// A reference to a shape with the serialization traits of the place it is used (structure
// member, list member, map key/value). Traits declared on the target shape itself are merged
// in (the reference wins), as botocore does.
struct MemberRef {
  std::string name;           // member name ("" for list members and map keys/values)
  const Shape* shape = nullptr;
  Location location = Location::Body;
  std::string location_name;  // explicit locationName, "" when absent
  std::string xml_namespace_uri;
  std::string xml_namespace_prefix;
  std::string timestamp_format;  // "iso8601" | "rfc822" | "unixTimestamp" | "" (protocol default)
  bool flattened = false;
  bool xml_attribute = false;
  bool jsonvalue = false;
  bool streaming = false;
  bool host_label = false;
  bool idempotency_token = false;
  bool required = false;      // listed in the enclosing structure's "required"

  // Name on the wire: locationName when given, else the member name.
  std::string_view wire_name() const { return location_name.empty() ? std::string_view(name) : location_name; }
};

struct ErrorTrait {
  bool present = false;       // the shape carries an "error" trait
  std::string code;           // error.code ("" when absent: the shape name is the code)
  int http_status = 400;
  bool sender_fault = false;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

struct Shape {
  std::string name;
  ShapeType type = ShapeType::Unknown;
  std::vector<MemberRef> members;  // structure members, model order
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> member_index;
  MemberRef member;  // list element
  MemberRef key;     // map key
  MemberRef value;   // map value
  std::string payload;                    // payload member name, "" when none
  const MemberRef* payload_member = nullptr;
  std::string location_name;
  std::string xml_namespace_uri;
  std::string xml_namespace_prefix;
  std::string timestamp_format;
  bool flattened = false;
  bool exception = false;
  bool streaming = false;
  bool document = false;
  bool is_union = false;
  // True when this shape's awsJson wire form equals the document form (no locationName
  // renames, no string timestamps anywhere below): encoders may dump documents as they are.
  bool json_identity = true;
  ErrorTrait error;

  const MemberRef* find_member(std::string_view member_name) const;
  // Error code on the wire: error.code when the model gives one, else the shape name.
  std::string_view error_code() const { return error.code.empty() ? std::string_view(name) : error.code; }
};

struct Operation {
  std::string name;
  std::string http_method = "POST";
  std::string request_uri = "/";
  int response_code = 0;  // 0 = not given (200)
  const Shape* input = nullptr;
  const Shape* output = nullptr;
  std::string input_location_name;   // restXml body root element of the input payload
  std::string input_xml_namespace;
  std::string result_wrapper;        // awsQuery <OpResult>
  bool deprecated = false;
  std::vector<const Shape*> errors;
};

struct Metadata {
  std::string protocol;        // "json" | "query" | "rest-xml" | "rest-json" | "ec2"
  ProtocolKind kind = ProtocolKind::Unknown;
  std::string api_version;
  std::string target_prefix;
  std::string json_version;
  std::string xml_namespace;
  std::string signing_name;
  std::string endpoint_prefix;
  std::string service_id;
  bool aws_query_compatible = false;
};

class Model {
 public:
  // The parsed model of a service key (see embedded_model), nullptr when there is none.
  // Parsed on first use, then shared; thread-safe.
  static const Model* get(std::string_view service);
  // Parses a compact (or full botocore) model; throws std::runtime_error when malformed.
  static std::unique_ptr<Model> parse(std::string_view key, std::string_view json_text);

  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  ~Model();

  const std::string& key() const { return key_; }
  const Metadata& metadata() const { return metadata_; }
  const Operation* operation(std::string_view name) const;
  const Shape* shape(std::string_view name) const;
  // Operations in model order.
  const std::vector<const Operation*>& operations() const { return operation_list_; }
  // The error shape a code refers to: by shape name first, then by error.code.
  const Shape* error_shape(std::string_view code) const;
  // An AwsError for a modelled error: the code as given, HTTP status and fault taken from the
  // model's error trait when `code` names an error shape (400/Sender otherwise).
  AwsError make_error(std::string_view code, std::string message) const;

 private:
  Model() = default;
  std::string key_;
  Metadata metadata_;
  std::vector<std::unique_ptr<Shape>> shape_store_;
  std::vector<std::unique_ptr<Operation>> operation_store_;
  std::unordered_map<std::string, const Shape*, StringHash, std::equal_to<>> shapes_;
  std::unordered_map<std::string, const Operation*, StringHash, std::equal_to<>> operations_;
  std::unordered_map<std::string, const Shape*, StringHash, std::equal_to<>> errors_by_code_;
  std::vector<const Operation*> operation_list_;
};

}  // namespace awan::protocol
