#include "scoring/directory.h"

#include "store/db.h"

#include <algorithm>

namespace sr::scoring {

struct Directory::Statements {
  store::Statement by_phone;
  store::Statement interactions;
  store::Statement ranking;
  store::Statement total;
  store::Statement last_call;
  explicit Statements(store::Database& db)
      // Ordered by p.client (= c.id): the primary key's order, so no sort per call.
      : by_phone(db, "SELECT c.id, c.key, c.name FROM client_phones p JOIN clients c ON "
                     "c.id = p.client WHERE p.phone = ? ORDER BY p.client"),
        interactions(db, "SELECT i.doc_type, i.doc_key, i.at, i.employee FROM interactions i "
                         "WHERE i.client = ? ORDER BY i.at DESC, i.id"),
        ranking(db, "SELECT employee, score, last_at, count FROM responsibility WHERE client = ? "
                    "ORDER BY rank"),
        total(db, "SELECT total FROM client_state WHERE client = ?"),
        last_call(db, "SELECT employee, at FROM interactions INDEXED BY interactions_client "
                      "WHERE client = ?1 AND doc_type = ?2 AND at <= ?3 AND at >= ?4 "
                      "ORDER BY at DESC LIMIT 1") {}
};

TypeRule type_rule(const config::DocumentType& d) {
  TypeRule r;
  r.weight = d.weight;
  r.validity = d.validity.seconds;
  r.half_life = d.half_life.seconds;
  switch (d.decay_kind()) {
  case config::Decay::step:
    r.decay = Decay::step;
    break;
  case config::Decay::linear:
    r.decay = Decay::linear;
    break;
  case config::Decay::exponential:
    r.decay = Decay::exponential;
    break;
  }
  return r;
}

Directory::Directory(store::Database& db, const config::Config& config) : m_db(db) {
  auto st = db.prepare("SELECT id, key, name, extension, active, excluded, spoken_name, grp "
                       "FROM employees ORDER BY id");
  while (st.step()) {
    Employee e;
    e.id = st.column_int(0);
    e.key = st.column_text(1);
    e.name = st.column_text(2);
    e.extension = st.column_text(3);
    e.active = st.column_int(4) != 0;
    e.excluded = st.column_int(5) != 0;
    e.spoken_name = st.column_text(6);
    e.group = st.column_text(7);
    for (auto& o : config.employees) {
      if (o.id != e.key)
        continue;
      e.excluded = e.excluded || o.exclude;
      if (!o.spoken_name.empty())
        e.spoken_name = o.spoken_name;
      if (!o.extension.empty())
        e.extension = o.extension;
    }
    m_employees.push_back(std::move(e));
  }
  for (std::size_t i = 0; i < m_employees.size(); ++i) {
    m_by_id[m_employees[i].id] = i;
    m_by_key[m_employees[i].key] = i;
    auto id = std::size_t(m_employees[i].id);
    if (id >= m_keys_by_id.size())
      m_keys_by_id.resize(id + 1);
    m_keys_by_id[id] = m_employees[i].key;
  }
  for (auto& d : config.documents) {
    m_rules.push_back(type_rule(d));
    m_type_names.push_back(d.type);
  }
  auto types = db.prepare("SELECT id, name FROM doc_types");
  while (types.step()) {
    std::string name(types.column_text(1));
    m_type_name_of_id[types.column_int(0)] = name;
    auto it = std::find(m_type_names.begin(), m_type_names.end(), name);
    if (it != m_type_names.end())
      m_rule_of_type[types.column_int(0)] = int(it - m_type_names.begin());
    if (name == "call" && it != m_type_names.end())
      m_call_type = types.column_int(0);
  }
  m_st = std::make_unique<Statements>(db);
}

Directory::~Directory() = default;

void Directory::fill_spoken_names(const std::function<std::string(const Employee&)>& spoken) {
  for (auto& e : m_employees)
    if (e.spoken_name.empty())
      e.spoken_name = spoken(e);
}

const Employee* Directory::employee(std::int64_t id) const {
  auto it = m_by_id.find(id);
  return it == m_by_id.end() ? nullptr : &m_employees[it->second];
}

const Employee* Directory::employee_by_key(std::string_view key) const {
  auto it = m_by_key.find(std::string(key));
  return it == m_by_key.end() ? nullptr : &m_employees[it->second];
}

int Directory::rule_of(std::int64_t doc_type) const {
  auto it = m_rule_of_type.find(doc_type);
  return it == m_rule_of_type.end() ? -1 : it->second;
}

std::vector<Client> Directory::clients_by_phone(std::string_view e164) {
  std::vector<Client> out;
  auto& st = m_st->by_phone;
  st.reset();
  st.bind(1, e164);
  while (st.step())
    out.push_back(
        {st.column_int(0), std::string(st.column_text(1)), std::string(st.column_text(2))});
  return out;
}

std::vector<Interaction> Directory::interactions(std::int64_t client) {
  std::vector<Interaction> out;
  auto& st = m_st->interactions;
  st.reset();
  st.bind(1, client);
  while (st.step()) {
    Interaction i;
    auto type = st.column_int(0);
    i.type = m_type_name_of_id.count(type) ? m_type_name_of_id[type] : "?";
    i.key = st.column_text(1);
    i.at = st.column_int(2);
    i.employee = employee(st.column_int(3));
    i.rule = rule_of(type);
    out.push_back(std::move(i));
  }
  return out;
}

std::vector<Candidate> Directory::stored_ranking(std::int64_t client, double* total) {
  std::vector<Candidate> out;
  auto& st = m_st->ranking;
  st.reset();
  st.bind(1, client);
  while (st.step())
    if (auto* e = employee(st.column_int(0)))
      out.push_back({e, st.column_double(1), st.column_int(2), int(st.column_int(3))});
  if (!total)
    return out;
  auto& t = m_st->total;
  t.reset();
  t.bind(1, client);
  *total = t.step() ? t.column_double(0) : 0.0;
  return out;
}

std::vector<Candidate> Directory::live_ranking(std::int64_t client, std::int64_t at,
                                               double* total) {
  std::vector<Event> events;
  for (auto& i : interactions(client))
    if (i.rule >= 0 && i.employee)
      events.push_back({i.employee->id, i.rule, i.at});
  std::vector<Candidate> out;
  *total = 0;
  for (auto& r : rank(events, m_rules, at, m_keys_by_id)) {
    *total += r.score;
    out.push_back({employee(r.employee), r.score, r.last_at, r.interactions});
  }
  return out;
}

std::pair<const Employee*, std::int64_t> Directory::last_call(std::int64_t client,
                                                              std::int64_t at) {
  if (!m_call_type)
    return {nullptr, 0};
  auto& st = m_st->last_call;
  st.reset();
  // A call older than its type's validity no longer says who the client talks to.
  auto validity = m_rules[std::size_t(rule_of(*m_call_type))].validity;
  st.bind(1, client).bind(2, *m_call_type).bind(3, at).bind(4, at - validity);
  if (!st.step())
    return {nullptr, 0};
  return {employee(st.column_int(0)), st.column_int(1)};
}

CallerData Directory::caller(std::string_view e164, std::int64_t now,
                             std::optional<std::int64_t> live_at, bool totals) {
  CallerData d;
  d.number = e164;
  if (e164.empty())
    return d;
  d.clients = clients_by_phone(e164);
  // A number shared by several clients is planned for the one with the most history.
  double best = -1;
  bool need_totals = totals || d.clients.size() > 1;
  for (auto& c : d.clients) {
    double total = 0;
    auto ranked = live_at ? live_ranking(c.id, *live_at, &total)
                          : stored_ranking(c.id, need_totals ? &total : nullptr);
    if (total > best) {
      best = total;
      d.client = c;
      d.ranked = std::move(ranked);
      d.total = total;
    }
  }
  if (d.client)
    std::tie(d.last_call, d.last_call_at) = last_call(d.client->id, live_at.value_or(now));
  return d;
}

} // namespace sr::scoring
