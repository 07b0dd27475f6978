#pragma once

// What serve-agi decides for one caller, from local data only: the plan, and for each of its
// fragments the cached file to play. Replaced as a whole on SIGHUP.

#include "agi/cache_watch.h"
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
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sr::agi {

// A fragment ready to play. The views stay valid as long as the Router that made it.
struct Playable {
  std::string_view id;   // the template: "greeting", "press", "connecting"…
  int digit = 0;         // of a "press" fragment
  std::string_view file; // absolute, without extension, as STREAM FILE takes it; "" when not cached
  double seconds = 0;    // from the file size
};

// A plan reduced to what a call needs while it runs (the texts and reasons are not kept).
struct CallPlan {
  ivr::Mode mode = ivr::Mode::fallback;
  std::vector<ivr::Option> options;          // digit -> employee
  const scoring::Employee* direct = nullptr; // direct mode
  std::vector<Playable> playables;           // one per plan fragment, in order
  std::string client_key;
  std::optional<std::int64_t> client_id; // clients.id, for the call log
};

class Router {
public:
  // Opens the store read-only and loads employees; throws sr::Error.
  explicit Router(config::Config config);
  // Plans from the rankings `score` stored, or from a live ranking at `live_at` when set (as
  // explain does, for a preview at another time).
  CallPlan plan(std::string_view caller, std::int64_t now,
                std::optional<std::int64_t> live_at = std::nullopt, ivr::Plan* full = nullptr);
  const config::Config& config() const { return m_config; }
  // The fragment of a system prompt ("invalid", "repeat"), file "" when not cached.
  Playable prompt(std::string_view id);

private:
  Playable playable(const ivr::Fragment& f);
  // Per phrase text: its cache file (the SHA-256 key computed once) and its length once found
  // complete. A phrase found complete is trusted without a stat as long as the cache watch
  // saw nothing change in its subdirectory; unwatched, the .wav (written last) is checked
  // with one stat per call. Entries are never erased (Playable views point into them): a
  // phrase found missing is checked in full again, so a warm run is seen at once.
  struct Found {
    std::string file; // without extension
    double seconds = 0;
    bool present = false;
    std::uint64_t stamp = 0; // CacheWatch::stamp when found complete
  };
  std::unordered_map<std::string, Found> m_found;
  config::Config m_config;
  std::unique_ptr<store::Database> m_db;
  std::unique_ptr<scoring::Directory> m_dir;
  store::Statement m_begin, m_commit;
  scoring::Timetables m_timetables;
  phone::Normalizer m_phones;
  tts::Cache m_cache;
  std::string m_cache_prefix; // the cache's root with a trailing separator
  CacheWatch m_watch;
  tts::KeyMaker m_keys;
  std::vector<ivr::Fragment> m_prompts; // kept alive for prompt()
  ivr::Context m_context;               // zone and new-client pool, fixed until a reload
};

// What serve-agi plays to a caller who presses nothing, in its first round: the rules of its
// call flow, kept here so that `preview` renders exactly what a caller hears. Points into the
// CallPlan it was made from.
struct Round {
  std::vector<const Playable*> played;     // in the order STREAM FILE plays them
  std::vector<const ivr::Option*> offered; // options whose own "press" phrase is cached
  std::string digits;                      // their digits: the menu's escape digits
  std::vector<const Playable*> missing;    // phrases of the plan that are not cached
  // Why nothing is played and the call goes to the emergency number at once; "" otherwise.
  std::string emergency;
};

Round first_round(const CallPlan& call);

} // namespace sr::agi
