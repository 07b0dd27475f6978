#include "ivr/preview.h"

#include "audio/audio.h"
#include "commands.h"
#include "ivr/explain.h"
#include "store/store.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/time.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>

namespace sr::cmd {

Runner setup_preview(CLI::App& app, const Globals& g) {
  auto phone = std::make_shared<std::string>();
  auto at = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  app.add_option("PHONE", *phone, "the caller's number")->required();
  app.add_option("--at", *at, "as if the call came at this time (ISO 8601)")->type_name("TIME");
  app.add_option("-o,--output", *out, "WAV file to write (8 kHz, as a caller hears it)")
      ->type_name("FILE")
      ->required();
  app.footer("Renders the cached fragments of that caller's menu, in order, into one WAV; the "
             "fragments are the ones 'explain' lists. Missing fragments are named (exit 1).");
  return [&g, phone, at, out]() -> int {
    auto config = g.load_config();
    auto when = util::now();
    if (!at->empty()) {
      auto t = util::parse_timestamp(*at, util::find_zone(config.routing.time_zone));
      if (!t)
        throw UsageError(
            fmt::format("preview: --at '{}' is not a time like 2026-11-20T10:00", *at));
      when = *t;
    }
    auto db = store::open(config.database_path(), store::Access::read_only);
    scoring::Directory dir(*db, config);
    phone::Normalizer phones({config.phone.default_country, int(config.phone.internal_max_digits)});
    auto x = ivr::explain(dir, config, phones, *phone, when);
    auto engine = tts::make_engine(config);
    tts::Cache cache(config.cache_path());
    auto p = ivr::render_preview(x.plan, config, engine->identity(), cache);
    util::write_file_atomic(*out, audio::encode_wav(p.pcm));
    for (auto& m : p.missing)
      fmt::print(stderr, "smartroute: warning: not in the cache: «{}» (run 'smartroute warm')\n",
                 m);
    if (g.json) {
      nlohmann::json doc = {{"file", *out},
                            {"seconds", p.pcm.seconds()},
                            {"mode", ivr::mode_name(x.plan.mode)},
                            {"missing", p.missing}};
      doc["fragments"] = nlohmann::json::array();
      for (auto& f : x.plan.fragments)
        doc["fragments"].push_back(f.text);
      std::puts(doc.dump(2).c_str());
    } else if (!g.quiet) {
      fmt::print("{}: {:.1f} s, {} fragments ({} mode){}\n", *out, p.pcm.seconds(),
                 x.plan.fragments.size() - p.missing.size(), ivr::mode_name(x.plan.mode),
                 p.missing.empty() ? "" : fmt::format(", {} missing", p.missing.size()));
      for (auto& f : x.plan.fragments)
        fmt::print("  «{}»\n", f.text);
    }
    return p.missing.empty() ? 0 : 1;
  };
}

} // namespace sr::cmd
