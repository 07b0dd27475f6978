#include "scoring/directory.h"
#include "store/store.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

namespace {

struct TempStore {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("smartroute-directory-" + std::to_string(::getpid()));
  std::unique_ptr<sr::store::Database> db;
  TempStore() {
    db = sr::store::open(dir / "s.db", sr::store::Access::read_write);
    db->exec(R"sql(
INSERT INTO employees(id, key, name, extension) VALUES (1, 'e1', 'Ann', '101'), (2, 'e2', 'Bob', '102');
INSERT INTO clients(id, key, name) VALUES (10, 'c10', 'One'), (20, 'c20', 'Two'), (30, 'c30', 'Three');
INSERT INTO client_phones(phone, client, raw) VALUES ('+70000000001', 10, 'x'),
  ('+70000000002', 20, 'x'), ('+70000000002', 30, 'x');
INSERT INTO responsibility(client, rank, employee, score, last_at, count) VALUES
  (10, 1, 2, 3.0, 100, 3), (10, 2, 1, 1.0, 90, 1),
  (20, 1, 1, 1.0, 100, 1), (30, 1, 2, 5.0, 100, 5);
INSERT INTO client_state(client, total, top_employee, scored_at) VALUES
  (10, 4.5, 2, 100), (20, 1.0, 1, 100), (30, 5.0, 2, 100);
)sql");
  }
  ~TempStore() {
    db.reset();
    std::filesystem::remove_all(dir);
  }
};

} // namespace

TEST_CASE("directory: totals are skipped for a number of one client only on request", "[scoring]") {
  TempStore s;
  sr::config::Config config;
  sr::scoring::Directory dir(*s.db, config);
  auto full = dir.caller("+70000000001", 1000, std::nullopt);
  auto lean = dir.caller("+70000000001", 1000, std::nullopt, /*totals=*/false);
  REQUIRE(full.client);
  REQUIRE(lean.client);
  CHECK(full.client->key == "c10");
  CHECK(lean.client->key == "c10");
  CHECK(full.total == Approx(4.5)); // the stored total, more than the ranks kept
  CHECK(lean.total == 0);
  REQUIRE(lean.ranked.size() == 2);
  CHECK(lean.ranked[0].employee->key == "e2");
  CHECK(lean.ranked[0].score == full.ranked[0].score);
  // A number of two clients: the one with the larger total, with or without totals.
  for (bool totals : {true, false}) {
    auto shared = dir.caller("+70000000002", 1000, std::nullopt, totals);
    REQUIRE(shared.client);
    CHECK(shared.client->key == "c30");
    CHECK(shared.total == Approx(5.0));
    CHECK(shared.clients.size() == 2);
  }
}

TEST_CASE("directory: spoken names filled once keep overrides", "[scoring]") {
  TempStore s;
  s.db->exec("UPDATE employees SET spoken_name = 'Анной' WHERE id = 1");
  sr::config::Config config;
  sr::scoring::Directory dir(*s.db, config);
  dir.fill_spoken_names([](const sr::scoring::Employee& e) { return "declined " + e.name; });
  CHECK(dir.employee(1)->spoken_name == "Анной");
  CHECK(dir.employee(2)->spoken_name == "declined Bob");
}
