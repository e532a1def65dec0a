#pragma once
// The S3 emulator (model s3 2006-03-01, restXml): buckets, objects, listings, multipart
// uploads, checksums, versioning and bucket configurations. Bodies are payloads (files or
// bytes), never strings in documents.
#include <memory>

#include "awan/service.hpp"

namespace awan::s3 {

std::unique_ptr<Service> make_service(const ServiceEnv& env);

}  // namespace awan::s3
