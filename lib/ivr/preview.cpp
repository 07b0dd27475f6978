#include "ivr/preview.h"

#include "tts/cache.h"
#include "util/error.h"
#include "util/fs.h"

#include <fmt/format.h>

namespace sr::ivr {

std::vector<std::string> fragment_keys(const Plan& plan, const config::Config& config,
                                       const nlohmann::json& identity) {
  std::vector<std::string> keys;
  for (auto& f : plan.fragments)
    keys.push_back(tts::cache_key(identity, f.text, config.tts));
  return keys;
}

audio::Pcm render(const std::vector<std::string>& files) {
  std::vector<audio::Pcm> parts;
  for (auto& f : files) {
    auto wav = f + ".wav";
    try {
      parts.push_back(audio::decode(util::read_file(wav)));
    } catch (const Error& e) {
      throw Error(fmt::format("preview: {}: {}", wav, e.what()));
    }
    if (parts.back().rate != 8000)
      throw Error(fmt::format("preview: {}: {} Hz, not the 8000 Hz of a cached .wav", wav,
                              parts.back().rate));
  }
  return parts.empty() ? audio::Pcm{8000, {}} : audio::concat(parts);
}

} // namespace sr::ivr
