#include "agi/cache_watch.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using sr::agi::CacheWatch;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("smartroute-watch-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

void write(const fs::path& file, const std::string& text) {
  std::ofstream(file) << text;
}

} // namespace

TEST_CASE("cache watch: stamps change with the files of a subdirectory only", "[agi]") {
  TempDir dir;
  auto root = dir.path / "cache";
  fs::create_directories(root / "ab");
  write(root / "ab" / "ab01.wav", "x");
  CacheWatch watch(root, std::chrono::milliseconds(50));
  REQUIRE(watch.watching());
  auto ab = watch.stamp("ab01");
  CHECK(ab != 0);
  CHECK(watch.stamp("cd02") == 0); // no such subdirectory: check with stat
  CHECK(watch.stamp("zz") == 0);
  watch.update();
  CHECK(watch.stamp("ab01") == ab);
  // Reading a file (Asterisk playing it) changes nothing.
  std::ifstream(root / "ab" / "ab01.wav").get();
  watch.update();
  CHECK(watch.stamp("ab01") == ab);
  // Removing, renaming or rewriting one does, and only for its subdirectory.
  fs::create_directories(root / "cd");
  watch.update();
  auto cd = watch.stamp("cd02");
  CHECK(cd != 0);
  CHECK(watch.stamp("ab01") == ab);
  fs::rename(root / "ab" / "ab01.wav", root / "ab" / "ab01.wav.away");
  watch.update();
  CHECK(watch.stamp("ab01") != ab);
  CHECK(watch.stamp("cd02") == cd);
  ab = watch.stamp("ab01");
  write(root / "ab" / "ab01.wav", "yy");
  watch.update();
  CHECK(watch.stamp("ab01") != ab);
  ab = watch.stamp("ab01");
  fs::remove(root / "ab" / "ab01.wav");
  watch.update();
  CHECK(watch.stamp("ab01") != ab);
  // A subdirectory removed: unwatched.
  fs::remove_all(root / "cd");
  watch.update();
  CHECK(watch.stamp("cd02") == 0);
}

TEST_CASE("cache watch: the root moved away and back, or missing at first", "[agi]") {
  TempDir dir;
  auto root = dir.path / "cache";
  CacheWatch watch(root, std::chrono::milliseconds(50));
  CHECK_FALSE(watch.watching());
  CHECK(watch.stamp("ab01") == 0);
  fs::create_directories(root / "ab");
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  watch.update();
  REQUIRE(watch.watching());
  auto before = watch.stamp("ab01");
  CHECK(before != 0);
  fs::rename(root, dir.path / "away");
  watch.update();
  CHECK_FALSE(watch.watching());
  CHECK(watch.stamp("ab01") == 0);
  fs::rename(dir.path / "away", root);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  watch.update();
  REQUIRE(watch.watching());
  auto after = watch.stamp("ab01");
  CHECK(after != 0);
  CHECK(after != before); // nothing found before the move is trusted after it
  // A subdirectory moved out of the root and another made in its place.
  fs::rename(root / "ab", dir.path / "ab-old");
  watch.update();
  CHECK(watch.stamp("ab01") == 0);
  fs::create_directories(root / "ab");
  watch.update();
  auto fresh = watch.stamp("ab01");
  CHECK(fresh != 0);
  write(dir.path / "ab-old" / "x.wav", "x"); // the old one no longer counts
  fs::remove_all(dir.path / "ab-old");
  watch.update();
  CHECK(watch.stamp("ab01") != 0);
}
