#include "ivr/report.h"
#include "store/store.h"
#include "util/time.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

using sr::ivr::CallRow;
using sr::ivr::Range;
using sr::ivr::Tally;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("smartroute-report-" + std::to_string(::getpid()) + "-" +
            std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

CallRow row(std::string mode, std::string offered, std::string result, std::string employee,
            std::int64_t ms, std::string reason = "") {
  CallRow r;
  r.mode = std::move(mode);
  r.offered = std::move(offered);
  r.result = std::move(result);
  r.employee = std::move(employee);
  r.duration_ms = ms;
  r.reason = std::move(reason);
  return r;
}

const sr::ivr::EmployeeFigures* find(const sr::ivr::Report& r, std::string_view key) {
  for (auto& e : r.employees)
    if (e.key == key)
      return &e;
  return nullptr;
}

} // namespace

TEST_CASE("report: fixed calls give exact results, modes and employee figures", "[ivr][report]") {
  Tally t(Range{1000, 2000});
  t.add(row("menu", "e1,e2", "selected", "e2", 4000));
  t.add(row("menu", "e1,e2", "selected", "e1", 3000));
  t.add(row("menu", "e1,e2", "default", "", 12000));
  t.add(row("menu", "e1,e3", "hangup", "", 1500, "caller hung up"));
  t.add(row("direct", "", "direct", "e1", 2000));
  t.add(row("new-client", "e4", "selected", "e4", 5000));
  t.add(row("fallback", "", "default", "", 3500));
  t.add(row("menu", "", "emergency", "", 20, "no option of the menu is cached"));
  t.add(row("menu", "", "emergency", "", 30, "no option of the menu is cached"));
  t.add(row("none", "", "emergency", "", 5010, "no reply to 'SET'"));
  auto r = t.finish({{"e1", "Иван Петров"}, {"e2", "Anna Sidorova"}});

  CHECK(r.all.calls == 10);
  CHECK(r.all.of("selected") == 3);
  CHECK(r.all.of("direct") == 1);
  CHECK(r.all.of("default") == 2);
  CHECK(r.all.of("emergency") == 3);
  CHECK(r.all.of("hangup") == 1);
  CHECK(r.by_mode.at("menu").calls == 6);
  CHECK(r.by_mode.at("menu").of("selected") == 2);
  CHECK(r.by_mode.at("menu").of("emergency") == 2);
  CHECK(r.by_mode.at("direct").calls == 1);
  CHECK(r.by_mode.at("new-client").of("selected") == 1);
  CHECK(r.by_mode.at("none").calls == 1);

  REQUIRE(r.employees.size() == 4);
  // Most connected first: e1 (chosen once, connected directly once), then e2, e4, e3.
  CHECK(r.employees[0].key == "e1");
  CHECK(r.employees[0].name == "Иван Петров");
  CHECK(r.employees[0].offered == 4);
  CHECK(r.employees[0].chosen == 1);
  CHECK(r.employees[0].connected == 2);
  CHECK(r.employees[1].key == "e2");
  CHECK(r.employees[1].offered == 3);
  CHECK(r.employees[1].chosen == 1);
  CHECK(r.employees[1].connected == 1);
  CHECK(r.employees[2].key == "e4");
  CHECK(r.employees[2].name.empty());
  CHECK(r.employees[3].key == "e3");
  CHECK(r.employees[3].offered == 1);
  CHECK(r.employees[3].connected == 0);

  REQUIRE(r.emergencies.size() == 2);
  CHECK(r.emergencies[0] ==
        std::pair<std::string, std::int64_t>{"no option of the menu is cached", 2});
  CHECK(r.emergencies[1] == std::pair<std::string, std::int64_t>{"no reply to 'SET'", 1});

  // Selected sessions 3000, 4000, 5000 ms; all ten sorted: 20 30 1500 2000 3000 3500 4000
  // 5000 5010 12000.
  CHECK(r.session_selected.calls == 3);
  CHECK(r.session_selected.p50_ms == 4000);
  CHECK(r.session_selected.p90_ms == 5000);
  CHECK(r.session_all.calls == 10);
  CHECK(r.session_all.p50_ms == 3000);
  CHECK(r.session_all.p90_ms == 5010);
}

TEST_CASE("report: nearest-rank percentiles", "[ivr][report]") {
  using sr::ivr::percentile;
  CHECK_FALSE(percentile({}, 50));
  CHECK(percentile({7}, 50) == 7);
  CHECK(percentile({7}, 90) == 7);
  CHECK(percentile({4, 1, 3, 2}, 50) == 2);
  CHECK(percentile({4, 1, 3, 2}, 90) == 4);
  CHECK(percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90) == 9);
  CHECK(percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 90) == 10);
}

TEST_CASE("report: an empty log gives zero counts, no percentiles and a clear text",
          "[ivr][report]") {
  auto r = Tally(Range{0, 3600}).finish({});
  CHECK(r.all.calls == 0);
  CHECK(r.employees.empty());
  CHECK_FALSE(r.session_all.p50_ms);
  auto doc = sr::ivr::to_json(r, nullptr);
  CHECK(doc["calls"] == 0);
  CHECK(doc["results"]["selected"]["calls"] == 0);
  CHECK(doc["results"]["selected"]["share"] == 0.0);
  CHECK(doc["modes"]["menu"]["calls"] == 0);
  CHECK(doc["session_ms"]["selected"]["p50"].is_null());
  CHECK(sr::ivr::to_text(r, nullptr, false) ==
        "no calls from 1970-01-01 00:00 UTC to 1970-01-01 01:00 UTC in the call log\n");
  CHECK(sr::ivr::to_csv(r, nullptr) == "since,until,employee,name,offered,chosen,connected\n");
}

TEST_CASE("report: the range is half-open and employees are named from the store",
          "[ivr][report]") {
  TempDir dir;
  auto db = sr::store::open(dir.path / "s.db", sr::store::Access::read_write);
  db->exec("INSERT INTO employees(id, key, name, extension) VALUES (1, 'e1', 'Иван Петров', "
           "'201'), (2, 'e2', 'Sidorova, \"Anna\"', '202')");
  auto insert = db->prepare("INSERT INTO call_log(uniqueid, started_at, caller, mode, offered, "
                            "result, target, employee, duration_ms) VALUES (?, ?, '', 'menu', "
                            "'e1,e2', ?, '', ?, 1000)");
  auto add = [&](std::int64_t at, std::string_view result, std::optional<std::int64_t> employee) {
    insert.reset();
    insert.bind(1, std::to_string(at)).bind(2, at).bind(3, result);
    if (employee)
      insert.bind(4, *employee);
    else
      insert.bind_null(4);
    insert.step();
  };
  add(999, "selected", 1);  // before the range
  add(1000, "selected", 1); // first second: counts
  add(1500, "selected", 2);
  add(1600, "default", std::nullopt);
  add(1700, "selected", 9); // an employee no longer in the store
  add(1999, "hangup", std::nullopt);
  add(2000, "selected", 2); // the end is not included
  // A call log that records keys instead of ids is read as well.
  db->exec("INSERT INTO call_log(uniqueid, started_at, caller, mode, result, target, employee) "
           "VALUES ('k', 1800, '', 'direct', 'direct', '', 'e2')");

  auto r = sr::ivr::build_report(*db, db.get(), Range{1000, 2000});
  CHECK(r.all.calls == 6);
  CHECK(r.all.of("selected") == 3);
  CHECK(r.all.of("direct") == 1);
  CHECK(r.all.of("hangup") == 1);
  auto* e1 = find(r, "e1");
  auto* e2 = find(r, "e2");
  auto* gone = find(r, "#9");
  REQUIRE(e1);
  REQUIRE(e2);
  REQUIRE(gone);
  CHECK(e1->name == "Иван Петров");
  CHECK(e1->offered == 5);
  CHECK(e1->chosen == 1);
  CHECK(e2->chosen == 1);
  CHECK(e2->connected == 2);
  CHECK(gone->connected == 1);
  CHECK(gone->name.empty());

  auto csv = sr::ivr::to_csv(r, nullptr);
  CHECK_THAT(csv, Catch::Contains("1970-01-01T00:16:40Z,1970-01-01T00:33:20Z,e2,\"Sidorova, "
                                  "\"\"Anna\"\"\",5,1,2\n"));

  // Without a directory, store ids stay ids.
  auto bare = sr::ivr::build_report(*db, nullptr, Range{1000, 2000});
  CHECK(find(bare, "#1"));
  CHECK(find(bare, "e1"));
  CHECK(find(bare, "e1")->name.empty());

  CHECK(sr::ivr::build_report(*db, db.get(), Range{2001, 3000}).all.calls == 0);
}

TEST_CASE("report: the terminal table aligns UTF-8 names and marks nothing without colour",
          "[ivr][report]") {
  Tally t(Range{0, 86400});
  t.add(row("menu", "e1,e2", "selected", "e1", 4000));
  t.add(row("menu", "e1,e2", "selected", "e2", 4000));
  auto text =
      sr::ivr::to_text(t.finish({{"e1", "Иван Петров"}, {"e2", "Ann Lee"}}), nullptr, false);
  CHECK(text.find('\033') == std::string::npos);
  CHECK_THAT(text, Catch::Contains("  e1        Иван Петров        2       1          1\n"));
  CHECK_THAT(text, Catch::Contains("  e2        Ann Lee            2       1          1\n"));
  CHECK_THAT(text, Catch::Contains("  selected       2  100.0%\n"));
}
