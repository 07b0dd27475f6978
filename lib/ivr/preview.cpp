#include "ivr/preview.h"

#include "util/fs.h"

namespace sr::ivr {

std::vector<std::string> fragment_keys(const Plan& plan, const config::Config& config,
                                       const nlohmann::json& identity) {
  std::vector<std::string> keys;
  for (auto& f : plan.fragments)
    keys.push_back(tts::cache_key(identity, f.text, config.tts));
  return keys;
}

Preview render_preview(const Plan& plan, const config::Config& config,
                       const nlohmann::json& identity, const tts::Cache& cache) {
  Preview p;
  std::vector<audio::Pcm> parts;
  auto keys = fragment_keys(plan, config, identity);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!cache.complete(keys[i])) {
      p.missing.push_back(plan.fragments[i].text);
      continue;
    }
    parts.push_back(audio::decode(util::read_file(cache.file(keys[i], "wav"))));
  }
  p.pcm = parts.empty() ? audio::Pcm{8000, {}} : audio::concat(parts);
  return p;
}

} // namespace sr::ivr
