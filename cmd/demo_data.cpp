#include "commands.h"
#include "demo/generator.h"
#include "util/error.h"
#include "util/time.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>

namespace sr::cmd {

Runner setup_demo_data(CLI::App& app, const Globals& g) {
  auto o = std::make_shared<demo::Options>();
  auto end = std::make_shared<std::string>();
  app.add_option("--out", o->out, "directory to write into (created if missing)")
      ->type_name("DIR")
      ->required();
  app.add_option("--employees", o->employees, "number of employees")
      ->capture_default_str()
      ->check(CLI::Range(1, 5000));
  app.add_option("--clients", o->clients, "number of clients")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t(1), std::int64_t(2'000'000)));
  app.add_option("--interactions", o->interactions, "number of interaction documents")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t(0), std::int64_t(20'000'000)));
  app.add_option("--cdr-calls", o->cdr_calls, "rows in cdr/Master.csv (default: interactions/10)");
  app.add_option("--seed", o->seed, "random seed; the same options give the same files")
      ->capture_default_str();
  app.add_option("--end", *end,
                 "time of the newest event, ISO 8601 (default: today 00:00 UTC); fix it for "
                 "byte-identical output on another day")
      ->type_name("TIME");
  app.footer("Writes employees.csv, clients.csv, interactions.csv and cdr/Master.csv, ready for "
             "'smartroute import'.");
  return [&g, o, end]() -> int {
    if (end->empty()) {
      o->end = util::now() / 86400 * 86400;
    } else if (auto t = util::parse_timestamp(*end, nullptr)) {
      o->end = *t;
    } else {
      throw UsageError(fmt::format("demo-data: --end '{}' is not a time like 2026-11-20 or "
                                   "2026-11-20T10:00:00Z",
                                   *end));
    }
    auto s = demo::generate(*o);
    if (g.json) {
      nlohmann::json doc = {{"out", o->out.string()},         {"employees", s.employees},
                            {"clients", s.clients},           {"phones", s.phones},
                            {"interactions", s.interactions}, {"cdr_rows", s.cdr_rows}};
      doc["files"] = nlohmann::json::array();
      for (auto& f : s.files)
        doc["files"].push_back(f.string());
      std::puts(doc.dump(2).c_str());
    } else if (!g.quiet) {
      fmt::print("wrote {} employees, {} clients ({} phones), {} interactions, {} CDR rows to "
                 "{}\n",
                 s.employees, s.clients, s.phones, s.interactions, s.cdr_rows, o->out.string());
      for (auto& f : s.files)
        fmt::print("  {}\n", f.string());
    }
    return 0;
  };
}

} // namespace sr::cmd
