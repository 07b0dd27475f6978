#include "store/call_log.h"

#include "store/store.h"
#include "util/error.h"

#include <fmt/format.h>

#include <array>

namespace sr::store {

namespace {

// Each entry moves the call log from version i to i + 1. Never edit a released entry.
// Version 1 is the call_log table as the store's first schema had it.
constexpr std::array<std::string_view, 1> k_call_log_migrations = {
    R"sql(
CREATE TABLE call_log (
  id          INTEGER PRIMARY KEY,
  uniqueid    TEXT NOT NULL,
  started_at  INTEGER NOT NULL,
  caller      TEXT NOT NULL,
  client      INTEGER,                       -- clients.id in the store
  mode        TEXT NOT NULL,                 -- menu | direct | new-client | fallback | none
  offered     TEXT NOT NULL DEFAULT '',      -- employee keys in digit order
  choice      TEXT NOT NULL DEFAULT '',
  result      TEXT NOT NULL,                 -- selected | direct | default | emergency | hangup
  target      TEXT NOT NULL,
  employee    INTEGER,                       -- employees.id in the store
  reason      TEXT NOT NULL DEFAULT '',
  duration_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX call_log_started ON call_log(started_at);
)sql",
};

} // namespace

int call_log_schema_version() {
  return int(k_call_log_migrations.size());
}

std::unique_ptr<Database> open_call_log(const std::filesystem::path& path, Access access) {
  if (access == Access::read_only && !std::filesystem::exists(path))
    throw Error(fmt::format("call log {}: no such file ('smartroute serve-agi' creates it "
                            "with its first call)",
                            path.string()));
  return open_migrated(path, access, k_call_log_migrations, "call log", "'smartroute serve-agi'");
}

std::unique_ptr<Database> open_call_log(const config::Config& config, Access access) {
  return open_call_log(config.call_log_path(), access);
}

namespace {

constexpr std::string_view k_insert =
    "INSERT INTO call_log(uniqueid, started_at, caller, client, mode, offered, choice, result, "
    "target, employee, reason, duration_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

void append_with(Database& db, Statement& st, const std::vector<CallRow>& rows) {
  if (rows.empty())
    return;
  Transaction tx(db);
  for (auto& r : rows) {
    st.reset();
    st.bind_view(1, r.uniqueid).bind(2, r.started_at).bind_view(3, r.caller);
    if (r.client)
      st.bind(4, *r.client);
    st.bind_view(5, r.mode.empty() ? std::string_view("none") : std::string_view(r.mode));
    st.bind_view(6, r.offered).bind_view(7, r.choice).bind_view(8, r.result);
    st.bind_view(9, r.target);
    if (r.employee)
      st.bind(10, *r.employee);
    st.bind_view(11, r.reason).bind(12, r.duration_ms).step();
  }
  st.reset(); // no view into `rows` outlives the call
  tx.commit();
}

} // namespace

void append_calls(Database& db, const std::vector<CallRow>& rows) {
  auto st = db.prepare(k_insert);
  append_with(db, st, rows);
}

CallLogWriter::CallLogWriter(std::unique_ptr<Database> db)
    : m_db(std::move(db)), m_insert(m_db->prepare(k_insert)) {}

void CallLogWriter::append(const std::vector<CallRow>& rows) {
  append_with(*m_db, m_insert, rows);
}

} // namespace sr::store
