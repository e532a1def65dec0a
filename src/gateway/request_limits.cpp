#include "gateway/request_limits.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include <nlohmann/json.hpp>

#include "gateway/router.hpp"

namespace awan::gateway {

namespace {
bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::optional<uint64_t> parse_u64(std::string_view s) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return n;
}

// Step Functions is not routed yet (no service behind it): recognised here from its target
// prefix and its signing name, so that its limit applies from the start.
bool is_step_functions(const http::Request& head) {
  if (starts_with(head.headers.get("x-amz-target"), "AWSStepFunctions.")) return true;
  auto auth = head.headers.get("authorization");
  auto p = auth.find("Credential=");
  if (p == std::string_view::npos) return false;
  auto v = auth.substr(p + 11);
  v = v.substr(0, v.find_first_of(", "));
  CredentialScope scope;
  return parse_credential_scope(v, scope) && scope.service == "states";
}

// The Lambda operations with large requests, from the REST path.
void lambda_limit(const http::Request& head, RequestLimit& out) {
  std::string_view path = head.path;
  auto slash = path.find('/', 1);  // after the dated prefix
  std::string_view rest = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  if (head.method == "POST" && starts_with(rest, "/functions/") && ends_with(rest, "/invocations")) {
    bool event = http::iequals(head.headers.get("x-amz-invocation-type"), "Event");
    out.operation = event ? "InvokeAsync" : "InvokeFunction";
    out.max_bytes = event ? kLambdaEventInvokeLimit : kLambdaInvokeLimit;
    return;
  }
  out.max_bytes = kLambdaCodeLimit;
  if (head.method == "POST" && (rest == "/functions" || rest == "/functions/")) {
    out.operation = "CreateFunction";
  } else if (head.method == "PUT" && starts_with(rest, "/functions/") && ends_with(rest, "/code")) {
    out.operation = "UpdateFunctionCode";
  } else if (head.method == "POST" && starts_with(rest, "/layers/") && ends_with(rest, "/versions")) {
    out.operation = "PublishLayerVersion";
  }
}

// S3: a single PUT (or UploadPart) carries at most 5 GiB. An aws-chunked body declares its
// decoded length; its framing adds about 1% (8 KiB chunks at least, ~90 bytes of header each).
uint64_t s3_limit(const http::Request& head) {
  if (auto decoded = head.headers.find("x-amz-decoded-content-length")) {
    auto n = parse_u64(*decoded);
    if (n && *n > kS3ObjectLimit) return 0;
    return kS3ObjectLimit + kS3ObjectLimit / 64;
  }
  return kS3ObjectLimit;
}

std::string number(uint64_t n) { return std::to_string(n); }
}  // namespace

RequestLimit request_limit(const http::Request& head, uint64_t cap) {
  RequestLimit out;
  if (is_step_functions(head)) {
    out.service = "stepfunctions";
    out.max_bytes = kStepFunctionsLimit;
  } else {
    Route r = route(head);  // the body is empty here: query services are told by scope or Host
    if (r.kind == RouteKind::internal) {
      out.service = "internal";
      out.max_bytes = kInternalLimit;
    } else {
      out.service = r.service;
      const std::string& s = r.service;
      if (s == "dynamodb" || s == "dynamodbstreams") {
        out.max_bytes = kDynamoDbRequestLimit;
        if (auto target = head.headers.get("x-amz-target"); !target.empty()) {
          auto dot = target.find('.');
          if (dot != std::string_view::npos) out.operation = std::string(target.substr(dot + 1));
        }
      } else if (s == "sqs") {
        out.max_bytes = kSqsRequestLimit;
        auto target = head.headers.get("x-amz-target");
        if (auto dot = target.find('.'); dot != std::string_view::npos) {
          out.operation = std::string(target.substr(dot + 1));
        }
      } else if (s == "sns") {
        out.max_bytes = kSnsRequestLimit;
      } else if (s == "iam") {
        out.max_bytes = kIamRequestLimit;
      } else if (s == "sts") {
        out.max_bytes = kStsRequestLimit;
      } else if (s == "lambda") {
        lambda_limit(head, out);
      } else if (s == "logs") {
        out.max_bytes = kLogsRequestLimit;
      } else if (s == "apigateway" || s == "execute-api") {
        out.max_bytes = kApiGatewayLimit;
      } else if (s == "lambda-url") {
        out.max_bytes = kFunctionUrlLimit;
      } else if (s == "s3") {
        out.max_bytes = s3_limit(head);
      } else if (s.empty() && r.protocol == "query") {
        out.max_bytes = kIamRequestLimit;  // an unsigned form post: the largest query service's
      }
    }
  }
  out.max_bytes = std::min(out.max_bytes, cap);
  return out;
}

uint64_t body_limit_for(const http::Request& head, uint64_t cap) {
  constexpr uint64_t kSmallest = std::min({kSnsRequestLimit, kStsRequestLimit, kLambdaEventInvokeLimit,
                                           kStepFunctionsLimit, kInternalLimit});
  if (auto declared = parse_u64(head.headers.get("content-length")); declared && *declared <= kSmallest) {
    if (!head.headers.has("x-amz-decoded-content-length")) return cap;
  }
  return request_limit(head, cap).max_bytes;
}

AwsError request_too_large(const RequestLimit& limit, uint64_t declared) {
  const std::string& s = limit.service;
  std::string max = number(limit.max_bytes);
  if (s == "s3") {
    AwsError e("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400);
    nlohmann::json d = {{"MaxSizeAllowed", max}};
    if (declared > 0) d["ProposedSize"] = number(declared);
    e.details = std::make_shared<const nlohmann::json>(std::move(d));
    return e;
  }
  if (s == "lambda") {
    std::string msg;
    if (limit.operation == "InvokeAsync") {
      msg = (declared > 0 ? number(declared) + " byte payload" : std::string("Request payload")) +
            " is too large for the Event invocation type (limit " + max + " bytes)";
    } else {
      msg = "Request must be smaller than " + max + " bytes";
      if (!limit.operation.empty()) msg += " for the " + limit.operation + " operation";
    }
    return {"RequestEntityTooLargeException", msg, 413};
  }
  if (s == "sqs") {
    if (limit.operation == "SendMessageBatch") {
      return {"BatchRequestTooLong", "Batch requests cannot be longer than 1048576 bytes.", 400};
    }
    return {"InvalidParameterValue",
            "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.", 400};
  }
  if (s == "sns") return {"InvalidParameter", "Invalid parameter: Message too long", 400};
  if (s == "logs") {
    return {"InvalidParameterException",
            "Upload too large: " + (declared > 0 ? number(declared) : "more than " + max) +
                " bytes exceeds limit of " + max,
            400};
  }
  if (s == "execute-api") return {"RequestEntityTooLarge", "Request Too Long", 413};
  return {"RequestEntityTooLarge", "Request payload size exceeds the limit", 413};
}

AwsError request_too_large(const http::Request& head, uint64_t cap) {
  auto declared = parse_u64(head.headers.get("content-length"));
  return request_too_large(request_limit(head, cap), declared.value_or(0));
}

}  // namespace awan::gateway
