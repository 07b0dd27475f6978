#pragma once

// `smartroute report`: what callers did with their menus, from the call log that serve-agi
// writes (table call_log).

#include "store/db.h"
#include "util/time.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sr::ivr {

// The results and modes serve-agi records, in the order reports list them.
inline constexpr std::string_view k_results[] = {"selected", "direct", "default", "emergency",
                                                 "hangup"};
inline constexpr std::string_view k_modes[] = {"menu", "direct", "new-client", "fallback"};

// One row of call_log as the report needs it.
struct CallRow {
  std::int64_t started_at = 0;
  std::string mode;     // menu | direct | new-client | fallback | none (failed before planning)
  std::string offered;  // employee keys in digit order, comma-separated
  std::string result;   // one of k_results
  std::string employee; // key of the employee selected or connected directly; "" for none
  std::string reason;
  std::int64_t duration_ms = 0;
};

// The half-open range [since, until) of call start times, in Unix seconds.
struct Range {
  util::UnixTime since = 0;
  util::UnixTime until = 0;
};

// Per employee: how many menus offered them, how often callers chose them, and how many calls
// went to them (chosen plus connected directly).
struct EmployeeFigures {
  std::string key;
  std::string name; // "" when the employee is not in the store
  std::int64_t offered = 0;
  std::int64_t chosen = 0;
  std::int64_t connected = 0;
};

// Counts of calls per result.
struct ResultCounts {
  std::int64_t calls = 0;
  std::map<std::string, std::int64_t> by_result;
  std::int64_t of(std::string_view result) const;
};

// Percentiles of the AGI session length: from serve-agi accepting the connection to handing
// the call back to the dialplan (it includes reading the header and playing the menu).
struct SessionTimes {
  std::int64_t calls = 0;
  std::optional<std::int64_t> p50_ms, p90_ms;
};

struct Report {
  Range range;
  ResultCounts all;
  std::map<std::string, ResultCounts> by_mode;
  std::vector<EmployeeFigures> employees;                        // most calls connected first
  std::vector<std::pair<std::string, std::int64_t>> emergencies; // reason, calls; most first
  SessionTimes session_all, session_selected;
};

// Aggregates call rows into a report; rows may come in any order and are not kept.
class Tally {
public:
  explicit Tally(Range range) : m_range(range) {}
  void add(const CallRow& row);
  // `names` maps employee keys to names; keys not in it keep an empty name.
  Report finish(const std::map<std::string, std::string>& names) const;

private:
  Range m_range;
  Report m_report;
  std::map<std::string, EmployeeFigures> m_employees;
  std::map<std::string, std::int64_t> m_reasons;
  std::vector<std::int64_t> m_all_ms, m_selected_ms;
};

// The nearest-rank percentile `p` (0..100) of `values`, or nothing when it is empty.
std::optional<std::int64_t> percentile(std::vector<std::int64_t> values, int p);

// Reads the calls of `range` from the call_log table of `calls` (the store, or a separate
// call-log file with the same table). Employees are named, and the store ids that serve-agi
// records turned into keys, from the employees table of `directory` (the store; may be null or
// `calls` itself); an id it does not know is shown as "#<id>".
Report build_report(store::Database& calls, store::Database* directory, Range range);

nlohmann::json to_json(const Report& r, const date::time_zone* zone);

// A terminal report with aligned columns; `colour` adds ANSI emphasis.
std::string to_text(const Report& r, const date::time_zone* zone, bool colour);

// The per-employee table as CSV with a header line: since, until, employee, name, offered,
// chosen, connected.
std::string to_csv(const Report& r, const date::time_zone* zone);

} // namespace sr::ivr
