#pragma once
// Internal helpers shared by the codecs: form/URL encoding, scalar conversions between wire
// text and documents, model-driven JSON and XML walkers. Not part of the public API.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "awan/error.hpp"
#include "core/text.hpp"
#include "protocol/model.hpp"

namespace awan::protocol::wire {

using json = nlohmann::json;

using text::percent_decode;  // core/text.hpp
using text::percent_encode;
// key=value pairs of a query string / form body, in order (value "" for bare keys).
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view s);

// Request bodies nest at most this deep: JSON arrays and objects, XML elements, and the
// model-driven walkers' recursion over shapes (recursive shapes follow the data), so that a
// client cannot exhaust an I/O thread's stack.
inline constexpr int kMaxNesting = 200;
// The SerializationException message of a body nested deeper than kMaxNesting.
std::string too_deep_message();
// True when the JSON text nests arrays/objects deeper than `limit` (one pass, no recursion;
// brackets inside strings do not count). Says nothing about the text's validity.
bool json_nesting_exceeds(std::string_view text, int limit = kMaxNesting);
// True when an XML element nests deeper than `limit` below the document (no recursion).
bool xml_nesting_exceeds(const pugi::xml_node& root, int limit = kMaxNesting);
// Why `text` is not valid JSON, as a SerializationException message (call it only for text
// that failed to parse): invalid UTF-8, end of input, or an unexpected character.
std::string json_syntax_message(std::string_view text);

enum class TsDefault { Iso8601, Rfc822, Unix };

// Wire text → document value for a scalar reference. Returns false with `why` on bad text.
bool text_to_value(const MemberRef& ref, std::string_view text, json& out, std::string& why);
// Document value → wire text for a scalar reference.
std::string value_to_text(const MemberRef& ref, const json& v, TsDefault ts_default, bool ts_millis = false);

// Document timestamp (number, or ISO string) → epoch seconds.
std::optional<double> doc_timestamp(const json& v);

// JSON wire value → document, validated against the model (awsJson / restJson bodies).
// Returns the SerializationException message on a type mismatch. `wire` is consumed: it is
// converted in place and moved into `out` (no copy of the request's values).
std::optional<std::string> json_to_doc(const MemberRef& ref, json& wire, json& out);
std::optional<std::string> json_struct_to_doc(const Shape& shape, json& wire, json& out, bool body_only);
// Document → JSON wire value (locationName renames, timestamp formats).
json doc_to_json(const MemberRef& ref, const json& doc);
json doc_struct_to_json(const Shape& shape, const json& doc, bool body_only);

// XML element → document (restXml bodies). Returns a message on bad values.
std::optional<std::string> xml_to_doc(const MemberRef& ref, const pugi::xml_node& node, json& out);
std::optional<std::string> xml_struct_to_doc(const Shape& shape, const pugi::xml_node& node, json& out);
// Document → XML: members of a structure appended to `parent` (body members only).
void doc_struct_to_xml(pugi::xml_node parent, const Shape& shape, const json& doc, TsDefault ts, bool ts_millis);
// The same XML as doc_struct_to_xml, written as text straight into `out` (the members of an
// element whose start tag `out` ends with, still open: attributes are appended first). Used on
// the hot output path of the awsQuery codec, where building a DOM cost more than the service.
void doc_struct_to_xml_text(std::string& out, const Shape& shape, const json& doc, TsDefault ts, bool ts_millis);
// XML escaping of character data / attribute values.
void xml_escape(std::string& out, std::string_view text, bool attribute);
void doc_to_xml(pugi::xml_node parent, std::string_view name, const MemberRef& ref, const json& doc, TsDefault ts,
                bool ts_millis);
// Serializes a pugixml document without indentation, with or without the XML declaration.
std::string xml_string(const pugi::xml_document& doc, bool declaration);

// Local name of an XML element (prefix stripped).
std::string_view local_name(const pugi::xml_node& n);

}  // namespace awan::protocol::wire
