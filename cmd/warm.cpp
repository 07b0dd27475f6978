#include "ivr/warm.h"

#include "commands.h"
#include "store/store.h"
#include "tts/cache.h"
#include "util/error.h"
#include "util/log.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <unistd.h>

namespace sr::cmd {

namespace {

constexpr std::size_t k_listed = 20;

void print_json(const ivr::WarmReport& r, bool dry_run) {
  nlohmann::json doc = {{"engine", r.engine},
                        {"dry_run", dry_run},
                        {"fragments", r.fragments},
                        {"phrases", r.phrases},
                        {"present", r.present},
                        {"missing", r.missing.size()},
                        {"characters", r.characters},
                        {"estimated_cost", r.estimated_cost},
                        {"synthesized", r.synthesized},
                        {"failed", r.failures.size()},
                        {"requests", r.requests},
                        {"retries", r.retries},
                        {"bytes", r.bytes},
                        {"workers", r.workers},
                        {"aborted", r.aborted},
                        {"abort_reason", r.abort_reason},
                        {"seconds", r.seconds}};
  doc["missing_phrases"] = nlohmann::json::array();
  if (dry_run)
    for (auto& p : r.missing)
      doc["missing_phrases"].push_back({{"key", p.key}, {"text", p.text}, {"use", p.use}});
  doc["failures"] = nlohmann::json::array();
  for (auto& f : r.failures)
    doc["failures"].push_back({{"text", f.text}, {"use", f.use}, {"error", f.error}});
  std::puts(doc.dump(2).c_str());
}

void print_human(const ivr::WarmReport& r, bool dry_run) {
  fmt::print("engine {}: {} fragments, {} unique phrases, {} cached, {} missing\n", r.engine,
             r.fragments, r.phrases, r.present, r.missing.size());
  if (dry_run) {
    fmt::print("would make {} requests, {} characters, estimated cost {:.4f}\n", r.missing.size(),
               r.characters, r.estimated_cost);
    for (std::size_t i = 0; i < r.missing.size() && i < k_listed; ++i)
      fmt::print("  {:<24} «{}»\n", r.missing[i].use, r.missing[i].text);
    if (r.missing.size() > k_listed)
      fmt::print("  … and {} more (--json lists all)\n", r.missing.size() - k_listed);
    return;
  }
  if (r.missing.empty()) {
    fmt::print("nothing to do: every phrase is cached\n");
    return;
  }
  fmt::print("synthesised {} of {} in {:.1f} s with {} workers: {} requests ({} retries), {:.1f} "
             "MB written\n",
             r.synthesized, r.missing.size(), r.seconds, r.workers, r.requests, r.retries,
             double(r.bytes) / 1e6);
  for (std::size_t i = 0; i < r.failures.size() && i < k_listed; ++i)
    fmt::print(stderr, "smartroute: warning: «{}» ({}): {}\n", r.failures[i].text,
               r.failures[i].use, r.failures[i].error);
}

} // namespace

Runner setup_warm(CLI::App& app, const Globals& g) {
  auto dry = std::make_shared<bool>(false);
  auto concurrency = std::make_shared<int>(0);
  app.add_flag("--dry-run", *dry,
               "list what is missing with the number of requests, "
               "characters and estimated cost; synthesise nothing");
  app.add_option("--concurrency", *concurrency, "requests at once (default: tts.concurrency)")
      ->check(CLI::Range(1, 256));
  app.footer("Synthesises every phrase any menu can need, for every eligible employee, that the "
             "cache lacks. Run it after score, e.g. nightly: sync && score && warm.");
  return [&g, dry, concurrency]() -> int {
    auto config = g.load_config();
    auto db = store::open(config.database_path(), store::Access::read_write);
    auto engine = tts::make_engine(config);
    tts::Cache cache(config.cache_path());
    ivr::WarmOptions o;
    o.dry_run = *dry ? ivr::DryRun::yes : ivr::DryRun::no;
    if (*concurrency > 0)
      o.concurrency = *concurrency;
    bool tty = ::isatty(STDERR_FILENO) && !g.quiet && !g.json;
    ivr::Progress progress;
    if (tty)
      progress = [](std::size_t done, std::size_t total, std::size_t failed) {
        int width = 30;
        int filled = total ? int(double(done) / double(total) * width) : width;
        fmt::print(stderr, "\r[{:<{}}] {}/{} phrases{}", std::string(std::size_t(filled), '#'),
                   width, done, total, failed ? fmt::format(", {} failed", failed) : "");
        std::fflush(stderr);
      };
    auto r = ivr::warm(*db, config, *engine, cache, o, progress);
    if (tty && !r.missing.empty() && o.dry_run == ivr::DryRun::no)
      fmt::print(stderr, "\n");
    if (g.json)
      print_json(r, *dry);
    else if (!g.quiet)
      print_human(r, *dry);
    if (r.aborted)
      throw Error(fmt::format("warm: stopped: {}", r.abort_reason));
    if (!r.failures.empty()) {
      fmt::print(stderr,
                 "smartroute: error: warm: {} phrase{} failed; run warm again to retry "
                 "them\n",
                 r.failures.size(), r.failures.size() == 1 ? "" : "s");
      return 1;
    }
    return 0;
  };
}

} // namespace sr::cmd
