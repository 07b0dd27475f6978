#include "store/call_log.h"
#include "store/store.h"
#include "util/error.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("smartroute-store-" + std::to_string(::getpid()) + "-" +
            std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

} // namespace

TEST_CASE("store: a new store is created at the current schema in WAL mode", "[store]") {
  TempDir dir;
  auto db = sr::store::open(dir.path / "sub" / "s.db", sr::store::Access::read_write);
  CHECK(db->scalar("PRAGMA user_version") == sr::store::current_schema_version());
  auto mode = db->prepare("PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.column_text(0) == "wal");
  auto c = sr::store::counts(*db);
  CHECK(c.employees == 0);
  CHECK(c.interactions == 0);
}

TEST_CASE("store: read-only opening refuses a missing store and cannot write", "[store]") {
  TempDir dir;
  CHECK_THROWS_WITH(sr::store::open(dir.path / "none.db", sr::store::Access::read_only),
                    Catch::Contains("no such database"));
  { sr::store::open(dir.path / "s.db", sr::store::Access::read_write); }
  auto ro = sr::store::open(dir.path / "s.db", sr::store::Access::read_only);
  CHECK_THROWS_AS(ro->exec("INSERT INTO meta VALUES('a','b')"), sr::Error);
}

TEST_CASE("store: a store from a newer smartroute is refused", "[store]") {
  TempDir dir;
  {
    auto db = sr::store::open(dir.path / "s.db", sr::store::Access::read_write);
    db->exec("PRAGMA user_version=999");
  }
  CHECK_THROWS_WITH(sr::store::open(dir.path / "s.db", sr::store::Access::read_write),
                    Catch::Contains("newer"));
}

TEST_CASE("store: meta values and rolled-back transactions", "[store]") {
  TempDir dir;
  auto db = sr::store::open(dir.path / "s.db", sr::store::Access::read_write);
  sr::store::set_meta(*db, "last_import", "x");
  sr::store::set_meta(*db, "last_import", "y");
  CHECK(sr::store::get_meta(*db, "last_import") == "y");
  {
    sr::store::Transaction tx(*db);
    db->exec("INSERT INTO clients(key, name) VALUES('c1', 'A')");
  } // no commit: rolled back
  CHECK(sr::store::counts(*db).clients == 0);
}

TEST_CASE("store: an upsert that changes an interaction marks its client for scoring", "[store]") {
  // The DO UPDATE of an upsert runs as UPDATE OR ABORT, and a trigger's INSERT OR IGNORE took
  // that policy: changing an interaction's employee failed on score_dirty's primary key.
  TempDir dir;
  auto db = sr::store::open(dir.path / "s.db", sr::store::Access::read_write);
  db->exec("INSERT INTO employees(key, name) VALUES('e1', 'A'), ('e2', 'B');"
           "INSERT INTO clients(key, name) VALUES('c1', 'C');"
           "INSERT INTO doc_types(name) VALUES('call')");
  auto upsert = [&](std::int64_t at, std::int64_t employee) {
    db->prepare("INSERT INTO interactions(source, doc_type, doc_key, at, client, employee) "
                "VALUES(2, 1, 'd1', ?, 1, ?) ON CONFLICT(source, doc_type, doc_key) DO UPDATE "
                "SET at = excluded.at, employee = excluded.employee")
        .bind(1, at)
        .bind(2, employee)
        .step();
  };
  for (int round = 0; round < 2; ++round) {
    upsert(100, 1);
    CHECK(db->scalar("SELECT count(*) FROM score_dirty") == 1);
    CHECK_NOTHROW(upsert(100, 2));
    CHECK_NOTHROW(upsert(200, 2));
    CHECK(db->scalar("SELECT employee FROM interactions") == 2);
    CHECK(db->scalar("SELECT client FROM score_dirty") == 1);
    db->exec("DELETE FROM interactions; DELETE FROM score_dirty");
    // A bulk import drops the triggers and creates them again from store.h.
    db->exec(sr::store::k_drop_score_dirty_triggers);
    db->exec(sr::store::k_score_dirty_triggers);
  }
}

TEST_CASE("store: migration 5 keeps interactions and makes their key index droppable", "[store]") {
  TempDir dir;
  auto path = dir.path / "s.db";
  {
    // A store as schema 4 left it: the uniqueness of the key is a table constraint.
    auto db = sr::store::open(path, sr::store::Access::read_write);
    db->exec("DROP TABLE interactions;"
             "CREATE TABLE interactions (id INTEGER PRIMARY KEY, source INTEGER NOT NULL, "
             "doc_type INTEGER NOT NULL REFERENCES doc_types(id), doc_key TEXT NOT NULL, "
             "at INTEGER NOT NULL, client INTEGER NOT NULL REFERENCES clients(id) ON DELETE "
             "CASCADE, employee INTEGER NOT NULL REFERENCES employees(id) ON DELETE CASCADE, "
             "UNIQUE (source, doc_type, doc_key));");
    db->exec(sr::store::k_interactions_client_index);
    db->exec(sr::store::k_score_dirty_triggers);
    db->exec("INSERT INTO employees(key, name) VALUES('e1', 'A');"
             "INSERT INTO clients(key, name) VALUES('c1', 'C'), ('c2', 'D');"
             "INSERT INTO doc_types(name) VALUES('call');"
             "INSERT INTO interactions(id, source, doc_type, doc_key, at, client, employee) "
             "VALUES(7, 2, 1, 'd1', 100, 1, 1), (9, 0, 1, 'd2', 200, 2, 1);"
             "DELETE FROM score_dirty; PRAGMA user_version=4");
  }
  auto db = sr::store::open(path, sr::store::Access::read_write);
  CHECK(db->scalar("PRAGMA user_version") == sr::store::current_schema_version());
  CHECK(db->scalar("SELECT count(*) FROM interactions WHERE id = 7 AND doc_key = 'd1' AND at = "
                   "100 AND client = 1") == 1);
  CHECK(db->scalar("SELECT count(*) FROM interactions WHERE id = 9 AND source = 0") == 1);
  CHECK(db->scalar("SELECT count(*) FROM sqlite_schema WHERE name IN ('interactions_doc', "
                   "'interactions_client', 'interactions_dirty_insert', "
                   "'interactions_dirty_update', 'interactions_dirty_delete')") == 5);
  CHECK(db->scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'sqlite_autoindex_"
                   "interactions%'") == 0);
  CHECK_THROWS_WITH(db->exec("INSERT INTO interactions(source, doc_type, doc_key, at, client, "
                             "employee) VALUES(2, 1, 'd1', 1, 1, 1)"),
                    Catch::Contains("UNIQUE"));
  db->exec("INSERT INTO interactions(source, doc_type, doc_key, at, client, employee) "
           "VALUES(2, 1, 'd3', 1, 2, 1)");
  CHECK(db->scalar("SELECT client FROM score_dirty") == 2);
  db->exec("DELETE FROM clients WHERE id = 1"); // foreign keys still cascade
  CHECK(db->scalar("SELECT count(*) FROM interactions WHERE client = 1") == 0);
  // What a first sync does: drop the index and build it again.
  db->exec("DROP INDEX interactions_doc");
  db->exec(sr::store::k_interactions_doc_index);
}

TEST_CASE("store: the call log is a file of its own with its own schema", "[store]") {
  TempDir dir;
  sr::config::Config config;
  config.store.state_dir = dir.path.string();
  CHECK(config.call_log_path() == dir.path / "calls.db");
  CHECK_THROWS_WITH(sr::store::open_call_log(config, sr::store::Access::read_only),
                    Catch::Contains("no such file"));
  {
    auto log = sr::store::open_call_log(config, sr::store::Access::read_write);
    CHECK(log->scalar("PRAGMA user_version") == sr::store::call_log_schema_version());
    sr::store::CallRow a;
    a.uniqueid = "1.1";
    a.caller = "+79001234567";
    a.client = 42;
    a.mode = "menu";
    a.result = "selected";
    a.target = "202";
    a.employee = 7;
    sr::store::CallRow b;
    b.uniqueid = "1.2";
    b.mode = "";
    b.result = "hangup";
    b.target = "100";
    sr::store::append_calls(*log, {a, b});
  }
  {
    sr::store::CallLogWriter writer(
        sr::store::open_call_log(config, sr::store::Access::read_write));
    sr::store::CallRow c;
    c.uniqueid = "1.3";
    c.result = "default";
    c.target = "100";
    writer.append({c});
    writer.append({c, c});
    writer.append({});
    CHECK(writer.db().scalar("SELECT count(*) FROM call_log WHERE uniqueid = '1.3'") == 3);
  }
  CHECK_FALSE(std::filesystem::exists(config.database_path()));
  auto ro = sr::store::open_call_log(config, sr::store::Access::read_only);
  auto st = ro->prepare(
      "SELECT client, employee, mode, result FROM call_log WHERE uniqueid <> '1.3' ORDER BY id");
  REQUIRE(st.step());
  CHECK(st.column_int(0) == 42);
  CHECK(st.column_int(1) == 7);
  CHECK(st.column_text(2) == "menu");
  REQUIRE(st.step());
  CHECK(st.column_is_null(0));
  CHECK(st.column_is_null(1));
  CHECK(st.column_text(2) == "none");
  CHECK(st.column_text(3) == "hangup");
  CHECK_FALSE(st.step());
  config.store.call_log = (dir.path / "elsewhere" / "log.db").string();
  CHECK(config.call_log_path() == dir.path / "elsewhere" / "log.db");
  sr::store::open_call_log(config, sr::store::Access::read_write);
  CHECK(std::filesystem::exists(dir.path / "elsewhere" / "log.db"));
}
