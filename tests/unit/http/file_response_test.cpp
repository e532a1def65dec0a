// File-backed answers (Response::body_files): several file ranges sent one after another with
// sendfile, from descriptors opened beforehand or from paths opened when reached; the
// Content-Length of their sum, HEAD, a slow reader, a file gone before it is reached.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "http/server.hpp"
#include "http/socket_client.hpp"

namespace awan::http {
namespace {
namespace fs = std::filesystem;

struct FileResponseTest : ::testing::Test {
  std::unique_ptr<Server> server;
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() / ("awan-file-response-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
  }
  void TearDown() override {
    if (server) server->stop(100ms);
    fs::remove_all(dir);
  }
  std::string file(const std::string& name, const std::string& bytes) {
    std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  // Serves `ranges()` (built per request) for every request.
  void start(std::function<std::vector<FileRange>()> ranges) {
    ServerOptions o;
    o.port = 0;
    o.threads = 2;
    server = std::make_unique<Server>(o, [ranges](Request&&, Responder respond) {
      Response r;
      r.body_files = ranges();
      respond(std::move(r));
    });
    server->start();
  }
};

std::string body_of(const std::string& response) {
  size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

TEST_F(FileResponseTest, RangesOfSeveralFilesAreSentInOrder) {
  std::string a = file("a", "0123456789"), b = file("b", "abcdefghij");
  start([&] {
    return std::vector<FileRange>{{PayloadFile::open_readonly(a), 7, 3},
                                  {std::make_shared<PayloadFile>(b, false), 0, 10},  // opened when reached
                                  {PayloadFile::open_readonly(a), 0, 2}};
  });
  Client c(server->port());
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string r = c.response();
  EXPECT_NE(r.find("Content-Length: 15\r\n"), std::string::npos) << r;
  EXPECT_EQ(body_of(r), "789abcdefghij01");
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");  // the connection stays usable
  EXPECT_EQ(body_of(c.response()), "789abcdefghij01");
  c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string head = c.read(1);
  head += c.read(1, 200ms);
  EXPECT_NE(head.find("Content-Length: 15\r\n"), std::string::npos) << head;
  EXPECT_EQ(body_of(head), "");
  EXPECT_TRUE(fs::exists(b));  // a stored file is never removed by the answer
}

TEST_F(FileResponseTest, LargeRangesToASlowReader) {
  const std::string x(8 * 1024 * 1024, 'x'), y(8 * 1024 * 1024, 'y');
  std::string a = file("x", x), b = file("y", y);
  start([&] {
    return std::vector<FileRange>{{PayloadFile::open_readonly(a), 0, x.size()}, {PayloadFile::open_readonly(b), 0, y.size()}};
  });
  Client c(server->port());
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(200ms);  // the socket fills: the rest waits for writability
  std::string body = body_of(c.response());
  ASSERT_EQ(body.size(), x.size() + y.size());
  EXPECT_EQ(body.find('y'), x.size());
  EXPECT_EQ(body.back(), 'y');
}

TEST_F(FileResponseTest, AFileGoneBeforeItIsReachedClosesTheConnection) {
  std::string a = file("a", "0123456789");
  std::string gone = (dir / "gone").string();
  start([&] {
    return std::vector<FileRange>{{PayloadFile::open_readonly(a), 0, 10}, {std::make_shared<PayloadFile>(gone, false), 0, 5}};
  });
  Client c(server->port());
  c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string r = c.read(1 << 20, 1000ms);
  EXPECT_NE(r.find("Content-Length: 15\r\n"), std::string::npos) << r;
  EXPECT_EQ(body_of(r), "0123456789");  // short: the client sees the connection end
  EXPECT_TRUE(c.closed());
}

}  // namespace
}  // namespace awan::http
