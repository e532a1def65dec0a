// The codec of each service (and of each alternative protocol form, "<service>@<protocol>"),
// built from its model on first use.
#include <memory>
#include <string>

#include "protocol/codecs.hpp"
#include "protocol/per_model.hpp"

namespace awan::protocol {

namespace {

std::unique_ptr<Codec> make_codec(std::string_view key) {
  const Model* m = Model::get(key);
  if (!m) return nullptr;
  std::string service(key.substr(0, key.find('@')));
  switch (m->metadata().kind) {
    case ProtocolKind::Json: return std::make_unique<JsonCodec>(service, m);
    case ProtocolKind::Query: return std::make_unique<QueryCodec>(service, m);
    case ProtocolKind::RestXml: return std::make_unique<RestCodec>(service, m, true);
    case ProtocolKind::RestJson: return std::make_unique<RestCodec>(service, m, false);
    default: return nullptr;
  }
}

const Codec* codec_for_key(std::string_view key) {
  static PerModel<Codec> codecs;
  return codecs.get(key, make_codec);
}

std::string_view normalize_protocol(std::string_view p) {
  if (p == "awsJson1_0" || p == "awsJson1_1" || p == "json") return "json";
  if (p == "awsQuery" || p == "query") return "query";
  if (p == "restXml" || p == "rest-xml") return "rest-xml";
  if (p == "restJson1" || p == "rest-json") return "rest-json";
  return p;
}

}  // namespace

void warm_up() {
  for (std::string_view key : embedded_model_names()) codec_for_key(key);
}

const Codec* codec_for(std::string_view service) {
  if (service.find('@') != std::string_view::npos) return nullptr;
  return codec_for_key(service);
}

const Codec* codec_for(std::string_view service, std::string_view protocol) {
  if (protocol.empty()) return codec_for(service);
  std::string_view want = normalize_protocol(protocol);
  if (const Model* m = Model::get(service); m && m->metadata().protocol == want) return codec_for(service);
  std::string key = std::string(service) + "@" + std::string(want);
  if (const Model* m = Model::get(key); m && m->metadata().protocol == want) return codec_for_key(key);
  return nullptr;
}

}  // namespace awan::protocol
