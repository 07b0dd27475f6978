#pragma once

// What a caller would hear, as one WAV: the cached fragments serve-agi plays, in order.

#include "audio/audio.h"
#include "config/config.h"
#include "ivr/plan.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sr::ivr {

// The cache key of each fragment of a plan, in order.
std::vector<std::string> fragment_keys(const Plan& plan, const config::Config& config,
                                       const nlohmann::json& identity);

// The cached fragments `files` (paths without extension, as STREAM FILE takes them) joined
// in order from their 8 kHz .wav, as a telephone caller hears them: back to back, each with
// the pause it was cached with (tts.padding_ms). Throws sr::Error naming a file it cannot read.
audio::Pcm render(const std::vector<std::string>& files);

} // namespace sr::ivr
