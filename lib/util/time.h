#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace sr::util {

// Seconds since the Unix epoch, UTC. The store keeps every instant in this form.
using UnixTime = std::int64_t;

// The IANA zone named `name` from the system tz database, or nullptr when unknown.
const date::time_zone* find_zone(std::string_view name);

// Parses ISO 8601 ("2026-11-20T10:15:00+03:00", "...Z", "2026-11-20 10:15:00", "2026-11-20").
// A time without an offset is local time in `naive_zone` (UTC when null).
std::optional<UnixTime> parse_timestamp(std::string_view text, const date::time_zone* naive_zone);

// Formats as "2026-11-20T07:15:00Z".
std::string format_utc(UnixTime t);

// Formats as local time in `zone` with its offset: "2026-11-20T10:15:00+03:00".
std::string format_local(UnixTime t, const date::time_zone* zone);

// Parses a duration: "90d", "12h", "30m", "45s", "2w" or a bare number of seconds.
std::optional<std::int64_t> parse_duration(std::string_view text);

// Formats seconds as the shortest exact duration text ("90d", "36h", "45s").
std::string format_duration(std::int64_t seconds);

// Which instant a date without a time stands for when it bounds a range: the start of that
// day, or its end (the start of the next day), so that "--until 2026-11-30" includes the 30th.
enum class DayEdge { start, end };

// Parses one end of a time range: a date or time as parse_timestamp reads them (naive ones in
// `zone`), or a duration with its unit ("7d", "24h", "30m", "2w") meaning that long before `now`.
std::optional<UnixTime> parse_range_bound(std::string_view text, const date::time_zone* zone,
                                          UnixTime now, DayEdge edge);

// The current time; a function so tests and `--at` can replace the clock.
UnixTime now();

} // namespace sr::util
