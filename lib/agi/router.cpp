#include "agi/router.h"

#include "ivr/explain.h"
#include "store/store.h"
#include "tts/engine.h"
#include "util/time.h"

namespace sr::agi {

Router::Router(config::Config config)
    : m_config(std::move(config)),
      m_db(store::open(m_config.database_path(), store::Access::read_only)),
      m_dir(std::make_unique<scoring::Directory>(*m_db, m_config)), m_timetables(m_config),
      m_phones({m_config.phone.default_country, int(m_config.phone.internal_max_digits)}),
      m_cache(m_config.cache_path()), m_identity(tts::make_engine(m_config)->identity()),
      m_context{m_config, m_timetables, util::find_zone(m_config.routing.time_zone),
                ivr::pool_of(m_config, *m_dir)} {
  for (auto id : {"invalid", "repeat", "transfer"})
    m_prompts.push_back(ivr::fragment(id, m_config.templates));
}

Playable Router::playable(const ivr::Fragment& f) {
  Playable p;
  p.fragment = &f;
  if (auto it = m_found.find(f.text); it != m_found.end()) {
    std::error_code ec;
    if (std::filesystem::exists(it->second.file + ".wav", ec)) {
      p.file = it->second.file;
      p.seconds = it->second.seconds;
      return p;
    }
    m_found.erase(it);
  }
  auto key = tts::cache_key(m_identity, f.text, m_config.tts);
  if (!m_cache.complete(key))
    return p;
  p.file = m_cache.base(key).string();
  std::error_code ec;
  p.seconds = double(std::filesystem::file_size(m_cache.file(key, "sln16"), ec)) / 32000.0;
  m_found.emplace(f.text, Found{p.file, p.seconds});
  return p;
}

Playable Router::prompt(std::string_view id) {
  for (auto& f : m_prompts)
    if (f.id == id && !f.text.empty())
      return playable(f);
  return {};
}

CallPlan Router::plan(std::string_view caller, std::int64_t now) {
  CallPlan c;
  auto n = m_phones.normalize(caller);
  auto data = m_dir->caller(n.kind == phone::Kind::e164 ? n.value : "", now, std::nullopt);
  if (data.client) {
    c.client_key = data.client->key;
    c.client_id = data.client->id;
  }
  c.plan = ivr::plan(data, now, m_context);
  for (auto& f : c.plan.fragments)
    c.playables.push_back(playable(f));
  return c;
}

} // namespace sr::agi
