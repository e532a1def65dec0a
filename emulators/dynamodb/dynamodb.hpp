#pragma once
// The DynamoDB emulator (DynamoDB_20120810): documents in and out are the awsJson 1.0
// request/response shapes.
#include <memory>

#include "awan/service.hpp"

namespace awan::dynamodb {

std::unique_ptr<awan::Service> make_service(const ServiceEnv& env);
// The DynamoDBStreams_20120810 service over the same store (`dynamodb` is the service made by
// make_service; it must outlive no longer than the returned one needs: calls fail once it is gone).
std::unique_ptr<awan::Service> make_streams_service(awan::Service& dynamodb);

}  // namespace awan::dynamodb
