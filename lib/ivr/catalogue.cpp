#include "ivr/catalogue.h"

#include "ivr/plan.h"
#include "tts/cache.h"

#include <fmt/format.h>

#include <unordered_set>

namespace sr::ivr {

Catalogue build_catalogue(const scoring::Directory& dir, const config::Config& config,
                          const nlohmann::json& identity) {
  Catalogue c;
  std::unordered_set<std::string> seen;
  auto& t = config.templates;
  auto add = [&](const Fragment& f, std::string use) {
    if (f.text.empty())
      return;
    ++c.fragments;
    auto key = tts::cache_key(identity, f.text, config.tts);
    if (seen.insert(key).second)
      c.phrases.push_back({key, f.text, std::move(use)});
  };
  for (auto id :
       {"greeting", "greeting_new", "menu_start", "menu_end", "invalid", "repeat", "transfer"})
    add(fragment(id, t), id);
  for (auto& e : dir.employees()) {
    if (!scoring::ineligibility(e).empty())
      continue;
    add(fragment("last_spoke", t, &e), fmt::format("last_spoke {}", e.key));
    for (int d = 1; d <= config.routing.menu_size; ++d)
      add(fragment("press", t, &e, d), fmt::format("press {} {}", e.key, d));
    if (config.routing.direct)
      add(fragment("connecting", t, &e), fmt::format("connecting {}", e.key));
  }
  return c;
}

} // namespace sr::ivr
