// multipart/form-data parsing for POST Object: boundaries, fields, the file extent, errors, and
// the same results from memory, from a file and from a source read in tiny blocks.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "s3/form_data.hpp"

using namespace awan::s3;

namespace {

// A source that hides its contiguity, so that the block-wise search is exercised.
class BlockSource final : public ByteSource {
 public:
  explicit BlockSource(std::string_view d) : data_(d) {}
  uint64_t size() const override { return data_.size(); }
  int64_t read(uint64_t offset, char* out, size_t n) const override {
    if (offset >= data_.size()) return 0;
    size_t k = std::min<size_t>({n, data_.size() - offset, 3});  // short reads too
    std::copy_n(data_.data() + offset, k, out);
    return static_cast<int64_t>(k);
  }

 private:
  std::string_view data_;
};

std::string part(const std::string& name, const std::string& value, const std::string& extra = "") {
  return "--B\r\nContent-Disposition: form-data; name=\"" + name + "\"" + extra + "\r\n\r\n" + value + "\r\n";
}

std::string simple_body() {
  return part("key", "user/${filename}") + part("Policy", "cG9saWN5") +
         "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.txt\"\r\n"
         "Content-Type: text/plain\r\n\r\nhello\r\nworld\r\n--B\r\n"
         "Content-Disposition: form-data; name=\"after\"\r\n\r\nignored\r\n--B--\r\n";
}

std::optional<awan::AwsError> parse(std::string_view body, PostForm& form, FormLimits limits = {}) {
  return parse_post_form(MemorySource(body), "B", form, limits);
}

std::string code_of(std::string_view body, FormLimits limits = {}) {
  PostForm f;
  auto err = parse(body, f, limits);
  return err ? err->code : "ok";
}

}  // namespace

TEST(FormBoundary, PlainAndQuoted) {
  std::string b;
  ASSERT_FALSE(form_boundary("multipart/form-data; boundary=----WebKitFormBoundary7MA4", b));
  EXPECT_EQ(b, "----WebKitFormBoundary7MA4");
  ASSERT_FALSE(form_boundary("Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b:c\"", b));
  EXPECT_EQ(b, "a b:c");
}

TEST(FormBoundary, MissingOrInvalidIsMalformed) {
  std::string b;
  EXPECT_EQ(form_boundary("multipart/form-data", b)->code, "MalformedPOSTRequest");
  EXPECT_EQ(form_boundary("multipart/form-data; charset=utf-8", b)->code, "MalformedPOSTRequest");
  EXPECT_EQ(form_boundary("multipart/form-data; boundary=\"\"", b)->code, "MalformedPOSTRequest");
  EXPECT_EQ(form_boundary("multipart/form-data; boundary=\"unclosed", b)->code, "MalformedPOSTRequest");
  EXPECT_EQ(form_boundary("multipart/form-data; boundary=" + std::string(71, 'x'), b)->code, "MalformedPOSTRequest");
  auto e = form_boundary("multipart/form-data; boundary=\"abc\"", b);
  EXPECT_FALSE(e);
  EXPECT_EQ(b, "abc");
}

TEST(FormBoundary, OtherMediaTypeIsPreconditionFailed) {
  std::string b;
  auto err = form_boundary("application/x-www-form-urlencoded", b);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, "PreconditionFailed");
  EXPECT_EQ(err->http_status, 412);
  EXPECT_EQ((*err->details)["Condition"], "Bucket POST must be of the enclosure-type multipart/form-data");
}

TEST(FormData, FieldsAndFileExtent) {
  std::string body = simple_body();
  PostForm f;
  ASSERT_FALSE(parse(body, f));
  ASSERT_EQ(f.fields.size(), 2u);
  EXPECT_EQ(f.fields[0].name, "key");
  EXPECT_EQ(*f.get("policy"), "cG9saWN5");  // names are case-insensitive
  EXPECT_EQ(body.substr(f.file.offset, f.file.length), "hello\r\nworld");
  EXPECT_EQ(f.file.filename, "a b.txt");
  EXPECT_EQ(f.file.content_type, "text/plain");
  EXPECT_EQ(f.get("after"), nullptr);  // fields after the file are ignored
  EXPECT_EQ(f.object_key(), "user/a b.txt");
  EXPECT_EQ(f.fields[1].sent_name, "Policy");
}

TEST(FormData, FilenameVariable) {
  auto key_for = [](const std::string& disposition) {
    PostForm f;
    std::string body = part("key", "up/${filename}") + "--B\r\nContent-Disposition: form-data; name=\"file\"" +
                       disposition + "\r\n\r\nx\r\n--B--";
    EXPECT_FALSE(parse(body, f));
    return f.object_key();
  };
  EXPECT_EQ(key_for("; filename=\"C:\\\\dir\\\\file.txt\""), "up/file.txt");
  EXPECT_EQ(key_for("; filename=\"a/b/c.txt\""), "up/c.txt");
  EXPECT_EQ(key_for("; filename=\"\""), "up/");
  EXPECT_EQ(key_for(""), "up/${filename}");  // no filename parameter: kept literally
}

TEST(FormData, SameResultFromBlocksAndFromAFile) {
  std::string body = "preamble\r\n" + simple_body();
  PostForm mem, blocks, file;
  ASSERT_FALSE(parse(body, mem));
  FormLimits tiny;
  tiny.scan_block = 5;
  ASSERT_FALSE(parse_post_form(BlockSource(body), "B", blocks, tiny));
  char path[] = "/tmp/awan_form_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, body.data(), body.size()), static_cast<ssize_t>(body.size()));
  close(fd);
  {
    FileSource src(path);
    ASSERT_TRUE(src.ok());
    ASSERT_FALSE(parse_post_form(src, "B", file));
  }
  std::remove(path);
  for (const PostForm* f : {&blocks, &file}) {
    EXPECT_EQ(f->file.offset, mem.file.offset);
    EXPECT_EQ(f->file.length, mem.file.length);
    ASSERT_EQ(f->fields.size(), mem.fields.size());
    EXPECT_EQ(f->fields[1].value, mem.fields[1].value);
  }
}

TEST(FormData, EmptyFileAndPartWithoutFilename) {
  std::string body = part("key", "k") + part("file", "") + "--B--\r\n";
  PostForm f;
  ASSERT_FALSE(parse(body, f));
  EXPECT_EQ(f.file.length, 0u);
  EXPECT_FALSE(f.file.filename);
}

TEST(FormData, FileMayBeTheLastPartWithoutClosingDash) {
  // The delimiter ends the file; whatever follows it is not examined.
  std::string body = part("key", "k") + "--B\r\nContent-Disposition: form-data; name=\"FILE\"\r\n\r\nxyz\r\n--B";
  PostForm f;
  ASSERT_FALSE(parse(body, f));
  EXPECT_EQ(body.substr(f.file.offset, f.file.length), "xyz");
}

TEST(FormData, NoFileIsInvalidArgument) {
  PostForm f;
  auto err = parse(part("key", "k") + "--B--\r\n", f);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, "InvalidArgument");
  EXPECT_EQ(err->message, "POST requires exactly one file upload per request.");
  EXPECT_EQ((*err->details)["ArgumentName"], "file");
  EXPECT_EQ((*err->details)["ArgumentValue"], "0");
}

TEST(FormData, MalformedBodies) {
  EXPECT_EQ(code_of(""), "MalformedPOSTRequest");
  EXPECT_EQ(code_of("no boundary at all"), "MalformedPOSTRequest");
  EXPECT_EQ(code_of("--B"), "MalformedPOSTRequest");
  EXPECT_EQ(code_of("--Bx\r\n"), "MalformedPOSTRequest");                            // junk after the boundary
  EXPECT_EQ(code_of("--B\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nunterminated"),
            "MalformedPOSTRequest");
  EXPECT_EQ(code_of("--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--"), "MalformedPOSTRequest");  // no disposition
  // only a form-data part named file is the file
  EXPECT_EQ(code_of("--B\r\nContent-Disposition: file; name=\"file\"\r\n\r\nx\r\n--B--"), "InvalidArgument");
  EXPECT_EQ(code_of("--B\r\nContent-Disposition: form-data; filename=\"x\"\r\n\r\nx\r\n--B--"), "MalformedPOSTRequest");
  EXPECT_EQ(code_of("--B\r\nContent-Disposition: form-data; name=\"file\r\n\r\nx\r\n--B--"), "MalformedPOSTRequest");
  EXPECT_EQ(code_of("--B\r\nno colon here\r\n\r\nx\r\n--B--"), "MalformedPOSTRequest");
  EXPECT_EQ(code_of("--B\r\n\r\nx\r\n--B--"), "MalformedPOSTRequest");  // a part without headers
  EXPECT_EQ(code_of("--B\r\nContent-Disposition: form-data; name=\"a\""), "MalformedPOSTRequest");
  EXPECT_EQ(parse_post_form(MemorySource("x"), "", *std::make_unique<PostForm>())->code, "MalformedPOSTRequest");
}

TEST(FormData, WhitespaceAfterBoundaryAndFoldedHeaders) {
  std::string body =
      "--B  \r\nContent-Disposition: form-data;\r\n name=\"key\"\r\n\r\nk\r\n--B\t\r\n"
      "content-disposition: FORM-DATA; NAME=file; filename=\"q\\\"uote\"\r\n\r\nD\r\n--B--";
  PostForm f;
  ASSERT_FALSE(parse(body, f));
  EXPECT_EQ(*f.get("key"), "k");
  EXPECT_EQ(f.file.filename, "q\"uote");
}

TEST(FormData, PreDataLimits) {
  FormLimits small;
  small.max_pre_data = 10;
  EXPECT_EQ(code_of(part("key", "0123456789") + part("file", "x") + "--B--", small), "MaxPostPreDataLengthExceeded");
  PostForm big;
  auto err = parse(part("key", std::string(20 * 1024, 'k')) + part("file", "x") + "--B--", big);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "Your POST request fields preceeding the upload file was too large.");
  EXPECT_EQ((*err->details)["MaxPostPreDataLengthBytes"], 20480);
  EXPECT_EQ(code_of(part("key", "12345") + part("file", "x") + "--B--", small), "ok");  // 3 + 5 bytes
  FormLimits few;
  few.max_fields = 2;
  EXPECT_EQ(code_of(part("a", "1") + part("b", "2") + part("c", "3") + part("file", "x") + "--B--", few),
            "MaxPostPreDataLengthExceeded");
  FormLimits header;
  header.max_part_header = 20;
  EXPECT_EQ(code_of(part("file", "x") + "--B--", header), "MalformedPOSTRequest");
}

TEST(FormData, RequireKey) {
  PostForm f;
  ASSERT_FALSE(parse(part("file", "x") + "--B--", f));
  auto err = require_key_field(f);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message,
            "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.");
  ASSERT_FALSE(parse(part("Key", "k") + part("file", "x") + "--B--", f));
  EXPECT_FALSE(require_key_field(f));
}
