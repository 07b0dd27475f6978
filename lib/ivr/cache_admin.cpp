#include "ivr/cache_admin.h"

#include "audio/audio.h"
#include "ivr/catalogue.h"
#include "scoring/directory.h"

#include <unordered_set>

namespace sr::ivr {

namespace fs = std::filesystem;

namespace {

std::unordered_set<std::string> wanted_keys(store::Database& db, const config::Config& config,
                                            tts::Engine& engine) {
  scoring::Directory dir(db, config);
  std::unordered_set<std::string> keys;
  for (auto& p : build_catalogue(dir, config, engine.identity()).phrases)
    keys.insert(p.key);
  return keys;
}

// Every regular file of the two-letter directories below the cache root. The journals of
// killed warm runs (.journal/) are left alone: they hold paid answers the next warm uses.
template <class F> void each_file(const tts::Cache& cache, F&& f) {
  std::error_code ec;
  if (!fs::is_directory(cache.root(), ec))
    return;
  for (auto it = fs::recursive_directory_iterator(cache.root(), ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && it->path().filename() == ".journal") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec))
      f(it->path());
  }
}

} // namespace

CacheStatus cache_status(store::Database& db, const config::Config& config, tts::Engine& engine,
                         const tts::Cache& cache) {
  CacheStatus s;
  s.manifest_rows = db.scalar("SELECT count(*) FROM audio_cache");
  each_file(cache, [&](const fs::path& p) {
    std::error_code ec;
    ++s.files;
    s.bytes += std::int64_t(fs::file_size(p, ec));
  });
  scoring::Directory dir(db, config);
  auto c = build_catalogue(dir, config, engine.identity());
  s.phrases = c.phrases.size();
  for (auto& p : c.phrases) {
    if (cache.complete(p.key))
      ++s.present;
    else
      s.missing.push_back(p);
  }
  return s;
}

VerifyReport cache_verify(const tts::Cache& cache) {
  VerifyReport r;
  each_file(cache, [&](const fs::path& p) {
    ++r.files;
    if (p.filename().string().starts_with(".")) {
      r.bad.push_back({p, "temporary file left by an interrupted run (cache gc removes it)"});
      return;
    }
    try {
      auto info = audio::verify_file(p);
      if (!info.problem.empty())
        r.bad.push_back({p, info.problem});
    } catch (const std::exception& e) {
      r.bad.push_back({p, e.what()});
    }
  });
  return r;
}

GcReport cache_gc(store::Database& db, const config::Config& config, tts::Engine& engine,
                  const tts::Cache& cache, DryRun dry_run) {
  auto wanted = wanted_keys(db, config, engine);
  GcReport r;
  std::vector<fs::path> doomed;
  each_file(cache, [&](const fs::path& p) {
    auto name = p.filename().string();
    auto key = name.substr(0, name.find('.'));
    if (name.starts_with(".") || !wanted.count(key))
      doomed.push_back(p);
  });
  for (auto& p : doomed) {
    std::error_code ec;
    r.bytes += std::int64_t(fs::file_size(p, ec));
    ++r.files;
    if (dry_run == DryRun::no)
      fs::remove(p, ec);
  }
  std::vector<std::string> rows;
  auto st = db.prepare("SELECT key FROM audio_cache");
  while (st.step())
    if (!wanted.count(std::string(st.column_text(0))))
      rows.emplace_back(st.column_text(0));
  r.rows = std::int64_t(rows.size());
  if (dry_run == DryRun::no && !rows.empty()) {
    store::Transaction tx(db);
    auto del = db.prepare("DELETE FROM audio_cache WHERE key = ?");
    for (auto& k : rows) {
      del.reset();
      del.bind(1, k).step();
    }
    tx.commit();
  }
  return r;
}

} // namespace sr::ivr
