#include "ivr/report.h"

#include "util/strings.h"
#include "util/term.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace sr::ivr {

std::int64_t ResultCounts::of(std::string_view result) const {
  auto it = by_result.find(std::string(result));
  return it == by_result.end() ? 0 : it->second;
}

std::optional<std::int64_t> percentile(std::vector<std::int64_t> values, int p) {
  if (values.empty())
    return std::nullopt;
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  auto rank = std::size_t(std::ceil(double(p) / 100 * double(values.size())));
  auto index = rank == 0 ? 0 : rank - 1;
  std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(index), values.end());
  return values[index];
}

void Tally::add(const CallRow& row) {
  auto count = [&](ResultCounts& c) {
    ++c.calls;
    ++c.by_result[row.result];
  };
  count(m_report.all);
  count(m_report.by_mode[row.mode]);
  for (auto key : util::split(row.offered, ','))
    if (!key.empty()) {
      auto& e = m_employees[std::string(key)];
      ++e.offered;
    }
  bool selected = row.result == "selected";
  if (!row.employee.empty() && (selected || row.result == "direct")) {
    auto& e = m_employees[row.employee];
    e.chosen += selected;
    ++e.connected;
  }
  if (row.result == "emergency")
    ++m_reasons[row.reason];
  m_all_ms.push_back(row.duration_ms);
  if (selected)
    m_selected_ms.push_back(row.duration_ms);
}

Report Tally::finish(const std::map<std::string, std::string>& names) const {
  Report r = m_report;
  r.range = m_range;
  for (auto& [key, figures] : m_employees) {
    auto& e = r.employees.emplace_back(figures);
    e.key = key;
    if (auto it = names.find(key); it != names.end())
      e.name = it->second;
  }
  std::sort(r.employees.begin(), r.employees.end(), [](auto& a, auto& b) {
    return std::tie(b.connected, b.chosen, b.offered, a.key) <
           std::tie(a.connected, a.chosen, a.offered, b.key);
  });
  r.emergencies.assign(m_reasons.begin(), m_reasons.end());
  std::stable_sort(r.emergencies.begin(), r.emergencies.end(),
                   [](auto& a, auto& b) { return a.second > b.second; });
  auto times = [](const std::vector<std::int64_t>& ms) {
    return SessionTimes{std::int64_t(ms.size()), percentile(ms, 50), percentile(ms, 90)};
  };
  r.session_all = times(m_all_ms);
  r.session_selected = times(m_selected_ms);
  return r;
}

Report build_report(store::Database& calls, store::Database* directory, Range range) {
  // Employees by store id (serve-agi records the id) and their names by key.
  std::unordered_map<std::int64_t, std::string> keys;
  std::map<std::string, std::string> names;
  if (directory) {
    auto st = directory->prepare("SELECT id, key, name FROM employees");
    while (st.step()) {
      keys.emplace(st.column_int(0), std::string(st.column_text(1)));
      names.emplace(std::string(st.column_text(1)), std::string(st.column_text(2)));
    }
  }
  Tally tally(range);
  auto st =
      calls.prepare("SELECT started_at, mode, offered, result, typeof(employee), employee, reason, "
                    "duration_ms FROM call_log WHERE started_at >= ? AND started_at < ?");
  st.bind(1, range.since).bind(2, range.until);
  CallRow row;
  while (st.step()) {
    row.started_at = st.column_int(0);
    row.mode = st.column_text(1);
    row.offered = st.column_text(2);
    row.result = st.column_text(3);
    auto type = st.column_text(4);
    if (type == "integer") {
      auto it = keys.find(st.column_int(5));
      row.employee = it != keys.end() ? it->second : fmt::format("#{}", st.column_int(5));
    } else {
      row.employee = st.column_text(5); // a key, or "" for NULL
    }
    row.reason = st.column_text(6);
    row.duration_ms = st.column_int(7);
    tally.add(row);
  }
  return tally.finish(names);
}

namespace {

double share(std::int64_t part, std::int64_t whole) {
  return whole > 0 ? double(part) / double(whole) : 0.0;
}

// The modes in their documented order, then any other recorded ("none": failed before
// planning).
std::vector<std::string> mode_order(const Report& r) {
  std::vector<std::string> out(std::begin(k_modes), std::end(k_modes));
  for (auto& [mode, counts] : r.by_mode)
    if (std::find(out.begin(), out.end(), mode) == out.end())
      out.push_back(mode);
  return out;
}

std::vector<std::string> result_order(const Report& r) {
  std::vector<std::string> out(std::begin(k_results), std::end(k_results));
  for (auto& [result, n] : r.all.by_result)
    if (std::find(out.begin(), out.end(), result) == out.end())
      out.push_back(result);
  return out;
}

nlohmann::json optional_json(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

} // namespace

nlohmann::json to_json(const Report& r, const date::time_zone* zone) {
  nlohmann::json doc;
  doc["since"] = util::format_local(r.range.since, zone);
  doc["until"] = util::format_local(r.range.until, zone);
  doc["calls"] = r.all.calls;
  doc["results"] = nlohmann::json::object();
  for (auto& result : result_order(r))
    doc["results"][result] = {{"calls", r.all.of(result)},
                              {"share", share(r.all.of(result), r.all.calls)}};
  doc["modes"] = nlohmann::json::object();
  for (auto& mode : mode_order(r)) {
    auto it = r.by_mode.find(mode);
    auto counts = it == r.by_mode.end() ? ResultCounts{} : it->second;
    auto& m = doc["modes"][mode];
    m["calls"] = counts.calls;
    m["share"] = share(counts.calls, r.all.calls);
    m["results"] = nlohmann::json::object();
    for (auto& result : result_order(r))
      m["results"][result] = counts.of(result);
  }
  doc["employees"] = nlohmann::json::array();
  for (auto& e : r.employees)
    doc["employees"].push_back(
        {{"id", e.key},
         {"name", e.name.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.name)},
         {"offered", e.offered},
         {"chosen", e.chosen},
         {"connected", e.connected}});
  doc["emergencies"] = nlohmann::json::array();
  for (auto& [reason, n] : r.emergencies)
    doc["emergencies"].push_back({{"reason", reason}, {"calls", n}});
  auto times = [](const SessionTimes& t) {
    return nlohmann::json{
        {"calls", t.calls}, {"p50", optional_json(t.p50_ms)}, {"p90", optional_json(t.p90_ms)}};
  };
  doc["session_ms"] = {{"all", times(r.session_all)}, {"selected", times(r.session_selected)}};
  return doc;
}

namespace {

// "2026-11-20 10:15 +03:00"
std::string minute(util::UnixTime t, const date::time_zone* zone) {
  auto s = util::format_local(t, zone); // 2026-11-20T10:15:00+03:00 or …Z
  return s.substr(0, 10) + " " + s.substr(11, 5) + " " + (s.ends_with("Z") ? "UTC" : s.substr(19));
}

std::string percent(std::int64_t part, std::int64_t whole) {
  return fmt::format("{:.1f}%", 100 * share(part, whole));
}

std::string seconds(const std::optional<std::int64_t>& ms) {
  return ms ? fmt::format("{:.1f} s", double(*ms) / 1000) : "-";
}

} // namespace

std::string to_text(const Report& r, const date::time_zone* zone, bool colour) {
  using util::Table;
  auto range =
      fmt::format("from {} to {}", minute(r.range.since, zone), minute(r.range.until, zone));
  if (r.all.calls == 0)
    return fmt::format("no calls {} in the call log\n", range);
  std::string out =
      util::bold(fmt::format("{} calls", r.all.calls), colour) + "  " + range + "\n\n";

  Table results({{"result"}, {"calls", Table::Align::right}, {"share", Table::Align::right}});
  for (auto& result : result_order(r))
    results.add({result, std::to_string(r.all.of(result)), percent(r.all.of(result), r.all.calls)},
                r.all.of(result) == 0);
  out += results.render(colour) + "\n";

  std::vector<Table::Column> columns{{"mode"}, {"calls", Table::Align::right}};
  for (auto& result : result_order(r))
    columns.push_back({result, Table::Align::right});
  Table modes(columns);
  for (auto& mode : mode_order(r)) {
    auto it = r.by_mode.find(mode);
    auto counts = it == r.by_mode.end() ? ResultCounts{} : it->second;
    std::vector<std::string> cells{mode, std::to_string(counts.calls)};
    for (auto& result : result_order(r))
      cells.push_back(std::to_string(counts.of(result)));
    modes.add(cells, counts.calls == 0);
  }
  out += modes.render(colour);
  if (r.by_mode.count("none"))
    out += "  none: the call failed before its menu was planned\n";
  out += "\n";

  if (!r.employees.empty()) {
    Table employees({{"employee"},
                     {"name"},
                     {"offered", Table::Align::right},
                     {"chosen", Table::Align::right},
                     {"connected", Table::Align::right}});
    for (auto& e : r.employees)
      employees.add({e.key, e.name.empty() ? "?" : e.name, std::to_string(e.offered),
                     std::to_string(e.chosen), std::to_string(e.connected)},
                    e.connected == 0);
    out += employees.render(colour);
    out += "  offered: menus that offered them; chosen: callers who pressed their digit;\n"
           "  connected: chosen plus connected directly\n\n";
  }

  Table times({{"session time"},
               {"calls", Table::Align::right},
               {"p50", Table::Align::right},
               {"p90", Table::Align::right}});
  times.add({"all calls", std::to_string(r.session_all.calls), seconds(r.session_all.p50_ms),
             seconds(r.session_all.p90_ms)});
  times.add({"selected", std::to_string(r.session_selected.calls),
             seconds(r.session_selected.p50_ms), seconds(r.session_selected.p90_ms)},
            r.session_selected.calls == 0);
  out += times.render(colour);
  out += "  from serve-agi accepting the call to handing it back: for selected calls, the\n"
         "  time to the choice plus a few commands\n";

  if (!r.emergencies.empty()) {
    out += "\n";
    Table reasons({{"emergency reason"}, {"calls", Table::Align::right}});
    for (auto& [reason, n] : r.emergencies)
      reasons.add({reason.empty() ? "(none recorded)" : reason, std::to_string(n)});
    out += reasons.render(colour);
  }
  return out;
}

namespace {

// A CSV field, quoted only when it has to be (RFC 4180).
std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos)
    return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"')
      out += '"';
    out += c;
  }
  return out + "\"";
}

} // namespace

std::string to_csv(const Report& r, const date::time_zone* zone) {
  std::string out = "since,until,employee,name,offered,chosen,connected\n";
  auto since = util::format_local(r.range.since, zone);
  auto until = util::format_local(r.range.until, zone);
  for (auto& e : r.employees)
    out += fmt::format("{},{},{},{},{},{},{}\n", since, until, csv_field(e.key), csv_field(e.name),
                       e.offered, e.chosen, e.connected);
  return out;
}

} // namespace sr::ivr
