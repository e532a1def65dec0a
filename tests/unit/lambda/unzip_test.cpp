// unzip(): deployment packages built here with libzip, good and hostile.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zip.h>

#include <fstream>
#include <sstream>

#include "lambda/execution_environment.hpp"
#include "lambda_fixture.hpp"

namespace awan::lambda {
namespace {

using namespace testing;

struct ZipEntry {
  std::string name, content;
  mode_t mode = S_IFREG | 0644;
};

// The bytes of a zip holding `entries` (Unix modes in the external attributes).
std::string make_zip(const std::vector<ZipEntry>& entries) {
  ScratchDir dir;
  auto path = (dir.path() / "package.zip").string();
  int error = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  EXPECT_TRUE(z);
  for (const auto& e : entries) {
    zip_source_t* src = zip_source_buffer(z, e.content.data(), e.content.size(), 0);
    zip_int64_t index = S_ISDIR(e.mode) ? zip_dir_add(z, e.name.c_str(), ZIP_FL_ENC_UTF_8)
                                        : zip_file_add(z, e.name.c_str(), src, ZIP_FL_ENC_UTF_8);
    if (S_ISDIR(e.mode)) zip_source_free(src);
    EXPECT_GE(index, 0) << e.name;
    zip_file_set_external_attributes(z, static_cast<zip_uint64_t>(index), 0, ZIP_OPSYS_UNIX,
                                     static_cast<zip_uint32_t>(e.mode) << 16);
  }
  EXPECT_EQ(zip_close(z), 0);
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string kUnzipFailed = "Could not unzip uploaded file. Please check your file, then try to upload again.";

TEST(Unzip, UnpacksFilesDirectoriesAndExecutableBits) {
  ScratchDir out;
  auto zip = make_zip({{"lambda_function.py", "def h(e, c): pass\n"},
                       {"lib/", "", S_IFDIR | 0755},
                       {"lib/helper.py", "X = 1\n"},
                       {"bootstrap", "#!/bin/sh\n", S_IFREG | 0755}});
  auto dir = out.path() / "code";
  ASSERT_EQ(unzip(zip, dir), std::nullopt);
  EXPECT_EQ(read_file(dir / "lambda_function.py"), "def h(e, c): pass\n");
  EXPECT_EQ(read_file(dir / "lib/helper.py"), "X = 1\n");
  struct stat st;
  ASSERT_EQ(::stat((dir / "bootstrap").c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IXUSR);
  ASSERT_EQ(::stat((dir / "lib/helper.py").c_str(), &st), 0);
  EXPECT_FALSE(st.st_mode & S_IXUSR);
}

TEST(Unzip, KeepsSymlinksInsideThePackage) {
  ScratchDir out;
  auto zip = make_zip({{"real.txt", "data"}, {"alias.txt", "real.txt", S_IFLNK | 0777}});
  ASSERT_EQ(unzip(zip, out.path() / "code"), std::nullopt);
  EXPECT_TRUE(std::filesystem::is_symlink(out.path() / "code/alias.txt"));
  EXPECT_EQ(read_file(out.path() / "code/alias.txt"), "data");
}

TEST(Unzip, RefusesParentTraversal) {
  ScratchDir out;
  EXPECT_EQ(unzip(make_zip({{"../evil", "x"}}), out.path() / "code"), kUnzipFailed);
  EXPECT_FALSE(std::filesystem::exists(out.path() / "evil"));
  EXPECT_EQ(unzip(make_zip({{"a/../../evil", "x"}}), out.path() / "code2"), kUnzipFailed);
}

TEST(Unzip, RefusesAbsolutePaths) {
  ScratchDir out;
  EXPECT_EQ(unzip(make_zip({{"/etc/evil", "x"}}), out.path() / "code"), kUnzipFailed);
}

TEST(Unzip, RefusesSymlinksLeavingTheTree) {
  ScratchDir out;
  EXPECT_EQ(unzip(make_zip({{"up", "../..", S_IFLNK | 0777}}), out.path() / "a"), kUnzipFailed);
  EXPECT_EQ(unzip(make_zip({{"abs", "/etc", S_IFLNK | 0777}}), out.path() / "b"), kUnzipFailed);
  // A harmless link, then an entry written through it.
  EXPECT_EQ(unzip(make_zip({{"here", ".", S_IFLNK | 0777}, {"here/x", "y"}}), out.path() / "c"), kUnzipFailed);
}

TEST(Unzip, RefusesMoreThanTheLimit) {
  ScratchDir out;
  auto zip = make_zip({{"big.bin", std::string(4096, 'a')}, {"more.bin", std::string(4096, 'b')}});
  EXPECT_EQ(unzip(zip, out.path() / "code", 8000), "Unzipped size must be smaller than 8000 bytes");
  EXPECT_EQ(unzip(zip, out.path() / "code2", 8192), std::nullopt);
}

TEST(Unzip, RefusesWhatIsNotAZip) {
  ScratchDir out;
  EXPECT_EQ(unzip("definitely not a zip file", out.path() / "code"), kUnzipFailed);
  EXPECT_EQ(unzip("", out.path() / "code"), kUnzipFailed);
}

}  // namespace
}  // namespace awan::lambda
