#pragma once

// `smartroute warm`: synthesise every missing phrase of the catalogue, concurrently, paying
// once per phrase ever. Killed at any moment and run again, it continues: files appear
// atomically, and a phrase whose files are complete is never requested again.

#include "config/config.h"
#include "ivr/catalogue.h"
#include "store/db.h"
#include "tts/cache.h"
#include "tts/engine.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sr::ivr {

enum class DryRun { no, yes };

struct WarmOptions {
  DryRun dry_run = DryRun::no;
  std::optional<int> concurrency; // default: tts.concurrency, capped by the engine
};

struct WarmFailure {
  std::string text;
  std::string use;
  std::string error;
};

struct WarmReport {
  std::string engine;
  std::size_t fragments = 0;   // fragments of every possible menu
  std::size_t phrases = 0;     // unique phrases among them
  std::size_t present = 0;     // already in the cache
  std::vector<Phrase> missing; // not yet in the cache
  std::int64_t characters = 0; // of the missing phrases
  double estimated_cost = 0;   // of the missing phrases, in the configured prices
  std::size_t synthesized = 0;
  std::size_t requests = 0; // requests made, retries included
  std::size_t retries = 0;
  std::int64_t bytes = 0;
  std::vector<WarmFailure> failures;
  bool aborted = false;
  std::string abort_reason;
  int workers = 0;
  double seconds = 0;
};

// Called about five times a second while synthesising: done, total, failed.
using Progress = std::function<void(std::size_t, std::size_t, std::size_t)>;

WarmReport warm(store::Database& db, const config::Config& config, tts::Engine& engine,
                const tts::Cache& cache, const WarmOptions& options, const Progress& progress);

} // namespace sr::ivr
