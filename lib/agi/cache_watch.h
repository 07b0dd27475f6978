#pragma once

// Whether the audio cache's files may have changed since a phrase was found complete there,
// from inotify events on the cache's root and its 256 subdirectories (<root>/ab/<key>.*): a
// phrase already found needs no stat per call, and a file removed or replaced is noticed by
// the next call all the same. Without inotify, or after losing track (the root moved away,
// a queue overflow, a subdirectory that cannot be watched), stamps are 0, which means
// "check with stat"; watching starts again a few seconds later.

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <unordered_map>

namespace sr::agi {

class CacheWatch {
public:
  // `retry`: how long to wait before watching again after losing track.
  explicit CacheWatch(std::filesystem::path root,
                      std::chrono::milliseconds retry = std::chrono::seconds(5));
  ~CacheWatch();
  CacheWatch(const CacheWatch&) = delete;
  CacheWatch& operator=(const CacheWatch&) = delete;

  // Takes in what happened since the last call: one non-blocking read when watching. Call it
  // before relying on stamps: everything done to the cache before it is accounted for.
  void update();

  // The state of the subdirectory of a cache key (its first two hex digits): equal stamps
  // mean nothing changed there in between; 0 means not watched (check with stat).
  std::uint64_t stamp(std::string_view key) const;

  bool watching() const { return m_fd >= 0; }

private:
  void start();
  void stop();
  int watch_subdirectory(int index);          // 0 or the errno of inotify_add_watch
  static int index_of(std::string_view name); // "3f" -> 0x3f, -1 if not two hex digits

  std::filesystem::path m_root;
  int m_fd = -1;
  std::uint32_t m_epoch = 0;                     // one per (re)start: older stamps never match
  std::array<std::uint32_t, 256> m_generation{}; // bumped by any event in a subdirectory
  std::array<int, 256> m_wd;                     // the watch of each subdirectory, -1 for none
  std::unordered_map<int, int> m_index_of_wd;    // watch -> subdirectory, -1 for the root
  std::chrono::milliseconds m_retry_after;
  std::chrono::steady_clock::time_point m_retry{};
};

} // namespace sr::agi
