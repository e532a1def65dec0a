#pragma once
// Internal to the codecs (json_codec.cpp, query_codec.cpp, rest_codec.cpp): the small pieces
// of wire output more than one protocol writes alike.
#include <string>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "protocol/codec.hpp"
#include "protocol/model.hpp"

namespace awan::protocol::support {

// JSON text as it goes on the wire (invalid UTF-8 replaced, never thrown on).
std::string dump(const nlohmann::json& j);

// Message member spelling of an error shape ("message" unless the shape says "Message").
std::string message_key(const Shape* s);

// The error's details as extra members of a JSON error body (members already there win).
void merge_details_json(const AwsError& e, nlohmann::json& body);

// The error's details as extra child elements of an XML <Error>.
void append_details_xml(const AwsError& e, pugi::xml_node error);

// A header member's value as text (restXml/restJson, either direction): lists comma-joined,
// jsonvalue members base64 of their JSON, timestamps in RFC 822 unless the member says otherwise.
std::string header_text(const MemberRef& m, const nlohmann::json& v);

// x-amzn-RequestId, when the request has an id.
void add_request_id_headers(const EncodeContext& ctx, http::Response& out);

}  // namespace awan::protocol::support
