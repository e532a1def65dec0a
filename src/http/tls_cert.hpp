#pragma once
// Certificates of the HTTPS listener (OpenSSL, no Asio): a local certificate authority and the
// server certificate it issues, or the PEM files an operator gives. The listener itself is
// tls_listener.cpp; ServerOptions::tls (server.hpp) carries what this produces.
#include <chrono>
#include <string>
#include <vector>

namespace awan::http {

// PEM text of a certificate (or a chain, leaf first) and of its private key.
struct CertificateAndKey {
  std::string cert_pem;
  std::string key_pem;
};

// A new certificate authority: an EC P-256 key and a self-signed CA certificate (basic
// constraints CA:TRUE, key usage keyCertSign/cRLSign), valid for `validity` from a day ago.
// Throws std::runtime_error when OpenSSL fails.
CertificateAndKey make_certificate_authority(const std::string& common_name,
                                             std::chrono::hours validity = std::chrono::hours(24 * 3650));

// A server certificate issued by `ca` for `names`: each an IP literal ("127.0.0.1", "::1") or a
// DNS name ("localhost", "*.localhost"), all in subjectAltName; the first is the CN. EC P-256,
// serverAuth, valid for `validity` from a day ago. The returned cert_pem is the chain (the
// server certificate, then the CA's). Throws std::runtime_error on a bad CA or name.
CertificateAndKey issue_server_certificate(const CertificateAndKey& ca, const std::vector<std::string>& names,
                                           std::chrono::hours validity = std::chrono::hours(24 * 365));

// The names the generated server certificate covers: localhost, *.localhost, *.s3.localhost,
// *.<region>.localhost, 127.0.0.1, ::1, the listening address when it is a specific one, and
// each extra host name with its subdomains (--hostname).
std::vector<std::string> default_certificate_names(const std::string& bind_host, const std::vector<std::string>& hostnames,
                                                   const std::string& region);

// What the HTTPS listener serves with, and the CA clients should trust ("" when the operator
// gave the certificate).
struct TlsMaterial {
  CertificateAndKey server;
  std::string ca_pem;
};

// With cert_file and key_file: those PEM files (checked: readable, the key matches the first
// certificate). Otherwise a CA kept in `dir` (ca.pem, ca-key.pem; created when missing, the key
// file mode 0600; "" = in memory only) and a server certificate for `names` issued by it now.
// Throws std::runtime_error with a message naming the file at fault.
TlsMaterial load_or_create_tls_material(const std::string& cert_file, const std::string& key_file,
                                        const std::string& dir, const std::vector<std::string>& names);

// Checks that key_pem is a private key matching the first certificate of cert_pem; throws
// std::runtime_error otherwise.
void check_certificate_and_key(const CertificateAndKey& ck);

}  // namespace awan::http
