#include "demo/calendar.h"

#include "demo/output.h"

#include <algorithm>

namespace sr::demo {

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;

// How busy each hour of the day is in Moscow.
constexpr std::array<u64, 24> k_hour_weights = {0,  0, 0,  0,  0,  0,  0, 1, 4, 10, 14, 14,
                                                12, 9, 12, 13, 12, 10, 5, 2, 1, 1,  0,  0};

// How busy a day is: Saturdays a little, Sundays and public holidays hardly at all.
u64 day_factor(i64 day) {
  auto [y, m, d] = civil_from_days(day);
  bool holiday = (m == 1 && d <= 8) || (m == 2 && d == 23) || (m == 3 && d == 8) ||
                 (m == 5 && (d == 1 || d == 9)) || (m == 6 && d == 12) || (m == 11 && d == 4);
  i64 weekday = (day + 4) % 7; // 0 = Sunday
  return holiday || weekday == 0 ? 6 : weekday == 6 ? 12 : 100;
}

} // namespace

Civil civil_from_days(i64 days) {
  i64 z = days + 719468;
  i64 era = (z >= 0 ? z : z - 146096) / 146097;
  i64 doe = z - era * 146097;
  i64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  i64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  i64 mp = (5 * doy + 2) / 153;
  i64 d = doy - (153 * mp + 2) / 5 + 1;
  i64 m = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

void put_local(std::string& out, i64 local, char sep) {
  i64 days = local >= 0 ? local / k_day : (local - k_day + 1) / k_day;
  i64 secs = local - days * k_day;
  auto [y, m, d] = civil_from_days(days);
  put_uint(out, static_cast<u64>(y), 4);
  out += '-';
  put_uint(out, static_cast<u64>(m), 2);
  out += '-';
  put_uint(out, static_cast<u64>(d), 2);
  out += sep;
  put_uint(out, static_cast<u64>(secs / 3600), 2);
  out += ':';
  put_uint(out, static_cast<u64>(secs / 60 % 60), 2);
  out += ':';
  put_uint(out, static_cast<u64>(secs % 60), 2);
}

Calendar::Calendar(i64 end) {
  i64 local = end + k_moscow;
  i64 end_day = local / k_day;
  m_first_day = end_day - (k_history_days - 1);
  u64 acc = 0;
  for (std::size_t h = 0; h < 24; ++h) {
    m_hour_start[h] = acc;
    acc += k_hour_weights[h] * 3600;
  }
  m_hour_start[24] = acc;
  m_end_mass = mass_before(local - end_day * k_day);
  u64 total = 0;
  for (int d = 0; d < k_history_days; ++d) {
    u64 age = static_cast<u64>(k_history_days - 1 - d);
    u64 recency = 1500 - age * 1000 / k_history_days;
    total += recency * day_factor(m_first_day + d) * day_mass(d);
    m_cumulative[static_cast<std::size_t>(d)] = total;
  }
}

i64 Calendar::sample(Rng& rng) const {
  u64 r = rng.below(total());
  auto day = static_cast<int>(std::upper_bound(m_cumulative.begin(), m_cumulative.end(), r) -
                              m_cumulative.begin());
  return at(day, rng.below(day_mass(day)));
}

i64 Calendar::at(int day, u64 mass) const {
  // The last hour starting at or before `mass` has a non-zero weight: a zero-weight hour
  // starts where the next one does.
  auto it = std::upper_bound(m_hour_start.begin(), m_hour_start.end(), mass);
  auto hour = static_cast<std::size_t>(it - m_hour_start.begin()) - 1;
  i64 second = static_cast<i64>((mass - m_hour_start[hour]) / k_hour_weights[hour]);
  return (m_first_day + day) * k_day + static_cast<i64>(hour) * 3600 + second - k_moscow;
}

u64 Calendar::mass_before(i64 second_of_day) const {
  auto h = static_cast<std::size_t>(second_of_day / 3600);
  return m_hour_start[h] + k_hour_weights[h] * static_cast<u64>(second_of_day % 3600);
}

} // namespace sr::demo
