#pragma once

// What a caller would hear, as one WAV: the cached fragments of the plan, in order.

#include "audio/audio.h"
#include "config/config.h"
#include "ivr/plan.h"
#include "tts/cache.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sr::ivr {

// The cache key of each fragment of a plan, in order.
std::vector<std::string> fragment_keys(const Plan& plan, const config::Config& config,
                                       const nlohmann::json& identity);

struct Preview {
  audio::Pcm pcm;                   // 8 kHz, as a telephone caller hears it
  std::vector<std::string> missing; // texts of fragments not in the cache
};

Preview render_preview(const Plan& plan, const config::Config& config,
                       const nlohmann::json& identity, const tts::Cache& cache);

} // namespace sr::ivr
