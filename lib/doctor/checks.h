#pragma once

// The checks of `smartroute doctor`, one function per area. Each returns its results and
// never throws for what it examines: a failure is a Result with the fix.

#include "config/config.h"
#include "doctor/result.h"
#include "tts/engine.h"
#include "util/time.h"

#include <chrono>
#include <string>
#include <vector>

namespace sr::doctor {

// How old the data may be before it is a warning: a nightly job refreshes it, so a day and a
// half means at least one run was missed.
inline constexpr std::int64_t k_stale_seconds = 36 * 3600;

// "store": present and at the current schema; "data": when it was last imported or synced;
// "score": when responsibility was last computed.
std::vector<Result> check_store(const config::Config& config, util::UnixTime now);

// "onec": 1C answers and accepts the user; "onec.mapping": the mapping resolves against its
// $metadata. Both skipped without onec.url.
std::vector<Result> check_onec(const config::Config& config);

// "tts": the engine is there; "tts.key": its credentials, without paying where the API allows.
std::vector<Result> check_tts(const config::Config& config, tts::Paid paid);

// "cache": every phrase any menu can need is cached (what `warm --dry-run` counts).
Result check_cache(const config::Config& config);

// "secrets": files holding secrets are not readable by everyone; "cache.access": the user
// Asterisk runs as (`pbx_user`) can reach every cache file.
std::vector<Result> check_permissions(const config::Config& config, const std::string& pbx_user);

// "agi": what listens on agi.listen:agi.port; when it is serve-agi, a test call through it.
Result check_agi(const config::Config& config, std::chrono::milliseconds timeout);

// "4 h ago", "3 d ago", "just now".
std::string format_age(std::int64_t seconds);

} // namespace sr::doctor
