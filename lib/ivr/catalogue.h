#pragma once

// Every phrase any menu can need, for every eligible employee — not only today's menus —
// so that a live call never meets a missing fragment. Grows with employees, never clients.

#include "config/config.h"
#include "scoring/directory.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sr::ivr {

struct Phrase {
  std::string key;  // cache key
  std::string text; // what is said
  std::string use;  // the first fragment that needs it: "greeting", "press e0001 2"…
};

struct Catalogue {
  std::vector<Phrase> phrases; // unique by key, in a stable order
  std::size_t fragments = 0;   // fragments before de-duplication
};

Catalogue build_catalogue(const scoring::Directory& dir, const config::Config& config,
                          const nlohmann::json& engine_identity);

} // namespace sr::ivr
