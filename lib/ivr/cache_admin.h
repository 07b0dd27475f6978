#pragma once

// `smartroute cache status|verify|gc`: what the audio cache holds and whether it is sound.

#include "config/config.h"
#include "ivr/warm.h"
#include "store/db.h"
#include "tts/cache.h"
#include "tts/engine.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sr::ivr {

struct CacheStatus {
  std::int64_t manifest_rows = 0;
  std::int64_t files = 0;
  std::int64_t bytes = 0;
  std::size_t phrases = 0; // of the current catalogue
  std::size_t present = 0;
  std::vector<Phrase> missing;
};

CacheStatus cache_status(store::Database& db, const config::Config& config, tts::Engine& engine,
                         const tts::Cache& cache);

struct BadFile {
  std::filesystem::path path;
  std::string problem;
};

struct VerifyReport {
  std::int64_t files = 0;
  std::vector<BadFile> bad;
};

// Decodes every file under the cache and checks its format.
VerifyReport cache_verify(const tts::Cache& cache);

struct GcReport {
  std::int64_t files = 0; // removed (or that would be)
  std::int64_t bytes = 0;
  std::int64_t rows = 0;
};

// Removes files and manifest rows that no phrase of the current catalogue references, and
// leftover temporary files of killed runs.
GcReport cache_gc(store::Database& db, const config::Config& config, tts::Engine& engine,
                  const tts::Cache& cache, DryRun dry_run);

} // namespace sr::ivr
