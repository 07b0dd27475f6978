#include "onec/sync.h"

#include "commands.h"
#include "http/client.h"
#include "onec/metadata.h"
#include "onec/odata.h"
#include "store/store.h"
#include "util/error.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <unistd.h>

namespace sr::cmd {

namespace {

std::string skipped_text(const onec::EntityReport& e) {
  std::string out;
  for (auto& [why, n] : e.skipped)
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n, why);
  return out;
}

std::int64_t skipped_total(const onec::EntityReport& e) {
  std::int64_t n = 0;
  for (auto& [why, count] : e.skipped)
    n += count;
  return n;
}

void print_human(const onec::SyncReport& r, bool dry_run) {
  fmt::print("{:<10} {:<34} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}\n", "what", "entity", "read",
             "added", "updated", "same", "deleted", "skipped", "seconds");
  for (auto& e : r.entities)
    fmt::print("{:<10} {:<34} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7.2f}\n", e.what, e.entity,
               e.read, e.added, e.updated, e.unchanged, e.deleted, skipped_total(e), e.seconds);
  for (auto& e : r.entities) {
    if (!e.skipped.empty())
      fmt::print("  {} skipped: {}\n", e.what, skipped_text(e));
    if (e.invalid_phones > 0)
      fmt::print("  {}: {} phone texts were not numbers (-v lists them)\n", e.what,
                 e.invalid_phones);
  }
  auto& t = r.transfer;
  fmt::print("{} in {:.2f} s: 1C answered {} requests ({:.1f} MB) in {:.2f} s; smartroute used "
             "{:.2f} s of CPU{}\n",
             dry_run ? "dry run, nothing changed," : "synced", r.seconds, t.requests,
             double(t.bytes) / 1e6, t.wait_seconds, r.cpu_seconds,
             t.retries ? fmt::format("; {} retries", t.retries) : "");
}

void print_json(const onec::SyncReport& r, bool dry_run) {
  nlohmann::json entities = nlohmann::json::array();
  for (auto& e : r.entities)
    entities.push_back({{"what", e.what},
                        {"entity", e.entity},
                        {"read", e.read},
                        {"added", e.added},
                        {"updated", e.updated},
                        {"unchanged", e.unchanged},
                        {"deleted", e.deleted},
                        {"skipped", e.skipped},
                        {"invalid_phones", e.invalid_phones},
                        {"seconds", e.seconds},
                        {"cpu_seconds", e.cpu_seconds}});
  auto& t = r.transfer;
  nlohmann::json doc = {{"dry_run", dry_run},
                        {"committed", r.committed},
                        {"entities", entities},
                        {"seconds", r.seconds},
                        {"cpu_seconds", r.cpu_seconds},
                        {"requests", t.requests},
                        {"retries", t.retries},
                        {"bytes", t.bytes},
                        {"wait_seconds", t.wait_seconds}};
  fmt::print("{}\n", doc.dump(2));
}

int check(const onec::Mapping& mapping, const std::vector<onec::Problem>& problems,
          const Globals& g) {
  if (g.json) {
    nlohmann::json p = nlohmann::json::array();
    for (auto& x : problems)
      p.push_back({{"key", x.key}, {"message", x.message}});
    fmt::print("{}\n", nlohmann::json{{"ok", problems.empty()},
                                      {"problems", p},
                                      {"mapping", onec::describe(mapping)}}
                           .dump(2));
  } else if (!g.quiet) {
    for (auto& line : onec::describe(mapping))
      fmt::print("{}\n", line);
    for (auto& x : problems)
      fmt::print(stderr, "smartroute: {}: {}\n", x.key, x.message);
    if (problems.empty())
      fmt::print("the mapping matches 1C's $metadata\n");
  }
  return problems.empty() ? 0 : 1;
}

} // namespace

Runner setup_sync(CLI::App& app, const Globals& g) {
  auto dry = std::make_shared<bool>(false);
  auto check_only = std::make_shared<bool>(false);
  app.add_flag("--check", *check_only,
               "read 1C's $metadata and report every mapped entity set and attribute that is "
               "missing or of the wrong type; change nothing");
  app.add_flag("-n,--dry-run", *dry,
               "read everything from 1C and report what would be added, updated and deleted; "
               "change nothing");
  app.footer(
      "Reads employees, clients with their phones and the documents of every [[documents]] "
      "type that names an 'entity' from 1C's standard OData interface ([onec] url) into the "
      "store, in one transaction: an interrupted or failed sync leaves the previous data in "
      "place. Catalogs are read whole (rows with an unchanged DataVersion cost nothing); "
      "documents over their validity window. Run score afterwards, e.g. nightly: sync && score "
      "&& warm. The password comes from onec.password_env or onec.password_file.");
  return [&g, dry, check_only]() -> int {
    auto config = g.load_config();
    if (config.onec.url.empty())
      throw UsageError("sync: onec.url is not set: add an [onec] section with the address of "
                       "1C's OData interface (see 'man smartroute.toml')");
    auto password = config.onec.password.env.empty() && config.onec.password.file.empty()
                        ? std::string()
                        : config::resolve_secret(config.onec.password, "onec.password");
    auto http = http::make_client();
    onec::OData odata(*http, config.onec, password);
    auto metadata = onec::parse_metadata(odata.metadata());
    std::vector<onec::Problem> problems;
    auto mapping = onec::resolve(config, metadata, problems);
    if (*check_only)
      return check(mapping, problems, g);
    if (!problems.empty()) {
      std::string list;
      for (auto& p : problems)
        list += fmt::format("\n  {}: {}", p.key, p.message);
      throw Error(fmt::format("sync: the mapping does not match 1C's $metadata; nothing was "
                              "changed:{}",
                              list));
    }
    auto db = store::open(config.database_path(), store::Access::read_write);
    onec::SyncOptions o;
    o.dry_run = *dry;
    bool tty = ::isatty(STDERR_FILENO) && !g.quiet && !g.json;
    if (tty) {
      o.count_first = true;
      o.progress = [](const std::string& entity, std::int64_t done, std::int64_t total,
                      bool finished) {
        int width = 30;
        if (total > 0) {
          int filled = int(double(std::min(done, total)) / double(total) * width);
          fmt::print(stderr, "\r{:<34} [{:<{}}] {}/{}", entity,
                     std::string(std::size_t(filled), '#'), width, done, total);
        } else {
          fmt::print(stderr, "\r{:<34} {} rows", entity, done);
        }
        if (finished)
          fmt::print(stderr, "\n");
        std::fflush(stderr);
      };
    }
    auto r = onec::sync(*db, config, odata, mapping, o);
    if (g.json)
      print_json(r, *dry);
    else if (!g.quiet)
      print_human(r, *dry);
    return 0;
  };
}

} // namespace sr::cmd
