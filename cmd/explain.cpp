#include "ivr/explain.h"

#include "commands.h"
#include "store/store.h"
#include "tts/engine.h"
#include "util/error.h"
#include "util/log.h"
#include "util/term.h"
#include "util/time.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <unistd.h>

namespace sr::cmd {

Runner setup_explain(CLI::App& app, const Globals& g) {
  auto phone = std::make_shared<std::string>();
  auto at = std::make_shared<std::string>();
  app.add_option("PHONE", *phone, "the caller's number as the PBX or a person writes it")
      ->required();
  app.add_option("--at", *at,
                 "explain the call as if it came at this time (ISO 8601; local "
                 "time in routing.time_zone without an offset)")
      ->type_name("TIME");
  app.footer("Shows the matched client, every interaction that counts with its contribution, "
             "the ranking, who is dropped and why, and the menu as the caller hears it.");
  return [&g, phone, at]() -> int {
    auto config = g.load_config();
    auto zone = util::find_zone(config.routing.time_zone);
    auto when = util::now();
    if (!at->empty()) {
      auto t = util::parse_timestamp(*at, zone);
      if (!t)
        throw UsageError(
            fmt::format("explain: --at '{}' is not a time like 2026-11-20T10:00", *at));
      when = *t;
    }
    auto db = store::open(config.database_path(), store::Access::read_only);
    scoring::Directory dir(*db, config);
    phone::Normalizer phones({config.phone.default_country, int(config.phone.internal_max_digits)});
    auto x = ivr::explain(dir, config, phones, *phone, when);
    try {
      ivr::check_cache(x, config, tts::make_engine(config)->identity());
    } catch (const Error& e) {
      util::warn(fmt::format("cannot check the audio cache: {}", e.what()));
    }
    if (g.json) {
      std::puts(ivr::to_json(x, config).dump(2).c_str());
      return 0;
    }
    bool colour = util::colour_wanted(STDOUT_FILENO);
    std::fputs(ivr::to_text(x, config, colour).c_str(), stdout);
    return 0;
  };
}

} // namespace sr::cmd
