#include "store/store.h"
#include "util/error.h"
#include "util/fs.h"

#include <fmt/format.h>

#include <array>
#include <span>

namespace sr::store {

namespace {

// Each entry moves the schema from version i to i + 1. Never edit a released entry: add one.
constexpr std::array<std::string_view, 5> k_migrations = {
    R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE employees (
  id          INTEGER PRIMARY KEY,
  key         TEXT NOT NULL UNIQUE,          -- the id in the source (1C Ref_Key, HR number)
  name        TEXT NOT NULL,
  extension   TEXT NOT NULL DEFAULT '',
  active      INTEGER NOT NULL DEFAULT 1,    -- 0 = dismissed
  excluded    INTEGER NOT NULL DEFAULT 0,    -- 1 = service account, never offered
  spoken_name TEXT NOT NULL DEFAULT '',
  grp         TEXT NOT NULL DEFAULT '',
  source      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE clients (
  id     INTEGER PRIMARY KEY,
  key    TEXT NOT NULL UNIQUE,
  name   TEXT NOT NULL,
  source INTEGER NOT NULL DEFAULT 0
);

-- A phone may belong to several clients; the call path looks numbers up here.
CREATE TABLE client_phones (
  phone     TEXT NOT NULL,                   -- E.164
  client    INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  raw       TEXT NOT NULL,                   -- as it was written
  extension TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (phone, client)
) WITHOUT ROWID;
CREATE INDEX client_phones_client ON client_phones(client);

CREATE TABLE doc_types (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE interactions (
  id       INTEGER PRIMARY KEY,
  source   INTEGER NOT NULL,                 -- 0 file, 1 cdr, 2 onec
  doc_type INTEGER NOT NULL REFERENCES doc_types(id),
  doc_key  TEXT NOT NULL,
  at       INTEGER NOT NULL,                 -- Unix time, UTC
  client   INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  employee INTEGER NOT NULL REFERENCES employees(id) ON DELETE CASCADE,
  UNIQUE (source, doc_type, doc_key)
);
CREATE INDEX interactions_client ON interactions(client, at);

CREATE TABLE schedules (
  id           INTEGER PRIMARY KEY,
  employee     INTEGER REFERENCES employees(id) ON DELETE CASCADE,
  grp          TEXT,
  day_mask     INTEGER NOT NULL,             -- bit 0 = Monday
  start_minute INTEGER NOT NULL,
  end_minute   INTEGER NOT NULL
);

CREATE TABLE schedule_exceptions (
  id        INTEGER PRIMARY KEY,
  employee  INTEGER REFERENCES employees(id) ON DELETE CASCADE,
  grp       TEXT,
  from_day  TEXT NOT NULL,                   -- "2026-12-31", company time zone
  until_day TEXT NOT NULL,
  reason    TEXT NOT NULL DEFAULT ''
);

-- What the audio cache holds: one row per synthesised fragment.
CREATE TABLE audio_cache (
  key        TEXT PRIMARY KEY,               -- SHA-256 of the canonical synthesis request
  text       TEXT NOT NULL,
  engine     TEXT NOT NULL,
  voice      TEXT NOT NULL,
  formats    TEXT NOT NULL,                  -- "wav,sln16"
  bytes      INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per call handled by serve-agi.
CREATE TABLE call_log (
  id          INTEGER PRIMARY KEY,
  uniqueid    TEXT NOT NULL,
  started_at  INTEGER NOT NULL,
  caller      TEXT NOT NULL,
  client      INTEGER,
  mode        TEXT NOT NULL,                 -- menu | direct | new-client | fallback
  offered     TEXT NOT NULL DEFAULT '',      -- employee keys in digit order
  choice      TEXT NOT NULL DEFAULT '',
  result      TEXT NOT NULL,                 -- selected | direct | default | emergency | hangup
  target      TEXT NOT NULL,
  employee    INTEGER,
  reason      TEXT NOT NULL DEFAULT '',
  duration_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX call_log_started ON call_log(started_at);
)sql",
    // 2: scoring. The client index becomes covering so that scoring and explain read a
    // client's interactions without touching the table; triggers remember which clients
    // changed since the last `score`.
    R"sql(
DROP INDEX interactions_client;
CREATE INDEX interactions_client ON interactions(client, at, employee, doc_type);

-- Each client's employees ranked by score at the last `score` run (all of them, eligible or
-- not: eligibility and availability are applied when a call is planned).
CREATE TABLE responsibility (
  client   INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  rank     INTEGER NOT NULL,
  employee INTEGER NOT NULL,
  score    REAL NOT NULL,
  last_at  INTEGER NOT NULL,
  count    INTEGER NOT NULL,
  PRIMARY KEY (client, rank)
) WITHOUT ROWID;

-- Per client: the score total, the top eligible employee and the last call.
CREATE TABLE client_state (
  client          INTEGER PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
  total           REAL NOT NULL,
  top_employee    INTEGER,
  last_call_employee INTEGER,
  last_call_at    INTEGER,
  scored_at       INTEGER NOT NULL
);

CREATE TABLE score_dirty (client INTEGER PRIMARY KEY) WITHOUT ROWID;
CREATE TRIGGER interactions_dirty_insert AFTER INSERT ON interactions BEGIN
  INSERT OR IGNORE INTO score_dirty(client) VALUES (NEW.client);
END;
CREATE TRIGGER interactions_dirty_update AFTER UPDATE ON interactions BEGIN
  INSERT OR IGNORE INTO score_dirty(client) VALUES (OLD.client), (NEW.client);
END;
CREATE TRIGGER interactions_dirty_delete AFTER DELETE ON interactions BEGIN
  INSERT OR IGNORE INTO score_dirty(client) VALUES (OLD.client);
END;
)sql",
    // 3: sync from 1C. What the last sync saw of each catalog row (unchanged DataVersion =
    // nothing to do), the other references that identify a client, and each entity's last run.
    R"sql(
CREATE TABLE onec_refs (
  entity  TEXT NOT NULL,                     -- "Catalog_Контрагенты"
  ref     TEXT NOT NULL,                     -- Ref_Key, lower case
  version TEXT NOT NULL,                     -- DataVersion, opaque
  PRIMARY KEY (entity, ref)
) WITHOUT ROWID;

-- A document pointing at a Партнер finds the Контрагент whose Партнер_Key it is.
CREATE TABLE onec_aliases (
  alias  TEXT NOT NULL,                      -- the other reference (GUID)
  client INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  PRIMARY KEY (alias, client)
) WITHOUT ROWID;
CREATE INDEX onec_aliases_client ON onec_aliases(client);

CREATE TABLE sync_state (
  entity      TEXT PRIMARY KEY,
  finished_at INTEGER NOT NULL,              -- Unix time of the last committed sync
  rows        INTEGER NOT NULL,              -- rows read
  added       INTEGER NOT NULL,
  updated     INTEGER NOT NULL,
  deleted     INTEGER NOT NULL,
  seconds     REAL NOT NULL
) WITHOUT ROWID;
)sql",
    // 4: the score_dirty triggers of 2 said INSERT OR IGNORE, but a trigger takes the conflict
    // policy of the statement that fires it, and the DO UPDATE of an upsert runs as UPDATE OR
    // ABORT: an upsert that changed an interaction's date or employee failed with "UNIQUE
    // constraint failed: score_dirty.client". An upsert clause in the trigger is not overridden.
    R"sql(
DROP TRIGGER interactions_dirty_insert;
DROP TRIGGER interactions_dirty_update;
DROP TRIGGER interactions_dirty_delete;
CREATE TRIGGER interactions_dirty_insert AFTER INSERT ON interactions BEGIN
  INSERT INTO score_dirty(client) VALUES (NEW.client) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER interactions_dirty_update AFTER UPDATE ON interactions BEGIN
  INSERT INTO score_dirty(client) VALUES (OLD.client), (NEW.client) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER interactions_dirty_delete AFTER DELETE ON interactions BEGIN
  INSERT INTO score_dirty(client) VALUES (OLD.client) ON CONFLICT DO NOTHING;
END;
)sql",
    // 5: the uniqueness of (source, doc_type, doc_key) becomes a named index instead of a table
    // constraint, so that a first sync from 1C can drop it and build it once at the end (a sort)
    // instead of inserting a million keys in random order; SQLite cannot drop the automatic
    // index of a UNIQUE constraint. The table is rebuilt: nothing references interactions.
    R"sql(
CREATE TABLE interactions_new (
  id       INTEGER PRIMARY KEY,
  source   INTEGER NOT NULL,                 -- 0 file, 1 cdr, 2 onec
  doc_type INTEGER NOT NULL REFERENCES doc_types(id),
  doc_key  TEXT NOT NULL,
  at       INTEGER NOT NULL,                 -- Unix time, UTC
  client   INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  employee INTEGER NOT NULL REFERENCES employees(id) ON DELETE CASCADE
);
INSERT INTO interactions_new(id, source, doc_type, doc_key, at, client, employee)
  SELECT id, source, doc_type, doc_key, at, client, employee FROM interactions;
DROP TABLE interactions;
ALTER TABLE interactions_new RENAME TO interactions;
CREATE UNIQUE INDEX interactions_doc ON interactions(source, doc_type, doc_key);
CREATE INDEX interactions_client ON interactions(client, at, employee, doc_type);
CREATE TRIGGER interactions_dirty_insert AFTER INSERT ON interactions BEGIN
  INSERT INTO score_dirty(client) VALUES (NEW.client) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER interactions_dirty_update AFTER UPDATE ON interactions BEGIN
  INSERT INTO score_dirty(client) VALUES (OLD.client), (NEW.client) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER interactions_dirty_delete AFTER DELETE ON interactions BEGIN
  INSERT INTO score_dirty(client) VALUES (OLD.client) ON CONFLICT DO NOTHING;
END;
)sql",
};

int schema_version(Database& db) {
  return int(db.scalar("PRAGMA user_version"));
}

} // namespace

int current_schema_version() {
  return int(k_migrations.size());
}

std::unique_ptr<Database> open_migrated(const std::filesystem::path& path, Access access,
                                        std::span<const std::string_view> migrations,
                                        std::string_view what, std::string_view writer) {
  if (access == Access::read_write && path.has_parent_path())
    util::ensure_directory(path.parent_path());
  auto db = std::make_unique<Database>(path, access);
  int version = schema_version(*db);
  int current = int(migrations.size());
  if (version > current)
    throw Error(fmt::format("{} {}: schema version {} is newer than this smartroute knows "
                            "({}); upgrade smartroute",
                            what, path.string(), version, current));
  if (version == current)
    return db;
  if (access == Access::read_only)
    throw Error(fmt::format("{} {}: schema version {} is older than {}; run {} to upgrade it", what,
                            path.string(), version, current, writer));
  Transaction tx(*db);
  for (int v = version; v < current; ++v) {
    db->exec(migrations[std::size_t(v)]);
    db->exec(fmt::format("PRAGMA user_version={}", v + 1));
  }
  tx.commit();
  return db;
}

std::unique_ptr<Database> open(const std::filesystem::path& path, Access access) {
  return open_migrated(path, access, k_migrations, "store",
                       "any writing command (e.g. 'smartroute import')");
}

Counts counts(Database& db) {
  Counts c;
  c.employees = db.scalar("SELECT count(*) FROM employees");
  c.clients = db.scalar("SELECT count(*) FROM clients");
  c.phones = db.scalar("SELECT count(*) FROM client_phones");
  c.interactions = db.scalar("SELECT count(*) FROM interactions");
  return c;
}

void set_meta(Database& db, std::string_view key, std::string_view value) {
  db.prepare("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET "
             "value = excluded.value")
      .bind(1, key)
      .bind(2, value)
      .step();
}

std::optional<std::string> get_meta(Database& db, std::string_view key) {
  auto st = db.prepare("SELECT value FROM meta WHERE key = ?");
  st.bind(1, key);
  if (!st.step())
    return std::nullopt;
  return std::string(st.column_text(0));
}

} // namespace sr::store
