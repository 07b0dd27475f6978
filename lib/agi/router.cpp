#include "agi/router.h"

#include "ivr/explain.h"
#include "store/store.h"
#include "tts/engine.h"
#include "util/time.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <sys/stat.h>

namespace sr::agi {

namespace {

// The template ids as static strings, so a Playable can name its template without a copy.
std::string_view template_id(std::string_view id) {
  static constexpr std::array<std::string_view, 10> ids = {
      "greeting", "greeting_new", "menu_start", "last_spoke", "press",
      "menu_end", "connecting",   "invalid",    "repeat",     "transfer"};
  for (auto known : ids)
    if (known == id)
      return known;
  return "other";
}

// Whether base.format is a non-empty regular file; its size in *bytes. No allocation.
bool cached_file(const std::string& base, std::string_view format, std::int64_t* bytes) {
  std::array<char, 4096> path;
  if (base.size() + format.size() + 2 > path.size())
    return false;
  auto end = std::copy(base.begin(), base.end(), path.begin());
  *end++ = '.';
  end = std::copy(format.begin(), format.end(), end);
  *end = '\0';
  struct stat st;
  if (::stat(path.data(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
    return false;
  *bytes = st.st_size;
  return true;
}

} // namespace

Router::Router(config::Config config)
    : m_config(std::move(config)),
      m_db(store::open(m_config.database_path(), store::Access::read_only)),
      m_dir(std::make_unique<scoring::Directory>(*m_db, m_config)), m_begin(*m_db, "BEGIN"),
      m_commit(*m_db, "COMMIT"), m_timetables(m_config),
      m_phones({m_config.phone.default_country, int(m_config.phone.internal_max_digits)}),
      // Absolute: STREAM FILE and Playback resolve a relative name in Asterisk's sounds.
      m_cache(std::filesystem::absolute(m_config.cache_path())),
      m_cache_prefix((m_cache.root() / "").string()), m_watch(m_cache.root()),
      m_keys(tts::make_engine(m_config)->identity(), m_config.tts),
      m_context{m_config, m_timetables, util::find_zone(m_config.routing.time_zone),
                ivr::pool_of(m_config, *m_dir)} {
  // Once per reload, not per call: the declined names; and no reasons (explain shows them).
  m_dir->fill_spoken_names(
      [this](const scoring::Employee& e) { return ivr::spoken_name(e, m_config.templates); });
  m_context.reasons = false;
  // The store is read with pread into a page cache of 8 MiB (the B-trees' inner pages stay in
  // it) instead of the readers' memory map: mapped pages of a 2 GB store add up in the
  // server's resident memory, and a writer's commit makes SQLite drop and remap the whole
  // map. A lookup then costs a few preads of leaf pages the kernel has cached.
  m_db->exec("PRAGMA mmap_size=0");
  m_db->exec("PRAGMA cache_size=-8192");
  for (auto id : {"invalid", "repeat", "transfer"})
    m_prompts.push_back(ivr::fragment(id, m_config.templates));
}

Playable Router::playable(const ivr::Fragment& f) {
  Playable p;
  p.id = template_id(f.id);
  p.digit = f.digit;
  auto& found = m_found.try_emplace(f.text).first->second;
  if (found.file.empty()) { // <root>/ab/<key>, as tts::Cache::base builds it
    auto key = m_keys.key(f.text);
    found.file.reserve(m_cache_prefix.size() + key.size() + 3);
    found.file.append(m_cache_prefix).append(key, 0, 2).append(1, '/').append(key);
  }
  auto stamp = m_watch.stamp(std::string_view(found.file).substr(m_cache_prefix.size()));
  std::int64_t bytes = 0;
  if (found.present && ((stamp != 0 && stamp == found.stamp) ||
                        (stamp == 0 && cached_file(found.file, "wav", &bytes)))) {
    p.file = found.file;
    p.seconds = found.seconds;
    return p;
  }
  // Every format must be there (Cache::complete); the .wav first: it is written last, so a
  // phrase not (yet) cached costs one stat.
  found.present = false;
  found.stamp = stamp;
  if (!cached_file(found.file, "wav", &bytes))
    return p;
  for (auto format : tts::k_formats) {
    if (!cached_file(found.file, format, &bytes))
      return p;
    if (format == "sln16")
      found.seconds = double(bytes) / 32000.0; // 16-bit samples at 16 kHz
  }
  found.present = true;
  p.file = found.file;
  p.seconds = found.seconds;
  return p;
}

Playable Router::prompt(std::string_view id) {
  m_watch.update();
  for (auto& f : m_prompts)
    if (f.id == id && !f.text.empty())
      return playable(f);
  return {};
}

CallPlan Router::plan(std::string_view caller, std::int64_t now,
                      std::optional<std::int64_t> live_at, ivr::Plan* full) {
  m_watch.update(); // what happened to the cache so far counts for this call
  CallPlan c;
  auto n = m_phones.normalize(caller);
  // One read transaction for the call's few queries instead of one per statement.
  scoring::CallerData data;
  {
    m_begin.reset();
    m_begin.step();
    struct End {
      store::Statement& commit;
      store::Database& db;
      ~End() {
        commit.reset();
        try {
          commit.step();
        } catch (...) { // a read transaction has nothing to lose; never leave it open
          sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        }
      }
    } end{m_commit, *m_db};
    data = m_dir->caller(n.kind == phone::Kind::e164 ? n.value : "", now, live_at,
                         /*totals=*/false);
  }
  if (data.client) {
    c.client_key = data.client->key;
    c.client_id = data.client->id;
  }
  auto plan = ivr::plan(data, now, m_context);
  c.mode = plan.mode;
  c.options = std::move(plan.options);
  c.direct = plan.direct;
  c.playables.reserve(plan.fragments.size());
  for (auto& f : plan.fragments)
    c.playables.push_back(playable(f));
  if (full)
    *full = std::move(plan); // playables[i] is full->fragments[i]
  return c;
}

Round first_round(const CallPlan& call) {
  Round r;
  const auto& plan = call;
  // An option is offered only if its own "press" fragment can be played.
  for (auto& o : plan.options)
    for (auto& p : call.playables)
      if (p.id == "press" && p.digit == o.digit && !p.file.empty()) {
        r.digits += char('0' + o.digit);
        r.offered.push_back(&o);
      }
  for (auto& p : call.playables)
    if (p.file.empty())
      r.missing.push_back(&p);
  bool menu = !plan.options.empty();
  if (plan.mode == ivr::Mode::direct) {
    auto connecting = std::find_if(call.playables.begin(), call.playables.end(),
                                   [](auto& p) { return p.id == "connecting"; });
    if (connecting == call.playables.end() || connecting->file.empty()) {
      r.emergency = "direct-mode phrase not cached";
      return r;
    }
  } else if (menu && r.offered.empty()) {
    r.emergency = "no option of the menu is cached";
    return r;
  }
  for (auto& p : call.playables) {
    if (p.file.empty() ||
        (menu && p.id == "press" && r.digits.find(char('0' + p.digit)) == std::string::npos))
      continue;
    r.played.push_back(&p);
  }
  return r;
}

} // namespace sr::agi
