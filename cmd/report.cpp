#include "ivr/report.h"

#include "commands.h"
#include "store/call_log.h"
#include "store/store.h"
#include "util/error.h"
#include "util/log.h"
#include "util/term.h"
#include "util/time.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <unistd.h>

namespace sr::cmd {

namespace {

util::UnixTime bound(std::string_view option, const std::string& text, const date::time_zone* zone,
                     util::UnixTime now, util::DayEdge edge) {
  auto t = util::parse_range_bound(text, zone, now, edge);
  if (!t)
    throw UsageError(fmt::format("report: {} '{}' is not a date (2026-11-01), a time "
                                 "(2026-11-01T09:00) or a time ago (7d, 24h, 30m, 2w)",
                                 option, text));
  return *t;
}

} // namespace

Runner setup_report(CLI::App& app, const Globals& g) {
  auto since = std::make_shared<std::string>("7d");
  auto until = std::make_shared<std::string>();
  auto csv = std::make_shared<bool>(false);
  app.add_option("--since", *since,
                 "first call to count: a date (2026-11-01), a time (2026-11-01T09:00) or how "
                 "long ago (7d, 24h, 30m, 2w); default: 7d")
      ->type_name("DATE");
  app.add_option("--until", *until,
                 "end of the period, not included, in the same forms; a date alone includes "
                 "that day; default: now")
      ->type_name("DATE");
  app.add_flag("--csv", *csv,
               "print the per-employee table as CSV (since, until, employee, name, offered, "
               "chosen, connected) for a spreadsheet");
  app.footer("Counts the calls serve-agi handled in the period: their results (selected, "
             "direct, default, emergency, hangup) and modes, per employee how often menus "
             "offered them, callers chose them and calls went to them, the session time, and "
             "the reasons of emergencies. Times without an offset are in routing.time_zone.\n"
             "Examples: smartroute report --since 2026-11-01 --until 2026-11-30\n"
             "          smartroute report --since 24h --csv >day.csv");
  return [&g, since, until, csv]() -> int {
    if (*csv && g.json)
      throw UsageError("report: --csv and --json exclude each other");
    auto config = g.load_config();
    auto zone = util::find_zone(config.routing.time_zone);
    auto now = util::now();
    // By default the period ends after the current second, which a call may have started in.
    ivr::Range range{bound("--since", *since, zone, now, util::DayEdge::start),
                     until->empty() ? now + 1
                                    : bound("--until", *until, zone, now, util::DayEdge::end)};
    if (range.since >= range.until)
      throw UsageError(fmt::format("report: --since {} is not before --until {}",
                                   util::format_local(range.since, zone),
                                   util::format_local(range.until, zone)));
    // The call log is a file of its own (store.call_log); the store names the employees.
    auto store = store::open(config.database_path(), store::Access::read_only);
    // No file yet (serve-agi has not taken a call): an empty log, without creating one.
    auto calls = std::filesystem::exists(config.call_log_path())
                     ? store::open_call_log(config, store::Access::read_only)
                     : store::open_call_log(":memory:", store::Access::read_write);
    auto report = ivr::build_report(*calls, store.get(), range);
    if (g.json) {
      std::puts(ivr::to_json(report, zone).dump(2).c_str());
    } else if (*csv) {
      std::fputs(ivr::to_csv(report, zone).c_str(), stdout);
      if (report.all.calls == 0)
        util::info(fmt::format("no calls from {} to {} in the call log",
                               util::format_local(range.since, zone),
                               util::format_local(range.until, zone)));
    } else {
      std::fputs(ivr::to_text(report, zone, util::colour_wanted(STDOUT_FILENO)).c_str(), stdout);
    }
    return 0;
  };
}

} // namespace sr::cmd
