#pragma once

// Who can be offered now: weekly working hours and dated absences in the company's zone.

#include "config/config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace date {
class time_zone;
}

namespace sr::scoring {

// One weekly working window (local time).
struct Window {
  unsigned day_mask = 0x7F; // bit 0 = Monday
  int start_minute = 0;
  int end_minute = 24 * 60;
};

// A dated absence, inclusive, in local calendar days since 1970-01-01.
struct Absence {
  std::int64_t from_day = 0;
  std::int64_t until_day = 0;
  std::string reason;
};

// The working hours and absences that apply to one employee.
struct Timetable {
  std::vector<Window> windows; // empty = no schedule: always working
  std::vector<Absence> absences;
};

enum class Presence { available, off_schedule, absent };

struct Availability {
  Presence presence = Presence::available;
  std::string reason;         // "vacation", "off schedule"…
  std::int64_t next_from = 0; // when they are next available (Unix time), 0 = not within 2 weeks
};

// Whether someone with this timetable can be offered at `now` (Unix time) in `zone`.
Availability check(const Timetable& timetable, std::int64_t now, const date::time_zone* zone);

// Builds timetables from the configuration: an employee's own schedules replace their
// group's; absences of the employee and of the group both apply.
class Timetables {
public:
  explicit Timetables(const config::Config& config);
  Timetable lookup(const std::string& employee_key, const std::string& group) const;

private:
  struct Entry {
    std::string employee, group;
    Window window;
  };
  struct Off {
    std::string employee, group;
    Absence absence;
  };
  std::vector<Entry> m_windows;
  std::vector<Off> m_absences;
};

} // namespace sr::scoring
