#pragma once

#include "demo/random.h"

#include <array>
#include <cstdint>
#include <string>

// When demo events happen, and how their times are written.
namespace sr::demo {

constexpr std::int64_t k_day = 86400;
constexpr std::int64_t k_moscow = 3 * 3600; // Moscow has kept UTC+3 all year since October 2014
constexpr int k_history_days = 400;

// A calendar date.
struct Civil {
  std::int64_t year, month, day;
};

// The date of a day number (days since 1970-01-01); Howard Hinnant's algorithm.
Civil civil_from_days(std::int64_t days);

// A local time (seconds since the epoch, shifted to the zone) as "YYYY-MM-DD<sep>HH:MM:SS".
void put_local(std::string& out, std::int64_t local, char sep);

// The 400 days before `end`, weighted like a Russian office: recent days up to three times
// busier than the oldest, Saturdays a little, Sundays and public holidays hardly at all, and
// working hours in Moscow. Sampling inverts integer weights exactly; nothing is after `end`.
class Calendar {
public:
  explicit Calendar(std::int64_t end);

  // The weight of all days, and of days 0 … `day` (day 0 is the oldest).
  std::uint64_t total() const { return m_cumulative.back(); }
  std::uint64_t cumulative(int day) const { return m_cumulative[static_cast<std::size_t>(day)]; }

  // The weight of the hours of `day`; the last day counts only the hours before `end`.
  std::uint64_t day_mass(int day) const {
    return day == k_history_days - 1 ? m_end_mass : m_hour_start[24];
  }

  // A UTC time anywhere in the window.
  std::int64_t sample(Rng& rng) const;

  // The UTC time at `mass` (below day_mass(day)) into the weighted hours of `day`; increasing
  // in `mass`, so sorted masses give sorted times.
  std::int64_t at(int day, std::uint64_t mass) const;

private:
  std::uint64_t mass_before(std::int64_t second_of_day) const;

  std::int64_t m_first_day = 0; // local day number of day 0
  std::uint64_t m_end_mass = 0;
  std::array<std::uint64_t, 25> m_hour_start{};
  std::array<std::uint64_t, k_history_days> m_cumulative{};
};

} // namespace sr::demo
