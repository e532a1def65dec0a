#pragma once
// Amazon API Gateway: REST APIs (service "apigateway", rest_*.cpp), HTTP and WebSocket APIs
// (service "apigatewayv2", v2_*.cpp) and the @connections management API of WebSocket APIs
// (service "apigatewaymanagementapi"), with their data planes (Service::invoke_http). Shared
// concepts: proxy_event (Lambda proxy events and results), throttle (token buckets).
#include <memory>

#include "awan/service.hpp"

namespace awan::apigateway {

std::unique_ptr<Service> make_rest_service(const ServiceEnv& env);
std::unique_ptr<Service> make_v2_service(const ServiceEnv& env);
// Shares the v2 service's WebSocket connections (v2 must outlive it).
std::unique_ptr<Service> make_management_service(Service& v2);

}  // namespace awan::apigateway
