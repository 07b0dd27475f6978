#pragma once

// `smartroute explain PHONE`: why a caller hears what they hear.

#include "config/config.h"
#include "ivr/plan.h"
#include "phone/phone.h"
#include "scoring/directory.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sr::ivr {

// One interaction of the client and what it contributes at the explained time.
struct Contribution {
  scoring::Interaction interaction;
  double weight = 0;
  double factor = 0;  // decay factor
  double value = 0;   // weight × factor
  std::string status; // "counts", "expired", "future", "type not configured"
};

struct Explanation {
  std::string input;
  phone::Number number;
  std::int64_t at = 0;
  scoring::CallerData caller;
  std::vector<Contribution> contributions; // newest first
  Plan plan;
  // Per fragment of the plan, once an audio cache exists: whether it is cached.
  std::vector<bool> cached;
  std::vector<std::string> files; // the cache file of each fragment, without extension
};

// Fills `cached` from the audio cache (nothing when the cache directory does not exist).
void check_cache(Explanation& x, const config::Config& config, const nlohmann::json& identity);

// The new-client pool of the configuration as employees of the directory.
std::vector<const scoring::Employee*> pool_of(const config::Config& config,
                                              const scoring::Directory& dir);

Explanation explain(scoring::Directory& dir, const config::Config& config,
                    const phone::Normalizer& phones, std::string_view input, std::int64_t at);

nlohmann::json to_json(const Explanation& e, const config::Config& config);

// A terminal report; `colour` adds ANSI emphasis.
std::string to_text(const Explanation& e, const config::Config& config, bool colour);

} // namespace sr::ivr
