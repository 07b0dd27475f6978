#pragma once

// `smartroute score`: computes and stores each client's ranked employees.

#include "config/config.h"
#include "store/db.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sr::scoring {

// Whether to recompute every client or only those whose interactions changed.
enum class Full { when_needed, yes };

struct ScoreOptions {
  std::optional<std::int64_t> at; // score as of this time (Unix); default now
  Full full = Full::when_needed;
};

struct EmployeeRef {
  std::string key;
  std::string name;
};

// A client whose top responsible employee is not the same as after the last run.
struct Change {
  std::string client_key;
  std::string client_name;
  std::optional<EmployeeRef> from;
  std::optional<EmployeeRef> to;
  std::string reason; // "dismissed", "excluded", "no extension", "overtaken", "history expired"
};

struct ScoreReport {
  bool full = false;
  std::string why; // why this run was full or incremental
  std::int64_t at = 0;
  std::int64_t clients_scored = 0;           // clients whose ranking was recomputed
  std::int64_t clients_with_responsible = 0; // of those, with an eligible top employee
  std::int64_t newly_scored = 0;             // had no ranking before
  std::int64_t interactions_read = 0;
  std::int64_t interactions_counted = 0; // within validity of a configured type
  std::int64_t changed = 0;              // top employee changed since the last run
  std::vector<Change> changes;           // the first k_changes_listed of them
  std::vector<std::pair<EmployeeRef, std::int64_t>> top_employees; // by clients they lead
  double seconds = 0;
};

inline constexpr std::size_t k_changes_listed = 1000;
// How many employees are kept per client: more than any menu offers, so that dismissals
// and absences still leave candidates.
inline constexpr int k_ranks_kept = 16;
// An incremental run older than this since the last full one becomes full: scores decay.
inline constexpr std::int64_t k_full_every = 86400;

ScoreReport run_score(store::Database& db, const config::Config& config,
                      const ScoreOptions& options);

} // namespace sr::scoring
