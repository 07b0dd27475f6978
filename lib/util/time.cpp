#include "util/time.h"

#include <date/date.h>
#include <date/tz.h>

#include <charconv>
#include <chrono>
#include <cstdio>

namespace sr::util {

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size())
    return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

} // namespace

const date::time_zone* find_zone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::optional<UnixTime> parse_timestamp(std::string_view s, const date::time_zone* naive_zone) {
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  std::size_t pos = 10;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    if (!digits(s, pos + 1, 2, h) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, mi))
      return std::nullopt;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, sec))
        return std::nullopt;
      pos += 3;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) { // fractions are dropped
        ++pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9')
          ++pos;
      }
    }
  }
  auto ymd = date::year{y} / mo / d;
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60)
    return std::nullopt;
  auto local = date::local_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} +
               std::chrono::seconds{sec};
  auto since_epoch = [](auto tp) { return UnixTime(tp.time_since_epoch().count()); };
  if (pos == s.size()) {
    if (!naive_zone)
      return since_epoch(date::sys_seconds{local.time_since_epoch()});
    // Around a DST change the offset in force before it applies: an ambiguous time is its
    // earlier instant, a skipped one lands after the gap (02:30 → 03:30), as Python's fold=0.
    auto offset = naive_zone->get_info(local).first.offset;
    return since_epoch(date::sys_seconds{local.time_since_epoch()} - offset);
  }
  if (s[pos] == 'Z' && pos + 1 == s.size())
    return since_epoch(date::sys_seconds{local.time_since_epoch()});
  if (s[pos] != '+' && s[pos] != '-')
    return std::nullopt;
  int oh, om = 0;
  if (!digits(s, pos + 1, 2, oh))
    return std::nullopt;
  std::size_t rest = pos + 3;
  if (rest < s.size() && s[rest] == ':')
    ++rest;
  if (rest < s.size()) {
    if (!digits(s, rest, 2, om) || rest + 2 != s.size())
      return std::nullopt;
  }
  if (oh > 14 || om > 59)
    return std::nullopt;
  int sign = s[pos] == '-' ? -1 : 1;
  auto offset = std::chrono::seconds{sign * (oh * 3600 + om * 60)};
  return since_epoch(date::sys_seconds{local.time_since_epoch()} - offset);
}

std::string format_utc(UnixTime t) {
  return date::format("%FT%TZ", date::sys_seconds{std::chrono::seconds{t}});
}

std::string format_local(UnixTime t, const date::time_zone* zone) {
  if (!zone)
    return format_utc(t);
  auto zoned = date::make_zoned(zone, date::sys_seconds{std::chrono::seconds{t}});
  auto text = date::format("%FT%T%z", zoned);
  text.insert(text.size() - 2, ":");
  return text;
}

std::optional<std::int64_t> parse_duration(std::string_view s) {
  if (s.empty())
    return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || value < 0)
    return std::nullopt;
  std::string_view unit(end, s.data() + s.size() - end);
  static constexpr std::pair<std::string_view, std::int64_t> units[] = {
      {"", 1}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {"w", 7 * 86400}};
  for (auto [name, factor] : units)
    if (unit == name)
      return value * factor;
  return std::nullopt;
}

std::string format_duration(std::int64_t seconds) {
  static constexpr std::pair<const char*, std::int64_t> units[] = {
      {"w", 7 * 86400}, {"d", 86400}, {"h", 3600}, {"m", 60}};
  for (auto [name, factor] : units)
    if (seconds != 0 && seconds % factor == 0)
      return std::to_string(seconds / factor) + name;
  return std::to_string(seconds) + "s";
}

std::optional<UnixTime> parse_range_bound(std::string_view text, const date::time_zone* zone,
                                          UnixTime now, DayEdge edge) {
  // A bare number is refused: "7" could mean seconds, days or a year.
  if (!text.empty() && std::string_view("smhdw").find(text.back()) != std::string_view::npos) {
    if (auto ago = parse_duration(text))
      return now - *ago;
    return std::nullopt;
  }
  auto t = parse_timestamp(text, zone);
  if (!t || text.size() != 10 || edge == DayEdge::start)
    return t;
  // A date alone ending a range: the start of the next day, found in the calendar, not by
  // adding 86400 s, so that a day with a DST change keeps its length.
  int y, mo, d;
  digits(text, 0, 4, y);
  digits(text, 5, 2, mo);
  digits(text, 8, 2, d);
  date::year_month_day next{date::local_days{date::year{y} / mo / d} + date::days{1}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(next.year()), unsigned(next.month()),
                unsigned(next.day()));
  return parse_timestamp(buf, zone);
}

UnixTime now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

} // namespace sr::util
