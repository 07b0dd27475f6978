#pragma once

// The responsibility score (DESIGN.md, "Domain rules"): pure functions over plain structs.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sr::scoring {

enum class Decay { step, linear, exponential };

// How one document type counts.
struct TypeRule {
  double weight = 1.0;
  std::int64_t validity = 90 * 86400; // seconds
  Decay decay = Decay::linear;
  std::int64_t half_life = 0; // seconds, exponential only
};

// One interaction of a client, reduced to what scoring needs.
struct Event {
  std::int64_t employee = 0; // store id
  int type = 0;              // index into the TypeRule table
  std::int64_t at = 0;       // Unix time
};

// The decay factor of an interaction `age` seconds old: 0 when past validity or in the future.
double decay_factor(const TypeRule& rule, std::int64_t age);

// What one interaction contributes at time `now` (weight × decay).
double contribution(const TypeRule& rule, std::int64_t at, std::int64_t now);

// One employee's standing with one client.
struct Ranked {
  std::int64_t employee = 0;
  double score = 0;
  std::int64_t last_at = 0; // the most recent interaction that counts
  int interactions = 0;     // how many count
};

// Ranks employees by score at `now`; ties by the latest interaction, then by `tie_key`
// (indexed by employee id: the employee's source id, so results do not depend on import
// order). Scores equal to 9 decimal places are ties: 0.1 + 0.2 + 0.3 and 0.6 must not be
// ordered by rounding noise. Employees with no counting interaction are left out.
std::vector<Ranked> rank(std::span<const Event> events, std::span<const TypeRule> rules,
                         std::int64_t now, std::span<const std::string> tie_key = {});

} // namespace sr::scoring
