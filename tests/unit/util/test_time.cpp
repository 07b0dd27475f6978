#include "util/time.h"

#include <catch2/catch.hpp>

using sr::util::find_zone;
using sr::util::parse_timestamp;

TEST_CASE("time: ISO 8601 with offset, Z and none", "[util][time]") {
  auto moscow = find_zone("Europe/Moscow");
  REQUIRE(moscow);
  CHECK(parse_timestamp("2026-11-20T07:15:00Z", nullptr) == 1795158900);
  CHECK(parse_timestamp("2026-11-20T10:15:00+03:00", nullptr) == 1795158900);
  CHECK(parse_timestamp("2026-11-20T10:15:00+0300", nullptr) == 1795158900);
  CHECK(parse_timestamp("2026-11-20 10:15:00", moscow) == 1795158900);
  CHECK(parse_timestamp("2026-11-20T10:15", moscow) == 1795158900);
  CHECK(parse_timestamp("2026-11-20T10:15:00.250", moscow) == 1795158900);
  CHECK(parse_timestamp("2026-11-20", nullptr) == 1795132800);
}

TEST_CASE("time: naive local times across a DST change resolve in the zone", "[util][time]") {
  auto berlin = find_zone("Europe/Berlin");
  REQUIRE(berlin);
  CHECK(parse_timestamp("2026-03-29T01:30:00", berlin) ==
        parse_timestamp("2026-03-29T00:30:00Z", nullptr));
  // 02:30 does not exist that night; it is read with the offset before the gap (03:30 CEST).
  CHECK(parse_timestamp("2026-03-29T02:30:00", berlin) ==
        parse_timestamp("2026-03-29T01:30:00Z", nullptr));
  // 02:30 happens twice on 2026-10-25; the first (CEST) is taken.
  CHECK(parse_timestamp("2026-10-25T02:30:00", berlin) ==
        parse_timestamp("2026-10-25T00:30:00Z", nullptr));
  CHECK(parse_timestamp("2026-07-01T12:00:00", berlin) ==
        parse_timestamp("2026-07-01T10:00:00Z", nullptr));
  CHECK(parse_timestamp("2026-12-01T12:00:00", berlin) ==
        parse_timestamp("2026-12-01T11:00:00Z", nullptr));
}

TEST_CASE("time: malformed timestamps are rejected", "[util][time]") {
  for (auto bad :
       {"", "yesterday", "2026-13-01", "2026-02-30", "2026-11-20T25:00", "2026-11-20T10:15:00+3",
        "2026-11-20X", "20261120", "2026-11-20T10:15:00 garbage"})
    CHECK_FALSE(parse_timestamp(bad, nullptr).has_value());
}

TEST_CASE("time: durations parse and print", "[util][time]") {
  CHECK(sr::util::parse_duration("90d") == 90 * 86400);
  CHECK(sr::util::parse_duration("12h") == 12 * 3600);
  CHECK(sr::util::parse_duration("30m") == 1800);
  CHECK(sr::util::parse_duration("45s") == 45);
  CHECK(sr::util::parse_duration("2w") == 14 * 86400);
  CHECK(sr::util::parse_duration("600") == 600);
  CHECK_FALSE(sr::util::parse_duration("").has_value());
  CHECK_FALSE(sr::util::parse_duration("5y").has_value());
  CHECK_FALSE(sr::util::parse_duration("-5s").has_value());
  CHECK(sr::util::format_duration(90 * 86400) == "90d");
  CHECK(sr::util::format_duration(14 * 86400) == "2w");
  CHECK(sr::util::format_duration(45) == "45s");
}

TEST_CASE("time: formatting in UTC and in a zone", "[util][time]") {
  CHECK(sr::util::format_utc(1795158900) == "2026-11-20T07:15:00Z");
  CHECK(sr::util::format_local(1795158900, find_zone("Europe/Moscow")) ==
        "2026-11-20T10:15:00+03:00");
}

TEST_CASE("time: range bounds are dates, times or durations ago", "[util][time]") {
  using sr::util::DayEdge;
  using sr::util::parse_range_bound;
  auto moscow = find_zone("Europe/Moscow");
  REQUIRE(moscow);
  const sr::util::UnixTime now = 1795158900; // 2026-11-20T10:15:00+03:00
  auto day = parse_timestamp("2026-11-01T00:00", moscow);
  CHECK(parse_range_bound("2026-11-01", moscow, now, DayEdge::start) == day);
  CHECK(parse_range_bound("2026-11-01", moscow, now, DayEdge::end) == *day + 86400);
  CHECK(parse_range_bound("2026-11-01T09:00", moscow, now, DayEdge::end) == *day + 9 * 3600);
  CHECK(parse_range_bound("2026-11-01T09:00Z", moscow, now, DayEdge::start) == *day + 12 * 3600);
  CHECK(parse_range_bound("7d", moscow, now, DayEdge::start) == now - 7 * 86400);
  CHECK(parse_range_bound("24h", moscow, now, DayEdge::end) == now - 86400);
  CHECK(parse_range_bound("30m", moscow, now, DayEdge::start) == now - 1800);
  CHECK(parse_range_bound("2w", moscow, now, DayEdge::start) == now - 14 * 86400);
  CHECK(parse_range_bound("2026-12-31", moscow, now, DayEdge::end) ==
        parse_timestamp("2027-01-01", moscow));
  for (auto bad : {"", "7", "d", "-7d", "7x", "yesterday", "2026-11-31", "2026-11-01T25:00"})
    CHECK_FALSE(parse_range_bound(bad, moscow, now, DayEdge::start));
}

TEST_CASE("time: a date ending a range covers a day with a DST change whole", "[util][time]") {
  auto berlin = find_zone("Europe/Berlin");
  REQUIRE(berlin);
  // 2026-10-25 has 25 hours in Berlin.
  auto start = sr::util::parse_range_bound("2026-10-25", berlin, 0, sr::util::DayEdge::start);
  auto end = sr::util::parse_range_bound("2026-10-25", berlin, 0, sr::util::DayEdge::end);
  REQUIRE(start);
  REQUIRE(end);
  CHECK(*end - *start == 25 * 3600);
}
