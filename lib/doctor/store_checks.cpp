// "store", "data" and "score": the SQLite store is there at the current schema, and the
// nightly jobs have refreshed what is in it.
#include "doctor/checks.h"
#include "store/store.h"
#include "util/error.h"

#include <fmt/format.h>

#include <filesystem>
#include <optional>

namespace sr::doctor {

namespace {

struct Stamp {
  std::string key; // "last_import"…
  std::optional<util::UnixTime> at;
};

Stamp stamp(store::Database& db, std::string key) {
  auto value = store::get_meta(db, key);
  Stamp s{std::move(key), std::nullopt};
  if (value)
    s.at = util::parse_timestamp(*value, nullptr);
  return s;
}

std::string when(util::UnixTime at, util::UnixTime now) {
  return fmt::format("{} ({})", format_age(now - at), util::format_utc(at));
}

// What the nightly job runs to bring the data in: sync with 1C, files otherwise.
Result check_data(store::Database& db, const config::Config& config, util::UnixTime now) {
  Result r{"data", Status::ok, "", ""};
  auto import = stamp(db, "last_import");
  auto sync = stamp(db, "last_sync");
  bool onec = !config.onec.url.empty();
  // With 1C, sync is what must be fresh; files may be an occasional extra.
  auto& latest = onec || (sync.at && (!import.at || *sync.at > *import.at)) ? sync : import;
  auto job = latest.key == "last_sync" ? "smartroute sync" : "smartroute import";
  auto employees = db.scalar("SELECT count(*) FROM employees");
  auto clients = db.scalar("SELECT count(*) FROM clients");
  if (!latest.at) {
    r.status = Status::fail;
    r.message = onec ? "never synced from 1C" : "nothing imported or synced yet";
    r.fix = onec ? "run 'smartroute sync'" : "run 'smartroute import' (or 'smartroute sync')";
    return r;
  }
  auto what = latest.key == "last_sync" ? "sync" : "import";
  r.message = fmt::format("last {} {}; {} employees, {} clients", what, when(*latest.at, now),
                          employees, clients);
  if (employees == 0) {
    r.status = Status::fail;
    r.fix = fmt::format("the store holds no employees: run '{}' with them", job);
  } else if (now - *latest.at > k_stale_seconds) {
    r.status = Status::warn;
    r.fix = fmt::format("the nightly job should refresh it: check smartroute-nightly.timer (or "
                        "the cron job) that runs '{}'",
                        job);
  }
  return r;
}

Result check_score(store::Database& db, const config::Config& config, util::UnixTime now) {
  Result r{"score", Status::ok, "", ""};
  auto score = stamp(db, "last_score");
  if (!score.at) {
    r.status = Status::fail;
    r.message = "responsible employees were never computed";
    r.fix = "run 'smartroute score'";
    return r;
  }
  r.message = fmt::format("last score {}", when(*score.at, now));
  if (now - *score.at > k_stale_seconds) {
    r.status = Status::warn;
    r.fix = "the nightly job should refresh it: check smartroute-nightly.timer (or the cron "
            "job) that runs 'smartroute score'";
    return r;
  }
  auto import = stamp(db, "last_import");
  auto sync = stamp(db, "last_sync");
  for (auto* s : {&import, &sync})
    if (s->at && *s->at > *score.at) {
      r.status = Status::warn;
      r.message += fmt::format(", before the last {}", s->key == "last_sync" ? "sync" : "import");
      r.fix = "run 'smartroute score' after every import or sync";
      return r;
    }
  (void)config;
  return r;
}

} // namespace

std::string format_age(std::int64_t seconds) {
  if (seconds < 0)
    return "in the future";
  if (seconds < 60)
    return "just now";
  if (seconds < 3600)
    return fmt::format("{} min ago", seconds / 60);
  if (seconds < 2 * 86400)
    return fmt::format("{} h ago", seconds / 3600);
  return fmt::format("{} d ago", seconds / 86400);
}

std::vector<Result> check_store(const config::Config& config, util::UnixTime now) {
  auto path = config.database_path();
  Result store{"store", Status::ok, "", ""};
  auto skipped = [&](std::string why) {
    return std::vector<Result>{
        store, {"data", Status::skip, why, ""}, {"score", Status::skip, why, ""}};
  };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    store.status = Status::fail;
    store.message = fmt::format("no store at {}", path.string());
    store.fix = "run 'smartroute import' (or 'smartroute sync'), or correct store.state_dir";
    return skipped("no store");
  }
  std::unique_ptr<store::Database> db;
  int version = 0;
  try {
    db = std::make_unique<store::Database>(path, store::Access::read_only);
    version = int(db->scalar("PRAGMA user_version"));
    db->scalar("SELECT count(*) FROM sqlite_schema"); // reads the file: "not a database"…
  } catch (const Error& e) {
    store.status = Status::fail;
    store.message = e.what();
    store.fix = "check the file's owner and mode, or restore it / import again";
    return skipped("the store cannot be read");
  }
  if (version != store::current_schema_version()) {
    store.status = Status::fail;
    store.message = fmt::format("{}: schema version {}, this smartroute uses {}", path.string(),
                                version, store::current_schema_version());
    store.fix = version < store::current_schema_version()
                    ? "run any writing command (e.g. 'smartroute score') to upgrade it"
                    : "upgrade smartroute: a newer version wrote this store";
    return skipped("the schema is not current");
  }
  store.message = fmt::format("{}: schema version {} (current)", path.string(), version);
  std::vector<Result> out{store};
  for (auto f : {check_data, check_score}) {
    try {
      out.push_back(f(*db, config, now));
    } catch (const Error& e) {
      out.push_back({out.size() == 1 ? "data" : "score", Status::fail, e.what(), ""});
    }
  }
  return out;
}

} // namespace sr::doctor
