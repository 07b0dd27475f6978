#pragma once

// serve-agi's call log: one row per call, in a SQLite file of its own (store.call_log,
// <state_dir>/calls.db by default). Its writes never touch the store, whose read-only
// connection in serve-agi would otherwise drop and remap the store after each commit.

#include "config/config.h"
#include "store/db.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sr::store {

// One finished call. `client` and `employee` are ids of the store's clients and employees
// tables (there is no foreign key across the two files).
struct CallRow {
  std::string uniqueid;
  std::int64_t started_at = 0; // Unix time
  std::string caller;
  std::optional<std::int64_t> client;
  std::string mode = "none"; // menu | direct | new-client | fallback | none
  std::string offered;       // employee keys in digit order, comma-separated
  std::string choice;        // the digits pressed
  std::string result;        // selected | direct | default | emergency | hangup
  std::string target;
  std::optional<std::int64_t> employee;
  std::string reason;
  std::int64_t duration_ms = 0;
};

// The schema version of the call log this build writes.
int call_log_schema_version();

// Opens the call log. Read-write creates it (and its directory) and applies pending
// migrations; read-only requires it to exist at the current schema (a future `report`
// reads it while serve-agi writes: WAL).
std::unique_ptr<Database> open_call_log(const std::filesystem::path& path, Access access);
std::unique_ptr<Database> open_call_log(const config::Config& config, Access access);

// Appends rows in one transaction.
void append_calls(Database& db, const std::vector<CallRow>& rows);

// The same for a writer that appends batch after batch: the INSERT is prepared once.
class CallLogWriter {
public:
  explicit CallLogWriter(std::unique_ptr<Database> db);
  void append(const std::vector<CallRow>& rows);
  Database& db() { return *m_db; }

private:
  std::unique_ptr<Database> m_db;
  Statement m_insert;
};

} // namespace sr::store
