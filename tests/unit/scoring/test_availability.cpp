#include "config/config.h"
#include "scoring/availability.h"
#include "util/time.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using sr::scoring::Absence;
using sr::scoring::Availability;
using sr::scoring::check;
using sr::scoring::Presence;
using sr::scoring::Timetable;
using sr::scoring::Timetables;
using sr::scoring::Window;

namespace Catch {
template <> struct StringMaker<Presence> {
  static std::string convert(Presence p) {
    return p == Presence::available      ? "available"
           : p == Presence::off_schedule ? "off_schedule"
                                         : "absent";
  }
};
} // namespace Catch

namespace {

constexpr unsigned k_mon_fri = 0x1F;
constexpr unsigned k_monday = 0x01;
constexpr unsigned k_friday = 0x10;
constexpr unsigned k_sat_sun = 0x60;

// An instant written in ISO 8601 ("2026-03-30T08:30:00Z", "2026-03-30T11:30:00+03:00").
std::int64_t at(const char* iso) {
  auto t = sr::util::parse_timestamp(iso, nullptr);
  REQUIRE(t);
  return *t;
}

// A calendar day "2026-04-06" as days since 1970-01-01.
std::int64_t day(const char* iso) {
  return at(iso) / 86400;
}

const date::time_zone* zone(const char* name) {
  auto z = sr::util::find_zone(name);
  REQUIRE(z);
  return z;
}

Timetable weekly(unsigned mask, int start_minute, int end_minute) {
  Timetable t;
  t.windows.push_back(Window{mask, start_minute, end_minute});
  return t;
}

Timetable office_hours() {
  return weekly(k_mon_fri, 9 * 60, 18 * 60);
}

bool available(const Timetable& t, const char* iso, const date::time_zone* z) {
  return check(t, at(iso), z).presence == Presence::available;
}

// A configuration file in a temporary directory, removed at the end of the test.
struct TempConfig {
  std::filesystem::path path;
  explicit TempConfig(const std::string& text) {
    path = std::filesystem::temp_directory_path() /
           ("smartroute-test-availability-" + std::to_string(::getpid()) + ".toml");
    std::ofstream(path) << text;
  }
  ~TempConfig() { std::filesystem::remove(path); }
};

} // namespace

TEST_CASE("availability: no schedule and no absence means always available", "[availability]") {
  Timetable none;
  for (auto iso : {"2026-03-28T03:00:00Z", "2026-03-30T12:00:00Z", "2026-12-31T23:59:59Z"}) {
    auto a = check(none, at(iso), zone("Europe/Moscow"));
    CHECK(a.presence == Presence::available);
    CHECK(a.reason.empty());
    CHECK(a.next_from == 0);
  }
}

TEST_CASE("availability: inside and outside a weekly window in Moscow", "[availability]") {
  auto moscow = zone("Europe/Moscow");
  auto t = office_hours();
  // Monday 2026-03-30; Moscow is UTC+3 all year.
  CHECK(available(t, "2026-03-30T06:00:00Z", moscow));  // 09:00
  CHECK(available(t, "2026-03-30T09:00:00Z", moscow));  // 12:00
  CHECK(available(t, "2026-03-30T14:59:59Z", moscow));  // 17:59:59
  CHECK(!available(t, "2026-03-30T05:59:59Z", moscow)); // 08:59:59
  CHECK(!available(t, "2026-03-30T15:00:00Z", moscow)); // 18:00: the end is excluded

  auto early = check(t, at("2026-03-30T05:30:00Z"), moscow);
  CHECK(early.presence == Presence::off_schedule);
  CHECK(early.reason == "off schedule");
  CHECK(early.next_from == at("2026-03-30T09:00:00+03:00")); // later the same day

  auto late = check(t, at("2026-03-30T15:00:00Z"), moscow);
  CHECK(late.presence == Presence::off_schedule);
  CHECK(late.next_from == at("2026-03-31T09:00:00+03:00")); // Tuesday morning
}

TEST_CASE("availability: a mon-fri window checked at the weekend is next on Monday",
          "[availability]") {
  auto moscow = zone("Europe/Moscow");
  auto t = office_hours();
  auto saturday = check(t, at("2026-04-04T12:00:00+03:00"), moscow);
  CHECK(saturday.presence == Presence::off_schedule);
  CHECK(saturday.next_from == at("2026-04-06T09:00:00+03:00"));

  auto friday_evening = check(t, at("2026-04-03T18:30:00+03:00"), moscow);
  CHECK(friday_evening.presence == Presence::off_schedule);
  CHECK(friday_evening.next_from == at("2026-04-06T09:00:00+03:00"));

  // A Friday-only window seen on Saturday: next Friday.
  auto fridays = weekly(k_friday, 9 * 60, 18 * 60);
  CHECK(check(fridays, at("2026-04-04T12:00:00+03:00"), moscow).next_from ==
        at("2026-04-10T09:00:00+03:00"));
}

TEST_CASE("availability: midnight boundaries of a whole-day window", "[availability]") {
  auto moscow = zone("Europe/Moscow");
  auto mondays = weekly(k_monday, 0, 24 * 60);
  CHECK(available(mondays, "2026-03-30T00:00:00+03:00", moscow));
  CHECK(available(mondays, "2026-03-30T12:00:00+03:00", moscow));
  CHECK(available(mondays, "2026-03-30T23:59:59+03:00", moscow));
  CHECK(!available(mondays, "2026-03-31T00:00:00+03:00", moscow));

  auto sunday_night = check(mondays, at("2026-03-29T23:59:00+03:00"), moscow);
  CHECK(sunday_night.presence == Presence::off_schedule);
  CHECK(sunday_night.next_from == at("2026-03-30T00:00:00+03:00"));

  auto tuesday = check(mondays, at("2026-03-31T00:00:00+03:00"), moscow);
  CHECK(tuesday.next_from == at("2026-04-06T00:00:00+03:00"));

  // The local day decides, not the UTC one: 22:00 UTC Sunday is already Monday in Moscow.
  CHECK(available(mondays, "2026-03-29T22:00:00Z", moscow));
  CHECK(!available(mondays, "2026-03-29T22:00:00Z", nullptr));
}

TEST_CASE("availability: a window ending at 18:00 excludes 18:00 exactly", "[availability]") {
  auto t = weekly(0x7F, 9 * 60, 18 * 60);
  CHECK(available(t, "2026-03-30T17:59:59Z", nullptr));
  CHECK(!available(t, "2026-03-30T18:00:00Z", nullptr));
  CHECK(available(t, "2026-03-30T09:00:00Z", nullptr));
  CHECK(!available(t, "2026-03-30T08:59:59Z", nullptr));
}

TEST_CASE("availability: several windows in a day leave a lunch break", "[availability]") {
  Timetable t;
  t.windows.push_back(Window{k_mon_fri, 9 * 60, 13 * 60});
  t.windows.push_back(Window{k_mon_fri, 14 * 60, 18 * 60});
  CHECK(available(t, "2026-03-30T12:59:00Z", nullptr));
  auto lunch = check(t, at("2026-03-30T13:30:00Z"), nullptr);
  CHECK(lunch.presence == Presence::off_schedule);
  CHECK(lunch.next_from == at("2026-03-30T14:00:00Z"));
  CHECK(available(t, "2026-03-30T14:00:00Z", nullptr));
}

TEST_CASE("availability: a dated absence is inclusive and reports its reason", "[availability]") {
  auto moscow = zone("Europe/Moscow");
  auto t = office_hours();
  t.absences.push_back(Absence{day("2026-04-06"), day("2026-04-10"), "vacation"});

  auto first = check(t, at("2026-04-06T12:00:00+03:00"), moscow);
  CHECK(first.presence == Presence::absent);
  CHECK(first.reason == "vacation");
  CHECK(first.next_from == at("2026-04-13T09:00:00+03:00")); // the Monday after

  auto last = check(t, at("2026-04-10T17:00:00+03:00"), moscow); // the until day counts
  CHECK(last.presence == Presence::absent);
  CHECK(last.reason == "vacation");
  CHECK(last.next_from == at("2026-04-13T09:00:00+03:00"));

  // Just before and just after, in working hours: available.
  CHECK(available(t, "2026-04-03T17:00:00+03:00", moscow));
  CHECK(available(t, "2026-04-13T09:00:00+03:00", moscow));

  // Off schedule the weekend before: the next start skips the absence.
  auto sunday = check(t, at("2026-04-05T12:00:00+03:00"), moscow);
  CHECK(sunday.presence == Presence::off_schedule);
  CHECK(sunday.reason == "off schedule");
  CHECK(sunday.next_from == at("2026-04-13T09:00:00+03:00"));
}

TEST_CASE("availability: an absence applies on local calendar days", "[availability]") {
  auto moscow = zone("Europe/Moscow");
  Timetable t; // no schedule: only the absence limits
  t.absences.push_back(Absence{day("2026-05-01"), day("2026-05-03"), ""});

  // 2026-04-30T22:00Z is already 1 May, 01:00 in Moscow.
  auto a = check(t, at("2026-04-30T22:00:00Z"), moscow);
  CHECK(a.presence == Presence::absent);
  CHECK(a.reason == "absent"); // no reason given
  CHECK(a.next_from == at("2026-05-04T00:00:00+03:00"));
  CHECK(available(t, "2026-04-30T20:59:59Z", moscow)); // 23:59:59 on 30 April
  CHECK(available(t, "2026-05-03T21:00:00Z", moscow)); // 00:00 on 4 May
}

TEST_CASE("availability: an absence longer than two weeks leaves next_from unknown",
          "[availability]") {
  auto t = office_hours();
  t.absences.push_back(Absence{day("2026-06-01"), day("2026-07-31"), "parental leave"});
  auto a = check(t, at("2026-06-10T12:00:00Z"), nullptr);
  CHECK(a.presence == Presence::absent);
  CHECK(a.reason == "parental leave");
  CHECK(a.next_from == 0);
}

TEST_CASE("availability: Berlin office hours stay local across both DST changes",
          "[availability]") {
  auto berlin = zone("Europe/Berlin");
  auto t = office_hours();

  // Friday 2026-03-27, CET (UTC+1).
  CHECK(!available(t, "2026-03-27T07:30:00Z", berlin)); // 08:30
  CHECK(available(t, "2026-03-27T08:00:00Z", berlin));  // 09:00
  CHECK(available(t, "2026-03-27T16:59:00Z", berlin));  // 17:59
  CHECK(!available(t, "2026-03-27T17:00:00Z", berlin)); // 18:00

  // Monday 2026-03-30, CEST (UTC+2) since 2026-03-29.
  CHECK(available(t, "2026-03-30T08:30:00Z", berlin));  // 10:30
  CHECK(available(t, "2026-03-30T07:30:00Z", berlin));  // 09:30
  CHECK(available(t, "2026-03-30T07:00:00Z", berlin));  // 09:00
  CHECK(!available(t, "2026-03-30T06:30:00Z", berlin)); // 08:30
  CHECK(available(t, "2026-03-30T15:59:00Z", berlin));  // 17:59
  CHECK(!available(t, "2026-03-30T16:00:00Z", berlin)); // 18:00
  CHECK(check(t, at("2026-03-30T06:30:00Z"), berlin).next_from == at("2026-03-30T07:00:00Z"));

  // Friday evening before the spring change → Monday 09:00 CEST.
  CHECK(check(t, at("2026-03-27T17:00:00Z"), berlin).next_from == at("2026-03-30T07:00:00Z"));

  // Friday 2026-10-23, still CEST.
  CHECK(!available(t, "2026-10-23T06:30:00Z", berlin)); // 08:30
  CHECK(available(t, "2026-10-23T07:00:00Z", berlin));  // 09:00
  CHECK(!available(t, "2026-10-23T16:00:00Z", berlin)); // 18:00

  // Monday 2026-10-26, CET again since 2026-10-25.
  CHECK(!available(t, "2026-10-26T07:30:00Z", berlin)); // 08:30
  CHECK(available(t, "2026-10-26T08:00:00Z", berlin));  // 09:00
  CHECK(available(t, "2026-10-26T16:59:00Z", berlin));  // 17:59
  CHECK(!available(t, "2026-10-26T17:00:00Z", berlin)); // 18:00

  // Friday evening before the autumn change → Monday 09:00 CET.
  CHECK(check(t, at("2026-10-23T16:00:00Z"), berlin).next_from == at("2026-10-26T08:00:00Z"));
}

TEST_CASE("availability: a whole-day window on the short DST day in Berlin", "[availability]") {
  auto berlin = zone("Europe/Berlin");
  auto sundays = weekly(1u << 6, 0, 24 * 60);
  // 2026-03-29 has 23 hours: 00:00 CET = 23:00Z the day before, 24:00 CEST = 22:00Z.
  CHECK(!available(sundays, "2026-03-28T22:59:59Z", berlin));
  CHECK(available(sundays, "2026-03-28T23:00:00Z", berlin));
  CHECK(available(sundays, "2026-03-29T21:59:59Z", berlin));
  CHECK(!available(sundays, "2026-03-29T22:00:00Z", berlin));
  CHECK(check(sundays, at("2026-03-28T12:00:00Z"), berlin).next_from == at("2026-03-28T23:00:00Z"));
}

TEST_CASE("availability: timetables from the configuration file", "[availability]") {
  TempConfig file(R"([[schedules]]
group = "sales"
days = "mon-fri"
hours = "09:00-18:00"

[[schedules]]
employee = "E2"
days = "sat-sun"
hours = "10:00-16:00"

[[schedules]]
employee = "E5"
days = "mon"
hours = "00:00-24:00"

[[exceptions]]
group = "sales"
from = "2026-05-01"
until = "2026-05-03"
reason = "holiday"

[[exceptions]]
employee = "E1"
from = "2026-04-06"
until = "2026-04-10"
reason = "vacation"
)");
  sr::config::Config config;
  auto problems = sr::config::check(file.path, config, {"/tmp/state"});
  REQUIRE(problems.empty());
  Timetables timetables(config);
  auto moscow = zone(config.routing.time_zone.c_str());

  SECTION("a member without own schedule gets the group's, and both absences") {
    auto t = timetables.lookup("E1", "sales");
    REQUIRE(t.windows.size() == 1);
    CHECK(t.windows[0].day_mask == k_mon_fri);
    CHECK(t.windows[0].start_minute == 9 * 60);
    CHECK(t.windows[0].end_minute == 18 * 60);
    REQUIRE(t.absences.size() == 2);
    CHECK(available(t, "2026-03-30T12:00:00+03:00", moscow));
    auto vacation = check(t, at("2026-04-07T12:00:00+03:00"), moscow);
    CHECK(vacation.presence == Presence::absent);
    CHECK(vacation.reason == "vacation");
    auto holiday = check(t, at("2026-05-01T12:00:00+03:00"), moscow);
    CHECK(holiday.presence == Presence::absent);
    CHECK(holiday.reason == "holiday");
    CHECK(holiday.next_from == at("2026-05-04T09:00:00+03:00"));
  }

  SECTION("an employee's own schedule replaces the group's") {
    auto t = timetables.lookup("E2", "sales");
    REQUIRE(t.windows.size() == 1);
    CHECK(t.windows[0].day_mask == k_sat_sun);
    CHECK(t.windows[0].start_minute == 10 * 60);
    CHECK(t.windows[0].end_minute == 16 * 60);
    auto monday = check(t, at("2026-03-30T12:00:00+03:00"), moscow);
    CHECK(monday.presence == Presence::off_schedule);
    CHECK(monday.next_from == at("2026-04-04T10:00:00+03:00"));
    CHECK(available(t, "2026-04-04T12:00:00+03:00", moscow));
    // The group's holiday still applies to a member with an own schedule.
    REQUIRE(t.absences.size() == 1);
    auto holiday = check(t, at("2026-05-02T12:00:00+03:00"), moscow);
    CHECK(holiday.presence == Presence::absent);
    CHECK(holiday.reason == "holiday");
    CHECK(holiday.next_from == at("2026-05-09T10:00:00+03:00"));
  }

  SECTION("a whole day written 00:00-24:00") {
    auto t = timetables.lookup("E5", "");
    REQUIRE(t.windows.size() == 1);
    CHECK(t.windows[0].day_mask == k_monday);
    CHECK(t.windows[0].end_minute == 24 * 60);
    CHECK(available(t, "2026-03-30T00:00:00+03:00", moscow));
    CHECK(available(t, "2026-03-30T23:59:00+03:00", moscow));
  }

  SECTION("other groups and employees are not affected") {
    auto outside = timetables.lookup("E3", "support");
    CHECK(outside.windows.empty());
    CHECK(outside.absences.empty());
    CHECK(available(outside, "2026-05-02T03:00:00+03:00", moscow));
    auto nobody = timetables.lookup("E4", "");
    CHECK(nobody.windows.empty());
    CHECK(nobody.absences.empty());
  }
}

TEST_CASE("availability: timetables from Config fields filled directly", "[availability]") {
  sr::config::Config config;
  sr::config::Schedule group;
  group.group = "support";
  group.day_mask = k_mon_fri;
  group.start_minute = 8 * 60;
  group.end_minute = 17 * 60;
  config.schedules.push_back(group);
  sr::config::Exception off;
  off.group = "support";
  off.from = "2026-06-12";
  off.until = "2026-06-12";
  off.reason = "Russia Day";
  config.exceptions.push_back(off);
  Timetables timetables(config);

  auto t = timetables.lookup("E7", "support");
  REQUIRE(t.windows.size() == 1);
  REQUIRE(t.absences.size() == 1);
  CHECK(t.absences[0].from_day == day("2026-06-12"));
  CHECK(t.absences[0].until_day == day("2026-06-12"));
  auto moscow = zone("Europe/Moscow");
  auto a = check(t, at("2026-06-12T10:00:00+03:00"), moscow); // a Friday
  CHECK(a.presence == Presence::absent);
  CHECK(a.reason == "Russia Day");
  CHECK(a.next_from == at("2026-06-15T08:00:00+03:00"));
  CHECK(available(t, "2026-06-11T10:00:00+03:00", moscow));
}
