#include "scoring/score.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

using sr::scoring::contribution;
using sr::scoring::Decay;
using sr::scoring::decay_factor;
using sr::scoring::Event;
using sr::scoring::rank;
using sr::scoring::Ranked;
using sr::scoring::TypeRule;

namespace {

TypeRule rule(Decay decay, std::int64_t validity, double weight = 1.0, std::int64_t half_life = 0) {
  TypeRule r;
  r.weight = weight;
  r.validity = validity;
  r.decay = decay;
  r.half_life = half_life;
  return r;
}

std::vector<std::int64_t> order(const std::vector<Ranked>& ranked) {
  std::vector<std::int64_t> out;
  for (auto& r : ranked)
    out.push_back(r.employee);
  return out;
}

using Ids = std::vector<std::int64_t>;

} // namespace

TEST_CASE("score: step decay counts fully until expiry", "[scoring]") {
  auto step = rule(Decay::step, 100);
  CHECK(decay_factor(step, 0) == 1.0);
  CHECK(decay_factor(step, 1) == 1.0);
  CHECK(decay_factor(step, 50) == 1.0);
  CHECK(decay_factor(step, 99) == 1.0);
  CHECK(decay_factor(step, 100) == 1.0); // age == validity still counts
  CHECK(decay_factor(step, 101) == 0.0);
  CHECK(decay_factor(step, 1'000'000) == 0.0);
}

TEST_CASE("score: linear decay is 1 - age/validity", "[scoring]") {
  auto linear = rule(Decay::linear, 100);
  CHECK(decay_factor(linear, 0) == 1.0);
  CHECK(decay_factor(linear, 25) == Approx(0.75));
  CHECK(decay_factor(linear, 50) == Approx(0.5)); // half the validity
  CHECK(decay_factor(linear, 90) == Approx(0.1));
  CHECK(decay_factor(linear, 100) == 0.0); // at validity: factor 0
  CHECK(decay_factor(linear, 101) == 0.0);

  auto ninety_days = rule(Decay::linear, 90 * 86400);
  CHECK(decay_factor(ninety_days, 45 * 86400) == Approx(0.5));
  CHECK(decay_factor(ninety_days, 30 * 86400) == Approx(2.0 / 3.0));
}

TEST_CASE("score: exponential decay halves every half-life within validity", "[scoring]") {
  auto exponential = rule(Decay::exponential, 1000, 1.0, 100);
  CHECK(decay_factor(exponential, 0) == 1.0);
  CHECK(decay_factor(exponential, 50) == Approx(0.70710678));
  CHECK(decay_factor(exponential, 100) == Approx(0.5));  // one half-life
  CHECK(decay_factor(exponential, 200) == Approx(0.25)); // two
  CHECK(decay_factor(exponential, 300) == Approx(0.125));
  CHECK(decay_factor(exponential, 1000) == Approx(1.0 / 1024)); // still valid
  CHECK(decay_factor(exponential, 1001) == 0.0);                // past validity: nothing
}

TEST_CASE("score: future interactions and invalid rules count nothing", "[scoring]") {
  for (auto d : {Decay::step, Decay::linear, Decay::exponential}) {
    auto r = rule(d, 100, 1.0, 10);
    CHECK(decay_factor(r, -1) == 0.0);
    CHECK(decay_factor(r, -86400) == 0.0);
    CHECK(contribution(r, 1001, 1000) == 0.0);
  }
  CHECK(decay_factor(rule(Decay::step, 0), 0) == 0.0);
  CHECK(decay_factor(rule(Decay::linear, -5), 0) == 0.0);
}

TEST_CASE("score: contribution is weight times decay at now - at", "[scoring]") {
  CHECK(contribution(rule(Decay::linear, 100, 3.0), 975, 1000) == Approx(2.25));
  CHECK(contribution(rule(Decay::step, 100, 5.0), 900, 1000) == Approx(5.0)); // age 100
  CHECK(contribution(rule(Decay::step, 100, 5.0), 899, 1000) == 0.0);         // age 101
  CHECK(contribution(rule(Decay::linear, 100, 5.0), 900, 1000) == 0.0);       // age 100
  CHECK(contribution(rule(Decay::exponential, 1000, 4.0, 100), 800, 1000) == Approx(1.0));
  CHECK(contribution(rule(Decay::linear, 100, 2.0), 1000, 1000) == Approx(2.0)); // age 0
}

TEST_CASE("score: rank sums per employee with hand-computed totals", "[scoring]") {
  // Type 0, a call: weight 1, 100 s, linear. Type 1, an invoice: weight 4, 1000 s, step.
  std::vector<TypeRule> rules = {rule(Decay::linear, 100, 1.0), rule(Decay::step, 1000, 4.0)};
  const std::int64_t now = 10'000;
  std::vector<Event> events = {
      // employee 1: 0.5 + 0 (at validity) + 4 = 4.5; the future call counts nothing
      {1, 0, 9'950},
      {1, 0, 9'900},
      {1, 1, 9'500},
      {1, 0, 10'050},
      // employee 2: 1 + 0.75 + 0 (invoice one second too old) = 1.75
      {2, 0, 10'000},
      {2, 0, 9'975},
      {2, 1, 8'999},
      // employee 3: nothing counts (a call at validity, an unknown type) → left out
      {3, 0, 9'900},
      {3, 7, 9'990},
      {3, -1, 9'990},
      // employee 4: 4 (invoice at age 999) + 0.9 = 4.9
      {4, 1, 9'001},
      {4, 0, 9'990},
  };
  auto ranked = rank(events, rules, now);
  REQUIRE(order(ranked) == Ids{4, 1, 2});

  CHECK(ranked[0].score == Approx(4.9));
  CHECK(ranked[0].interactions == 2);
  CHECK(ranked[0].last_at == 9'990);

  CHECK(ranked[1].score == Approx(4.5));
  CHECK(ranked[1].interactions == 2);
  CHECK(ranked[1].last_at == 9'950); // neither the expired nor the future call

  CHECK(ranked[2].score == Approx(1.75));
  CHECK(ranked[2].interactions == 2);
  CHECK(ranked[2].last_at == 10'000);
}

TEST_CASE("score: rank of no events, or of nothing that counts, is empty", "[scoring]") {
  std::vector<TypeRule> rules = {rule(Decay::linear, 100)};
  CHECK(rank({}, rules, 1000).empty());
  std::vector<Event> old = {{1, 0, 0}, {2, 0, 900}, {3, 0, 2000}};
  CHECK(rank(old, rules, 1000).empty());
  CHECK(rank(old, {}, 1000).empty()); // no rules: every type is unknown
}

TEST_CASE("score: equal scores rank the most recent interaction first", "[scoring]") {
  std::vector<TypeRule> rules = {rule(Decay::step, 1000)};
  std::vector<Event> events = {{1, 0, 9'000}, {2, 0, 9'500}, {3, 0, 9'200}};
  auto ranked = rank(events, rules, 10'000);
  CHECK(order(ranked) == Ids{2, 3, 1});
  for (auto& r : ranked)
    CHECK(r.score == 1.0);
}

TEST_CASE("score: equal score and recency fall back to tie_key, then to the id", "[scoring]") {
  std::vector<TypeRule> rules = {rule(Decay::step, 1000)};
  std::vector<Event> events = {{2, 0, 9'000}, {0, 0, 9'000}, {1, 0, 9'000}, {3, 0, 9'000}};

  // Without keys: by id.
  CHECK(order(rank(events, rules, 10'000)) == Ids{0, 1, 2, 3});

  // Keys indexed by employee id: "c", "a", "b", then id 3 shares "a" with id 1.
  std::vector<std::string> keys = {"c", "a", "b", "a"};
  CHECK(order(rank(events, rules, 10'000, keys)) == Ids{1, 3, 2, 0});

  // Every key equal: by id again.
  std::vector<std::string> same = {"x", "x", "x", "x"};
  CHECK(order(rank(events, rules, 10'000, same)) == Ids{0, 1, 2, 3});
}

TEST_CASE("score: score outranks recency and tie_key", "[scoring]") {
  std::vector<TypeRule> rules = {rule(Decay::step, 1000, 1.0), rule(Decay::step, 1000, 2.0)};
  std::vector<Event> events = {{0, 0, 9'999}, {1, 1, 9'000}};
  std::vector<std::string> keys = {"a", "z"};
  CHECK(order(rank(events, rules, 10'000, keys)) == Ids{1, 0});
}

TEST_CASE("score: rank does not depend on the order of the events", "[scoring]") {
  std::vector<TypeRule> rules = {rule(Decay::linear, 100, 1.0), rule(Decay::step, 1000, 4.0)};
  std::vector<Event> events = {{5, 0, 9'950}, {6, 1, 9'500}, {5, 1, 9'100},
                               {7, 0, 9'999}, {6, 0, 9'990}, {7, 1, 9'200}};
  auto forward = rank(events, rules, 10'000);
  std::vector<Event> reversed(events.rbegin(), events.rend());
  auto backward = rank(reversed, rules, 10'000);
  REQUIRE(order(forward) == order(backward));
  for (std::size_t i = 0; i < forward.size(); ++i) {
    CHECK(forward[i].score == Approx(backward[i].score));
    CHECK(forward[i].last_at == backward[i].last_at);
    CHECK(forward[i].interactions == backward[i].interactions);
  }
}

TEST_CASE("score: scores equal up to rounding still tie on recency", "[scoring]") {
  // 0.1 + 0.2 + 0.3 and 0.6 are the same score; rounding must not decide the order
  // (DESIGN.md: ties break by the most recent interaction, then the id).
  std::vector<TypeRule> rules = {rule(Decay::step, 1000, 0.1), rule(Decay::step, 1000, 0.2),
                                 rule(Decay::step, 1000, 0.3), rule(Decay::step, 1000, 0.6)};
  std::vector<Event> events = {{1, 0, 9'000}, {1, 1, 9'000}, {1, 2, 9'000}, {2, 3, 9'500}};
  auto ranked = rank(events, rules, 10'000);
  REQUIRE(ranked.size() == 2);
  CHECK(ranked[0].score == Approx(ranked[1].score));
  CHECK(order(ranked) == Ids{2, 1}); // employee 2's interaction is the more recent
}
