// libFuzzer target: SigV4 parsing of the Authorization header and presigned query strings,
// the error a malformed one gets in each dialect, and verification against a fixed secret.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_request.hpp"
#include "gateway/sigv4.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awan;
  http::Request req = fuzz::request_from_bytes(data, size);
  sigv4::Auth auth = sigv4::parse(req);
  for (auto d : {sigv4::Dialect::S3, sigv4::Dialect::Query, sigv4::Dialect::Json}) {
    auto err = sigv4::parse_error(auth, d);
    if (!err && (auth.kind == sigv4::AuthKind::Header || auth.kind == sigv4::AuthKind::Presigned)) {
      sigv4::VerifyOptions vo;
      vo.dialect = d;
      (void)sigv4::verify(req, auth, sigv4::Credentials{"test", "", std::nullopt}, vo);
      (void)sigv4::verify(req, auth, std::nullopt, vo);
    }
  }
  (void)auth.signed_header_list();
  (void)auth.session_token();
  (void)auth.request_time();
  return 0;
}
