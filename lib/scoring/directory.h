#pragma once

// Reads what scoring and planning need from the store: employees (with the configuration's
// overrides), clients by phone, interactions, stored rankings.

#include "config/config.h"
#include "scoring/model.h"
#include "scoring/score.h"
#include "store/db.h"

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sr::scoring {

// One interaction with its document details, for `explain`.
struct Interaction {
  std::string type; // document type name
  std::string key;  // document key
  std::int64_t at = 0;
  const Employee* employee = nullptr;
  int rule = -1; // index into rules(), -1 when the type is not configured
};

class Directory {
public:
  // Loads every employee into memory; statements are prepared once and reused.
  Directory(store::Database& db, const config::Config& config);
  ~Directory();

  const Employee* employee(std::int64_t id) const;
  const Employee* employee_by_key(std::string_view key) const;
  const std::vector<Employee>& employees() const { return m_employees; }
  // Sets every empty spoken_name to `spoken(employee)`: serve-agi declines each name once
  // instead of on every call (the text is the same: an empty spoken_name means "declined").
  void fill_spoken_names(const std::function<std::string(const Employee&)>& spoken);
  // Employee source keys indexed by store id, for deterministic ties.
  const std::vector<std::string>& keys_by_id() const { return m_keys_by_id; }

  // The scoring rules in the order of [[documents]]; rule_of maps a store doc_type id.
  const std::vector<TypeRule>& rules() const { return m_rules; }
  int rule_of(std::int64_t doc_type) const;
  // The store id of the "call" document type, if configured and present.
  std::optional<std::int64_t> call_type() const { return m_call_type; }

  std::vector<Client> clients_by_phone(std::string_view e164);
  std::vector<Interaction> interactions(std::int64_t client);
  // The ranking as the last `score` stored it; empty when never scored. `total` may be null.
  std::vector<Candidate> stored_ranking(std::int64_t client, double* total);
  // The ranking computed now from the interactions themselves.
  std::vector<Candidate> live_ranking(std::int64_t client, std::int64_t at, double* total);
  // The employee of the most recent call up to `at` (Unix time), if any.
  std::pair<const Employee*, std::int64_t> last_call(std::int64_t client, std::int64_t at);

  // Everything about a caller: clients, the chosen client (highest total), its ranking
  // (stored, or live when `live_at` is set) and last call. Without `totals`, a number of one
  // client leaves CallerData::total at 0 (planning does not use it; explain does).
  CallerData caller(std::string_view e164, std::int64_t now, std::optional<std::int64_t> live_at,
                    bool totals = true);

private:
  struct Statements;
  store::Database& m_db;
  std::vector<Employee> m_employees;
  std::vector<std::string> m_keys_by_id;
  std::unordered_map<std::int64_t, std::size_t> m_by_id;
  std::unordered_map<std::string, std::size_t> m_by_key;
  std::vector<TypeRule> m_rules;
  std::vector<std::string> m_type_names; // by rule index
  std::unordered_map<std::int64_t, int> m_rule_of_type;
  std::unordered_map<std::int64_t, std::string> m_type_name_of_id;
  std::optional<std::int64_t> m_call_type;
  std::unique_ptr<Statements> m_st;
};

// The scoring rule of a configured document type.
TypeRule type_rule(const config::DocumentType& d);

} // namespace sr::scoring
