#include "scoring/availability.h"

#include "util/time.h"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>

namespace sr::scoring {

namespace {

constexpr int k_search_days = 14;

std::int64_t day_of(const std::string& iso) {
  auto t = util::parse_timestamp(iso, nullptr);
  return t ? *t / 86400 : 0;
}

bool absent_on(const Timetable& t, std::int64_t day, const Absence** which) {
  for (auto& a : t.absences)
    if (day >= a.from_day && day <= a.until_day) {
      *which = &a;
      return true;
    }
  return false;
}

// Monday = 0 … Sunday = 6.
int weekday_of(std::int64_t day) {
  return int((date::weekday(date::sys_days{date::days{day}}).c_encoding() + 6) % 7);
}

std::int64_t to_utc(std::int64_t day, int minute, const date::time_zone* zone) {
  auto local = date::local_seconds{std::chrono::seconds{day * 86400 + minute * 60}};
  auto offset = zone ? zone->get_info(local).first.offset : std::chrono::seconds{0};
  return local.time_since_epoch().count() - offset.count();
}

} // namespace

Availability check(const Timetable& t, std::int64_t now, const date::time_zone* zone) {
  auto offset = zone ? zone->get_info(date::sys_seconds{std::chrono::seconds{now}}).offset
                     : std::chrono::seconds{0};
  std::int64_t local = now + offset.count();
  std::int64_t today = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  int minute = int((local - today * 86400) / 60);

  const Absence* absence = nullptr;
  bool absent_today = absent_on(t, today, &absence);
  auto in_window = [&](std::int64_t day, int m) {
    if (t.windows.empty())
      return true;
    for (auto& w : t.windows)
      if ((w.day_mask >> weekday_of(day) & 1) && m >= w.start_minute && m < w.end_minute)
        return true;
    return false;
  };
  if (!absent_today && in_window(today, minute))
    return {};

  Availability result;
  result.presence = absent_today ? Presence::absent : Presence::off_schedule;
  result.reason =
      absent_today ? (absence->reason.empty() ? "absent" : absence->reason) : "off schedule";
  // The next moment they work: the first window start (or midnight without a schedule) on a
  // day they are not absent.
  for (std::int64_t day = today; day <= today + k_search_days; ++day) {
    const Absence* ignored = nullptr;
    if (absent_on(t, day, &ignored))
      continue;
    if (t.windows.empty()) {
      result.next_from = to_utc(day, 0, zone);
      return result;
    }
    int best = -1;
    for (auto& w : t.windows) {
      if (!(w.day_mask >> weekday_of(day) & 1))
        continue;
      int start = w.start_minute;
      if (day == today && start <= minute) {
        if (minute < w.end_minute) // absent earlier today, inside this window now: impossible
          start = minute;
        else
          continue;
      }
      if (best < 0 || start < best)
        best = start;
    }
    if (best >= 0) {
      result.next_from = to_utc(day, best, zone);
      return result;
    }
  }
  return result;
}

Timetables::Timetables(const config::Config& config) {
  for (auto& s : config.schedules)
    m_windows.push_back({s.employee, s.group, {s.day_mask, s.start_minute, s.end_minute}});
  for (auto& e : config.exceptions)
    m_absences.push_back({e.employee, e.group, {day_of(e.from), day_of(e.until), e.reason}});
}

Timetable Timetables::lookup(const std::string& employee_key, const std::string& group) const {
  Timetable t;
  for (auto& w : m_windows)
    if (!w.employee.empty() && w.employee == employee_key)
      t.windows.push_back(w.window);
  if (t.windows.empty() && !group.empty())
    for (auto& w : m_windows)
      if (w.employee.empty() && w.group == group)
        t.windows.push_back(w.window);
  for (auto& a : m_absences)
    if ((!a.employee.empty() && a.employee == employee_key) ||
        (a.employee.empty() && !group.empty() && a.group == group))
      t.absences.push_back(a.absence);
  return t;
}

} // namespace sr::scoring
