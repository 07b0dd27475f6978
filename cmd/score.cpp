#include "commands.h"
#include "scoring/run.h"
#include "store/store.h"
#include "util/error.h"
#include "util/time.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>

namespace sr::cmd {

namespace {

constexpr std::size_t k_changes_shown = 20;

nlohmann::json ref_json(const std::optional<scoring::EmployeeRef>& r) {
  return r ? nlohmann::json{{"id", r->key}, {"name", r->name}} : nlohmann::json(nullptr);
}

void print_json(const scoring::ScoreReport& r) {
  nlohmann::json doc = {{"full", r.full},
                        {"why", r.why},
                        {"at", util::format_utc(r.at)},
                        {"clients_scored", r.clients_scored},
                        {"clients_with_responsible", r.clients_with_responsible},
                        {"newly_scored", r.newly_scored},
                        {"interactions_read", r.interactions_read},
                        {"interactions_counted", r.interactions_counted},
                        {"changed", r.changed},
                        {"seconds", r.seconds}};
  doc["changes"] = nlohmann::json::array();
  for (auto& c : r.changes)
    doc["changes"].push_back({{"client", {{"id", c.client_key}, {"name", c.client_name}}},
                              {"from", ref_json(c.from)},
                              {"to", ref_json(c.to)},
                              {"reason", c.reason}});
  doc["top_employees"] = nlohmann::json::array();
  for (auto& [e, n] : r.top_employees)
    doc["top_employees"].push_back({{"id", e.key}, {"name", e.name}, {"clients", n}});
  std::puts(doc.dump(2).c_str());
}

void print_human(const scoring::ScoreReport& r) {
  fmt::print("{} score at {} ({})\n", r.full ? "full" : "incremental", util::format_utc(r.at),
             r.why);
  fmt::print("clients scored      {:>10}  ({} with a responsible employee, {} new)\n",
             r.clients_scored, r.clients_with_responsible, r.newly_scored);
  fmt::print("interactions        {:>10}  read, {} within validity\n", r.interactions_read,
             r.interactions_counted);
  fmt::print("top changed         {:>10}\n", r.changed);
  for (std::size_t i = 0; i < r.changes.size() && i < k_changes_shown; ++i) {
    auto& c = r.changes[i];
    fmt::print("  {} ({}): {} -> {}  [{}]\n", c.client_name, c.client_key,
               c.from ? c.from->name : "nobody", c.to ? c.to->name : "nobody", c.reason);
  }
  if (r.changed > std::int64_t(k_changes_shown))
    fmt::print("  … and {} more (--json lists up to {})\n", r.changed - k_changes_shown,
               scoring::k_changes_listed);
  if (!r.top_employees.empty()) {
    fmt::print("clients per top employee:\n");
    for (auto& [e, n] : r.top_employees)
      fmt::print("  {:>8}  {} ({})\n", n, e.name, e.key);
  }
  fmt::print("done in {:.2f} s\n", r.seconds);
}

} // namespace

Runner setup_score(CLI::App& app, const Globals& g) {
  auto at = std::make_shared<std::string>();
  auto full = std::make_shared<bool>(false);
  app.add_option("--at", *at, "score as of this time (ISO 8601; default now)")->type_name("TIME");
  app.add_flag("--full", *full,
               "rescore every client (default: only clients whose "
               "interactions changed, full once a day)");
  app.footer("Stores each client's ranked employees for serve-agi and prints what changed.");
  return [&g, at, full]() -> int {
    auto config = g.load_config();
    scoring::ScoreOptions o;
    if (!at->empty()) {
      auto t = util::parse_timestamp(*at, util::find_zone(config.routing.time_zone));
      if (!t)
        throw UsageError(fmt::format("score: --at '{}' is not a time like 2026-11-20T10:00", *at));
      o.at = *t;
    }
    o.full = *full ? scoring::Full::yes : scoring::Full::when_needed;
    auto db = store::open(config.database_path(), store::Access::read_write);
    auto report = scoring::run_score(*db, config, o);
    if (g.json)
      print_json(report);
    else if (!g.quiet)
      print_human(report);
    return 0;
  };
}

} // namespace sr::cmd
