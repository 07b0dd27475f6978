#include "scoring/run.h"

#include "scoring/directory.h"
#include "scoring/score.h"
#include "store/store.h"
#include "util/time.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>

namespace sr::scoring {

namespace {

// Scores clients one at a time and writes their rankings.
class Scorer {
public:
  Scorer(store::Database& db, Directory& dir, std::int64_t at, ScoreReport& report)
      : m_db(db), m_dir(dir), m_at(at), m_report(report),
        m_insert_rank(db, "INSERT INTO responsibility(client, rank, employee, score, last_at, "
                          "count) VALUES(?, ?, ?, ?, ?, ?)"),
        m_insert_state(db, "INSERT OR REPLACE INTO client_state(client, total, top_employee, "
                           "last_call_employee, last_call_at, scored_at) VALUES(?, ?, ?, ?, ?, ?)"),
        m_client_of(db, "SELECT key, name FROM clients WHERE id = ?") {
    auto st = db.prepare("SELECT client, top_employee FROM client_state");
    while (st.step())
      m_previous[st.column_int(0)] = st.column_is_null(1) ? 0 : st.column_int(1);
    if (auto call = dir.call_type())
      m_call_rule = dir.rule_of(*call);
  }

  // Adds one interaction of the current client.
  void add(std::int64_t employee, std::int64_t doc_type, std::int64_t at) {
    ++m_report.interactions_read;
    int rule = m_dir.rule_of(doc_type);
    if (rule < 0 || at > m_at || m_at - at > m_dir.rules()[std::size_t(rule)].validity)
      return;
    ++m_report.interactions_counted;
    m_events.push_back({employee, rule, at});
    if (rule == m_call_rule && at >= m_last_call_at) {
      m_last_call_at = at;
      m_last_call = employee;
    }
  }

  // Ranks the current client's interactions and stores the result.
  void finish(std::int64_t client) {
    ++m_report.clients_scored;
    auto ranked = rank(m_events, m_dir.rules(), m_at, m_dir.keys_by_id());
    double total = 0;
    const Employee* top = nullptr;
    for (std::size_t i = 0; i < ranked.size(); ++i) {
      total += ranked[i].score;
      auto* e = m_dir.employee(ranked[i].employee);
      if (!top && e && ineligibility(*e).empty())
        top = e;
      if (i < std::size_t(k_ranks_kept)) {
        m_insert_rank.reset();
        m_insert_rank.bind(1, client).bind(2, std::int64_t(i + 1)).bind(3, ranked[i].employee);
        m_insert_rank.bind(4, ranked[i].score).bind(5, ranked[i].last_at);
        m_insert_rank.bind(6, std::int64_t(ranked[i].interactions)).step();
      }
    }
    m_insert_state.reset();
    m_insert_state.bind(1, client).bind(2, total);
    top ? m_insert_state.bind(3, top->id) : m_insert_state.bind_null(3);
    if (m_last_call) {
      m_insert_state.bind(4, m_last_call).bind(5, m_last_call_at);
    } else {
      m_insert_state.bind_null(4).bind_null(5);
    }
    m_insert_state.bind(6, m_at).step();
    if (top)
      ++m_report.clients_with_responsible;
    note_change(client, top, ranked);
    m_events.clear();
    m_last_call = 0;
    m_last_call_at = 0;
  }

private:
  void note_change(std::int64_t client, const Employee* top, const std::vector<Ranked>& ranked) {
    auto it = m_previous.find(client);
    if (it == m_previous.end()) {
      ++m_report.newly_scored;
      return;
    }
    auto* before = it->second ? m_dir.employee(it->second) : nullptr;
    if (before == top)
      return;
    ++m_report.changed;
    if (m_report.changes.size() >= k_changes_listed)
      return;
    Change c;
    m_client_of.reset();
    m_client_of.bind(1, client);
    if (m_client_of.step()) {
      c.client_key = m_client_of.column_text(0);
      c.client_name = m_client_of.column_text(1);
    }
    if (before)
      c.from = EmployeeRef{before->key, before->name};
    if (top)
      c.to = EmployeeRef{top->key, top->name};
    if (!before)
      c.reason = "new history";
    else if (auto why = ineligibility(*before); !why.empty())
      c.reason = why;
    else if (std::none_of(ranked.begin(), ranked.end(),
                          [&](auto& r) { return r.employee == before->id; }))
      c.reason = "history expired";
    else
      c.reason = "overtaken";
    m_report.changes.push_back(std::move(c));
  }

  store::Database& m_db;
  Directory& m_dir;
  std::int64_t m_at;
  ScoreReport& m_report;
  store::Statement m_insert_rank;
  store::Statement m_insert_state;
  store::Statement m_client_of;
  std::unordered_map<std::int64_t, std::int64_t> m_previous; // client -> top before
  std::vector<std::string> m_keys;                           // employee id -> key, for ties
  std::vector<Event> m_events;
  int m_call_rule = -2;
  std::int64_t m_last_call = 0;
  std::int64_t m_last_call_at = 0;
};

// Decides whether this run must rescore every client, and says why.
bool needs_full(store::Database& db, const ScoreOptions& o, std::int64_t at, std::string& why) {
  if (o.full == Full::yes)
    return why = "--full", true;
  if (store::get_meta(db, "score_full_needed"))
    return why = "a bulk import or a configuration change asked for it", true;
  auto last = store::get_meta(db, "last_full_score");
  auto last_at = last ? util::parse_timestamp(*last, nullptr) : std::nullopt;
  if (!last_at)
    return why = "first run", true;
  if (at - *last_at >= k_full_every)
    return why =
               "the last full run is a day or more older than this one, and scores decay with time",
           true;
  if (at < *last_at)
    return why = "scoring at an earlier time than the last full run", true;
  why = "only clients whose interactions changed, or whose top employee can no longer be "
        "offered";
  return false;
}

// A fingerprint of what the scores depend on in the configuration; a change forces a full run.
std::string rules_fingerprint(const config::Config& c) {
  std::string out;
  for (auto& d : c.documents)
    out += fmt::format("{}:{}:{}:{}:{};", d.type, d.weight, d.validity.seconds, d.decay,
                       d.half_life.seconds);
  for (auto& e : c.employees)
    out += fmt::format("{}:{};", e.id, e.exclude);
  return out;
}

} // namespace

ScoreReport run_score(store::Database& db, const config::Config& config, const ScoreOptions& o) {
  auto started = std::chrono::steady_clock::now();
  ScoreReport report;
  report.at = o.at.value_or(util::now());
  store::Transaction tx(db);
  auto fingerprint = rules_fingerprint(config);
  if (store::get_meta(db, "score_rules") != fingerprint)
    store::set_meta(db, "score_full_needed", "1");
  report.full = needs_full(db, o, report.at, report.why);
  Directory dir(db, config);
  Scorer scorer(db, dir, report.at, report);

  if (report.full) {
    db.exec("DELETE FROM responsibility");
    auto st = db.prepare("SELECT client, employee, doc_type, at FROM interactions INDEXED BY "
                         "interactions_client ORDER BY client");
    std::int64_t current = -1;
    while (st.step()) {
      auto client = st.column_int(0);
      if (client != current && current >= 0)
        scorer.finish(current);
      current = client;
      scorer.add(st.column_int(1), st.column_int(2), st.column_int(3));
    }
    if (current >= 0)
      scorer.finish(current);
    // Clients whose every interaction is gone keep no stale ranking.
    db.exec("DELETE FROM client_state WHERE client NOT IN (SELECT client FROM responsibility) "
            "AND scored_at <> " +
            std::to_string(report.at));
    db.exec("DELETE FROM score_dirty");
    store::set_meta(db, "last_full_score", util::format_utc(report.at));
  } else {
    // Clients whose top employee was dismissed or excluded since must move to the next one:
    // one pass over client_state against a temporary table of those employees.
    db.exec("CREATE TEMP TABLE IF NOT EXISTS ineligible (id INTEGER PRIMARY KEY); "
            "DELETE FROM ineligible");
    auto add = db.prepare("INSERT INTO ineligible(id) VALUES(?)");
    for (auto& e : dir.employees())
      if (!ineligibility(e).empty()) {
        add.reset();
        add.bind(1, e.id).step();
      }
    db.exec("INSERT OR IGNORE INTO score_dirty(client) SELECT client FROM client_state WHERE "
            "top_employee IN (SELECT id FROM ineligible)");
    // A client deleted since (sync removes clients deleted in 1C) left its mark through the
    // delete trigger of its interactions; its ranking went with it (ON DELETE CASCADE).
    auto dirty = db.prepare("SELECT client FROM score_dirty WHERE client IN (SELECT id FROM "
                            "clients) ORDER BY client");
    auto clear = db.prepare("DELETE FROM responsibility WHERE client = ?");
    auto read = db.prepare("SELECT employee, doc_type, at FROM interactions INDEXED BY "
                           "interactions_client WHERE client = ?");
    std::vector<std::int64_t> clients;
    while (dirty.step())
      clients.push_back(dirty.column_int(0));
    for (auto client : clients) {
      clear.reset();
      clear.bind(1, client).step();
      read.reset();
      read.bind(1, client);
      while (read.step())
        scorer.add(read.column_int(0), read.column_int(1), read.column_int(2));
      scorer.finish(client);
    }
    db.exec("DELETE FROM score_dirty");
  }
  db.exec("DELETE FROM meta WHERE key = 'score_full_needed'");
  store::set_meta(db, "score_rules", fingerprint);
  store::set_meta(db, "last_score", util::format_utc(report.at));
  auto top = db.prepare("SELECT e.key, e.name, count(*) AS n FROM client_state s JOIN employees "
                        "e ON e.id = s.top_employee GROUP BY s.top_employee ORDER BY n DESC, "
                        "e.key LIMIT 20");
  while (top.step())
    report.top_employees.push_back(
        {EmployeeRef{std::string(top.column_text(0)), std::string(top.column_text(1))},
         top.column_int(2)});
  tx.commit();
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

} // namespace sr::scoring
