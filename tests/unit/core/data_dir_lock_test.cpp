// DataDirLock: one holder per data directory, the holder's pid in the refusal, released on close.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "storage/data_dir_lock.hpp"

namespace {

std::string temp_dir(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / (std::string("awan-lock-") + name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

TEST(DataDirLock, CreatesTheDirectoryAndWritesThePid) {
  auto dir = temp_dir("pid");
  awan::storage::DataDirLock lock(dir + "/nested");
  std::ifstream in(dir + "/nested/awan.lock");
  std::string pid;
  in >> pid;
  EXPECT_EQ(pid, std::to_string(getpid()));
  std::filesystem::remove_all(dir);
}

TEST(DataDirLock, SecondHolderIsRefusedWithDirectoryAndPid) {
  auto dir = temp_dir("second");
  awan::storage::DataDirLock first(dir);
  try {
    awan::storage::DataDirLock second(dir);
    FAIL() << "second lock taken";
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(dir), std::string::npos) << msg;
    EXPECT_NE(msg.find("pid " + std::to_string(getpid())), std::string::npos) << msg;
  }
  std::filesystem::remove_all(dir);
}

TEST(DataDirLock, ReleasedWhenTheHolderGoes) {
  auto dir = temp_dir("release");
  { awan::storage::DataDirLock first(dir); }
  EXPECT_NO_THROW(awan::storage::DataDirLock again(dir));
  std::filesystem::remove_all(dir);
}

}  // namespace
