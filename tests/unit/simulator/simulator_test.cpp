// The embedding API: an in-process simulator, in-process calls, custom services, HTTP on port 0.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "awan/simulator.hpp"

using namespace awan;

namespace {

// Minimal blocking HTTP/1.1 exchange over loopback (Connection: close).
std::string http_exchange(uint16_t port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  ::send(fd, request.data(), request.size(), 0);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

class EchoService : public Service {
 public:
  std::string_view name() const override { return "sts"; }  // replaces STS: proves add_service wins
  Result call(const RequestContext& ctx, const std::string& op, nlohmann::json input) override {
    ++calls;
    if (op == "GetCallerIdentity") {
      return Result::ok({{"Account", ctx.account_id}, {"Arn", "arn:aws:iam::" + ctx.account_id + ":user/echo"},
                         {"UserId", "ECHO"}});
    }
    return Result::fail(AwsError("InvalidAction", "nope"));
  }
  void reset() override { calls = 0; }
  int calls = 0;
};

SimulatorOptions test_options() {
  SimulatorOptions o;
  o.port = 0;
  o.threads = 2;
  return o;
}

}  // namespace

TEST(Simulator, StartsOnAFreePortAndAnswersHealth) {
  Simulator sim(test_options());
  sim.start();
  ASSERT_NE(sim.port(), 0);
  EXPECT_EQ(sim.endpoint(), "http://127.0.0.1:" + std::to_string(sim.port()));
  auto resp = http_exchange(sim.port(), "GET /_awan/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(resp.rfind("HTTP/1.1 200", 0), 0u) << resp;
  EXPECT_NE(resp.find("\"iam\":\"running\""), std::string::npos);
  EXPECT_NE(resp.find("x-amzn-RequestId"), std::string::npos);
  sim.stop();
}

TEST(Simulator, InProcessCallsUseTheOperationInterface) {
  Simulator sim(test_options());
  Result got;
  auto ctx = sim.context();
  sim.call(ctx, "iam", "CreateRole",
           {{"RoleName", "inproc"}, {"AssumeRolePolicyDocument", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})"}},
           [&](Result r) { got = std::move(r); });
  ASSERT_FALSE(got.is_error()) << got.error->message;
  EXPECT_EQ(got.output["Role"]["Arn"], "arn:aws:iam::000000000000:role/inproc");
  sim.call(ctx, "iam", "GetRole", {{"RoleName", "missing"}}, [&](Result r) { got = std::move(r); });
  ASSERT_TRUE(got.is_error());
  EXPECT_EQ(got.error->http_status, 404);
  sim.call(ctx, "nosuch", "X", nlohmann::json::object(), [&](Result r) { got = std::move(r); });
  ASSERT_TRUE(got.is_error());
  EXPECT_EQ(got.error->code, "NotImplemented");
}

TEST(Simulator, CustomServiceOverHttpAndReset) {
  Simulator sim(test_options());
  auto echo = std::make_unique<EchoService>();
  EchoService* raw = echo.get();
  sim.add_service(std::move(echo));
  sim.start();
  std::string body = "Action=GetCallerIdentity&Version=2011-06-15";
  auto resp = http_exchange(sim.port(), "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                                        "Authorization: AWS4-HMAC-SHA256 Credential=123456789012/20260101/eu-west-1/sts/aws4_request, SignedHeaders=host, Signature=0\r\n"
                                        "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  EXPECT_NE(resp.find("<Arn>arn:aws:iam::123456789012:user/echo</Arn>"), std::string::npos) << resp;
  EXPECT_EQ(raw->calls, 1);
  http_exchange(sim.port(), "POST /_awan/reset HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(raw->calls, 0);
}

TEST(Simulator, ServiceInternalEndpoints) {
  Simulator sim(test_options());
  std::atomic<int> ran{0};
  struct Poster : Service {
    explicit Poster(std::atomic<int>& r) : ran(r) {}
    std::string_view name() const override { return "poster"; }
    Result call(const RequestContext&, const std::string&, nlohmann::json) override { return Result::ok(); }
    void reset() override {}
    bool internal_endpoint(std::string_view method, std::string_view path, const std::string&, int& status,
                           nlohmann::json& out) override {
      if (path != "ping") return false;
      ++ran;
      status = 200;
      out = {{"pong", true}, {"method", std::string(method)}};
      return true;
    }
    std::atomic<int>& ran;
  };
  sim.add_service(std::make_unique<Poster>(ran));
  sim.start();
  auto resp = http_exchange(sim.port(), "POST /_awan/poster/ping HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_NE(resp.find("\"pong\":true"), std::string::npos) << resp;
  EXPECT_EQ(ran.load(), 1);
  resp = http_exchange(sim.port(), "POST /_awan/poster/nope HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(resp.rfind("HTTP/1.1 404", 0), 0u);
}

TEST(Simulator, SchedulerRunsWorkPostedBeforeStart) {
  Simulator sim(test_options());
  std::mutex mu;
  std::condition_variable cv;
  bool ran = false;
  sim.environment().scheduler->post_after(std::chrono::milliseconds(1), [&] {
    std::lock_guard<std::mutex> lock(mu);
    ran = true;
    cv.notify_all();
  });
  sim.start();
  std::unique_lock<std::mutex> lock(mu);
  EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return ran; }));
}

TEST(Simulator, ForeignHostAndOriginAreRefusedBeforeRouting) {
  Simulator sim(test_options());
  auto echo = std::make_unique<EchoService>();
  EchoService* raw = echo.get();
  sim.add_service(std::move(echo));
  sim.start();
  std::string body = "Action=GetCallerIdentity&Version=2011-06-15";
  auto form = [&](const std::string& extra) {
    return http_exchange(sim.port(), "POST / HTTP/1.1\r\n" + extra +
                                         "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  };
  auto resp = form("Host: evil.example:4566\r\n");
  EXPECT_EQ(resp.rfind("HTTP/1.1 403", 0), 0u) << resp;
  EXPECT_NE(resp.find("ForbiddenHost"), std::string::npos);
  resp = form("Host: localhost\r\nOrigin: https://evil.example\r\n");
  EXPECT_EQ(resp.rfind("HTTP/1.1 403", 0), 0u) << resp;
  EXPECT_NE(resp.find("ForbiddenOrigin"), std::string::npos);
  EXPECT_EQ(resp.find("Access-Control-Allow-Origin"), std::string::npos);
  EXPECT_EQ(raw->calls, 0);
  resp = form("Host: bucket.s3.localhost:4566\r\nOrigin: http://localhost:3000\r\n");
  EXPECT_EQ(resp.rfind("HTTP/1.1 200", 0), 0u) << resp;
  EXPECT_NE(resp.find("Access-Control-Allow-Origin: http://localhost:3000"), std::string::npos) << resp;
  EXPECT_EQ(raw->calls, 1);
}

TEST(Simulator, InternalPostsMustBeJson) {
  Simulator sim(test_options());
  auto echo = std::make_unique<EchoService>();
  EchoService* raw = echo.get();
  sim.add_service(std::move(echo));
  sim.start();
  std::string body = "Action=GetCallerIdentity&Version=2011-06-15";
  http_exchange(sim.port(), "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                            "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  ASSERT_EQ(raw->calls, 1);
  auto resp = http_exchange(sim.port(), "POST /_awan/reset HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
                                        "Content-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(resp.rfind("HTTP/1.1 415", 0), 0u) << resp;
  resp = http_exchange(sim.port(), "POST /_awan/reset HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(resp.rfind("HTTP/1.1 415", 0), 0u) << resp;
  EXPECT_EQ(raw->calls, 1);
  resp = http_exchange(sim.port(), "POST /_awan/reset HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                   "Content-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(resp.rfind("HTTP/1.1 200", 0), 0u) << resp;
  EXPECT_EQ(raw->calls, 0);
}

TEST(Simulator, PreflightFromAllowedOrigin) {
  Simulator sim(test_options());
  sim.start();
  auto resp = http_exchange(sim.port(), "OPTIONS /_awan/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://app.localhost:5173\r\n"
                                        "Access-Control-Request-Method: POST\r\n"
                                        "Access-Control-Request-Headers: content-type, x-amz-date\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(resp.rfind("HTTP/1.1 200", 0), 0u) << resp;
  EXPECT_NE(resp.find("Access-Control-Allow-Origin: http://app.localhost:5173\r\n"), std::string::npos) << resp;
  EXPECT_NE(resp.find("Access-Control-Allow-Methods: POST\r\n"), std::string::npos);
  EXPECT_NE(resp.find("Access-Control-Allow-Headers: content-type, x-amz-date\r\n"), std::string::npos);
  EXPECT_NE(resp.find("Access-Control-Max-Age: "), std::string::npos);
}

TEST(Simulator, EndpointAndListenUrlOfAWildcardBind) {
  SimulatorOptions o = test_options();
  o.host = "0.0.0.0";
  Simulator sim(o);
  sim.start();
  const std::string port = std::to_string(sim.port());
  EXPECT_EQ(sim.listen_url(), "http://0.0.0.0:" + port);
  EXPECT_EQ(sim.endpoint(), "http://127.0.0.1:" + port);
  EXPECT_FALSE(sim.loopback_only());
  // Bound to all interfaces on purpose: any Host is served.
  auto resp = http_exchange(sim.port(), "GET /_awan/health HTTP/1.1\r\nHost: my-laptop.lan\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(resp.rfind("HTTP/1.1 200", 0), 0u) << resp;
}

namespace {
// Owns the API ids it was given; answers with what it saw.
class FakeApis : public Service {
 public:
  FakeApis(std::string name, std::string owned) : name_(std::move(name)), owned_(std::move(owned)) {}
  std::string_view name() const override { return name_; }
  Result call(const RequestContext&, const std::string&, nlohmann::json) override { return Result::ok(); }
  void reset() override {}
  bool invoke_http(const RequestContext& ctx, const HttpCall& call, HttpCompletion done) override {
    if (call.api_id != owned_) return false;
    HttpAnswer a;
    a.status = 201;
    a.headers.emplace_back("Content-Type", "application/json");
    const std::string* custom = call.header("x-custom");
    a.body = nlohmann::json{{"owner", name_},
                            {"api", call.api_id},
                            {"method", call.method},
                            {"path", call.path},
                            {"query", call.query},
                            {"body", call.body},
                            {"custom", custom ? *custom : ""},
                            {"account", ctx.account_id}}
                 .dump();
    // From another thread, as after a function invocation.
    std::thread([done = std::move(done), a = std::move(a)]() mutable { done(std::move(a)); }).detach();
    return true;
  }

 private:
  std::string name_, owned_;
};

nlohmann::json body_json(const std::string& response) {
  return nlohmann::json::parse(response.substr(response.find("\r\n\r\n") + 4), nullptr, false);
}
}  // namespace

TEST(Simulator, ExecuteApiReachesTheOwnerOfTheApiId) {
  SimulatorOptions o = test_options();
  o.builtin_services = false;
  Simulator sim(o);
  sim.add_service(std::make_unique<FakeApis>("apigateway", "restid0001"));
  sim.add_service(std::make_unique<FakeApis>("apigatewayv2", "httpid0001"));
  sim.start();
  auto r = http_exchange(sim.port(),
                         "POST /_aws/execute-api/restid0001/prod/items/a%20b?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "X-Custom: yes\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
  EXPECT_NE(r.find("HTTP/1.1 201"), std::string::npos) << r;
  auto j = body_json(r);
  EXPECT_EQ(j["owner"], "apigateway");
  EXPECT_EQ(j["path"], "/prod/items/a%20b");
  EXPECT_EQ(j["query"], "x=1");
  EXPECT_EQ(j["body"], "hi");
  EXPECT_EQ(j["custom"], "yes");
  r = http_exchange(sim.port(), "GET /items HTTP/1.1\r\nHost: httpid0001.execute-api.localhost\r\nConnection: close\r\n\r\n");
  j = body_json(r);
  EXPECT_EQ(j["owner"], "apigatewayv2");
  EXPECT_EQ(j["path"], "/items");
  r = http_exchange(sim.port(),
                    "GET /restapis/restid0001/dev/_user_request_/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  j = body_json(r);
  EXPECT_EQ(j["owner"], "apigateway");
  EXPECT_EQ(j["path"], "/dev/x");
  r = http_exchange(sim.port(), "GET /_aws/execute-api/nobody/prod/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_NE(r.find("HTTP/1.1 404"), std::string::npos) << r;
  EXPECT_EQ(body_json(r)["message"], "Not Found");
  sim.stop();
}
