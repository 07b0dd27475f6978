#pragma once

// What serve-agi decides for one caller, from local data only: the plan, and for each of its
// fragments the cached file to play. Replaced as a whole on SIGHUP.

#include "config/config.h"
#include "ivr/plan.h"
#include "phone/phone.h"
#include "scoring/availability.h"
#include "scoring/directory.h"
#include "store/db.h"
#include "tts/cache.h"

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sr::agi {

// A fragment ready to play: the file base name STREAM FILE takes, and its length.
struct Playable {
  const ivr::Fragment* fragment = nullptr;
  std::string file;   // absolute, without extension; "" when not cached
  double seconds = 0; // from the file size
};

struct CallPlan {
  ivr::Plan plan;
  std::vector<Playable> playables; // one per plan fragment, same order
  std::string client_key;
  std::optional<std::int64_t> client_id; // clients.id, for the call log
};

class Router {
public:
  // Opens the store read-only and loads employees; throws sr::Error.
  explicit Router(config::Config config);
  CallPlan plan(std::string_view caller, std::int64_t now);
  const config::Config& config() const { return m_config; }
  // The fragment of a system prompt ("invalid", "repeat"), "" when not cached.
  Playable prompt(std::string_view id);

private:
  Playable playable(const ivr::Fragment& f);
  // Per phrase text: its cache file and length once found complete, so a call costs one stat
  // per fragment instead of a SHA-256 and five; the .wav, written last, must still be there.
  // Misses are looked up in full again, so a warm run is seen at once.
  struct Found {
    std::string file;
    double seconds = 0;
  };
  std::unordered_map<std::string, Found> m_found;
  config::Config m_config;
  std::unique_ptr<store::Database> m_db;
  std::unique_ptr<scoring::Directory> m_dir;
  scoring::Timetables m_timetables;
  phone::Normalizer m_phones;
  tts::Cache m_cache;
  nlohmann::json m_identity;
  std::vector<ivr::Fragment> m_prompts; // kept alive for Playable::fragment
  ivr::Context m_context;               // zone and new-client pool, fixed until a reload
};

} // namespace sr::agi
