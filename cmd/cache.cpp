#include "commands.h"
#include "ivr/cache_admin.h"
#include "store/store.h"
#include "util/error.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>

namespace sr::cmd {

Runner setup_cache(CLI::App& app, const Globals& g) {
  app.require_subcommand(1);
  auto* status = app.add_subcommand("status", "files, bytes, and phrases of the current "
                                              "catalogue that are missing");
  auto* verify = app.add_subcommand("verify", "decode every cached file and check its format");
  auto* gc = app.add_subcommand("gc", "remove files no current phrase references");
  auto dry = std::make_shared<bool>(false);
  gc->add_flag("--dry-run", *dry, "only say what would be removed");
  return [&g, status, verify, gc, dry]() -> int {
    auto config = g.load_config();
    tts::Cache cache(config.cache_path());
    if (verify->parsed()) {
      auto r = ivr::cache_verify(cache);
      if (g.json) {
        nlohmann::json doc = {{"files", r.files}, {"bad", nlohmann::json::array()}};
        for (auto& b : r.bad)
          doc["bad"].push_back({{"file", b.path.string()}, {"problem", b.problem}});
        std::puts(doc.dump(2).c_str());
      } else {
        for (auto& b : r.bad)
          fmt::print(stderr, "{}: {}\n", b.path.string(), b.problem);
        if (!g.quiet)
          fmt::print("{} files checked, {} bad\n", r.files, r.bad.size());
      }
      return r.bad.empty() ? 0 : 1;
    }
    auto db = store::open(config.database_path(), gc->parsed() && !*dry ? store::Access::read_write
                                                                        : store::Access::read_only);
    auto engine = tts::make_engine(config);
    if (gc->parsed()) {
      auto r =
          ivr::cache_gc(*db, config, *engine, cache, *dry ? ivr::DryRun::yes : ivr::DryRun::no);
      if (g.json)
        std::puts(nlohmann::json{
            {"dry_run", *dry}, {"files", r.files}, {"bytes", r.bytes}, {"manifest_rows", r.rows}}
                      .dump(2)
                      .c_str());
      else if (!g.quiet)
        fmt::print("{} {} files ({:.1f} MB) and {} manifest rows\n",
                   *dry ? "would remove" : "removed", r.files, double(r.bytes) / 1e6, r.rows);
      return 0;
    }
    (void)status;
    auto s = ivr::cache_status(*db, config, *engine, cache);
    if (g.json) {
      nlohmann::json doc = {{"root", cache.root().string()},
                            {"manifest_rows", s.manifest_rows},
                            {"files", s.files},
                            {"bytes", s.bytes},
                            {"phrases", s.phrases},
                            {"present", s.present},
                            {"missing", s.missing.size()}};
      std::puts(doc.dump(2).c_str());
    } else {
      fmt::print("cache {}\n", cache.root().string());
      fmt::print("  {} files, {:.1f} MB, {} phrases in the manifest\n", s.files,
                 double(s.bytes) / 1e6, s.manifest_rows);
      fmt::print("  catalogue: {} phrases, {} cached, {} missing{}\n", s.phrases, s.present,
                 s.missing.size(), s.missing.empty() ? "" : " (run 'smartroute warm')");
    }
    return 0;
  };
}

} // namespace sr::cmd
