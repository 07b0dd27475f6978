#include "ingest/import.h"

#include "commands.h"
#include "store/store.h"
#include "util/error.h"
#include "util/log.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>

namespace sr::cmd {

namespace {

constexpr std::size_t k_errors_shown = 50;

nlohmann::json tally_json(const ingest::Tally& t) {
  return {{"read", t.read},
          {"inserted", t.inserted},
          {"updated", t.updated},
          {"unchanged", t.unchanged},
          {"skipped", t.skipped}};
}

void print_human(const ingest::ImportReport& r, const store::Counts& counts) {
  auto row = [](std::string_view name, const ingest::Tally& t) {
    if (t.read > 0)
      fmt::print("{:<13} {:>9} read {:>9} inserted {:>9} updated {:>9} unchanged {:>7} "
                 "skipped\n",
                 name, t.read, t.inserted, t.updated, t.unchanged, t.skipped);
  };
  row("employees", r.employees);
  row("clients", r.clients);
  row("interactions", r.interactions);
  row("cdr", r.cdr);
  if (r.cdr.read > 0)
    fmt::print("{:<13} {:>9} calls were not between a known client and an employee "
               "(ignored)\n",
               "", r.cdr_ignored);
  auto rows = r.interactions.read + r.cdr.read;
  fmt::print("{} in {:.2f} s{}\n", r.committed ? "imported" : "nothing imported", r.seconds,
             rows > 0 && r.seconds > 0
                 ? fmt::format(" ({:.0f} interaction rows/s)", double(rows) / r.seconds)
                 : "");
  fmt::print("store: {} employees, {} clients, {} phones, {} interactions\n", counts.employees,
             counts.clients, counts.phones, counts.interactions);
}

} // namespace

Runner setup_import(CLI::App& app, const Globals& g) {
  auto request = std::make_shared<ingest::ImportRequest>();
  auto skip = std::make_shared<bool>(false);
  app.add_option("--employees", request->employees, "employees file (.csv or .jsonl)")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  app.add_option("--clients", request->clients, "clients file with their phones")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  app.add_option("--interactions", request->interactions,
                 "interaction documents (type, key, at, client, employee)")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  app.add_option("--cdr", request->cdr,
                 "Asterisk cdr-csv Master.csv; answered calls become "
                 "'call' interactions")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  app.add_flag("--skip-invalid", *skip,
               "import the valid rows and report each invalid one "
               "(default: any invalid row aborts the whole import)");
  app.footer("Each option may be repeated. Files are applied in one transaction: employees, "
             "clients, interactions, then CDRs.\nColumns: see 'man smartroute' (IMPORT FILES).");
  return [&g, request, skip]() -> int {
    if (request->employees.empty() && request->clients.empty() && request->interactions.empty() &&
        request->cdr.empty())
      throw UsageError("import: nothing to import: give --employees, --clients, "
                       "--interactions or --cdr");
    request->on_invalid = *skip ? ingest::OnInvalid::skip : ingest::OnInvalid::abort;
    auto config = g.load_config();
    auto db = store::open(config.database_path(), store::Access::read_write);
    auto report = ingest::import_files(*db, config, *request);
    auto counts = store::counts(*db);
    // Invalid rows are errors when they abort the import, warnings when skipped.
    for (std::size_t i = 0; i < report.errors.size() && i < k_errors_shown; ++i) {
      if (report.committed)
        util::warn(report.errors[i].text() + " (row skipped)");
      else
        fmt::print(stderr, "{}\n", report.errors[i].text());
    }
    if (report.errors.size() > k_errors_shown && (!report.committed || !g.quiet))
      fmt::print(stderr, "... and {} more invalid rows\n", report.errors.size() - k_errors_shown);
    if (g.json) {
      nlohmann::json doc = {{"committed", report.committed},
                            {"seconds", report.seconds},
                            {"employees", tally_json(report.employees)},
                            {"clients", tally_json(report.clients)},
                            {"interactions", tally_json(report.interactions)},
                            {"cdr", tally_json(report.cdr)},
                            {"cdr_ignored", report.cdr_ignored},
                            {"store",
                             {{"employees", counts.employees},
                              {"clients", counts.clients},
                              {"phones", counts.phones},
                              {"interactions", counts.interactions}}}};
      doc["errors"] = nlohmann::json::array();
      for (auto& e : report.errors)
        doc["errors"].push_back({{"file", e.file}, {"line", e.line}, {"message", e.message}});
      std::puts(doc.dump(2).c_str());
    } else if (util::verbosity() >= util::Verbosity::normal) {
      print_human(report, counts);
    }
    if (!report.committed) {
      fmt::print(stderr,
                 "smartroute: error: import: {} invalid row{}; nothing was imported (fix them, "
                 "or use --skip-invalid to import the rest)\n",
                 report.errors.size(), report.errors.size() == 1 ? "" : "s");
      return 1;
    }
    return 0;
  };
}

} // namespace sr::cmd
