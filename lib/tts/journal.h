#pragma once

// Engines' answers, appended the moment they arrive to one file per warm run and synced, so
// a run killed at any moment leaves every paid answer behind; the next run finishes those
// phrases from it instead of paying again. One file per run rather than one per phrase:
// creating and deleting a file per phrase cost more CPU (ext4 inode allocation) than the
// audio work itself.

#include "tts/engine.h"

#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sr::tts {

class Journal {
public:
  // Opens a new journal under <cache root>/.journal/.
  explicit Journal(const std::filesystem::path& cache_root);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends one answer and syncs it to disk. Thread-safe.
  void append(std::string_view key, const Synthesized& s);
  // Deletes this run's journal (every answer in it is stored or failed for good).
  void remove();

  // Answers left by earlier runs that were killed, by cache key; `files` gets their paths.
  // A record cut short by the kill is ignored.
  static std::unordered_map<std::string, Synthesized>
  recover(const std::filesystem::path& cache_root, std::vector<std::filesystem::path>& files);

private:
  std::filesystem::path m_path;
  int m_fd = -1;
  std::mutex m_mutex;
};

} // namespace sr::tts
