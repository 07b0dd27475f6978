#include "scoring/score.h"

#include <algorithm>
#include <cmath>

namespace sr::scoring {

double decay_factor(const TypeRule& rule, std::int64_t age) {
  if (age < 0 || age > rule.validity || rule.validity <= 0)
    return 0.0;
  switch (rule.decay) {
  case Decay::step:
    return 1.0;
  case Decay::linear:
    return 1.0 - double(age) / double(rule.validity);
  case Decay::exponential:
    return rule.half_life > 0 ? std::exp2(-double(age) / double(rule.half_life)) : 1.0;
  }
  return 0.0;
}

double contribution(const TypeRule& rule, std::int64_t at, std::int64_t now) {
  return rule.weight * decay_factor(rule, now - at);
}

std::vector<Ranked> rank(std::span<const Event> events, std::span<const TypeRule> rules,
                         std::int64_t now, std::span<const std::string> tie_key) {
  std::vector<Ranked> out;
  for (auto& e : events) {
    if (e.type < 0 || std::size_t(e.type) >= rules.size())
      continue;
    double c = contribution(rules[std::size_t(e.type)], e.at, now);
    if (c <= 0.0)
      continue;
    // Clients have few employees: a linear search beats a map here.
    auto it =
        std::find_if(out.begin(), out.end(), [&](auto& r) { return r.employee == e.employee; });
    if (it == out.end()) {
      out.push_back({e.employee, 0.0, e.at, 0});
      it = out.end() - 1;
    }
    it->score += c;
    it->last_at = std::max(it->last_at, e.at);
    ++it->interactions;
  }
  auto quantum = [](double score) { return std::llround(score * 1e9); };
  auto key = [&](std::int64_t employee) -> std::string_view {
    return std::size_t(employee) < tie_key.size() ? std::string_view(tie_key[std::size_t(employee)])
                                                  : std::string_view();
  };
  std::sort(out.begin(), out.end(), [&](const Ranked& a, const Ranked& b) {
    if (quantum(a.score) != quantum(b.score))
      return a.score > b.score;
    if (a.last_at != b.last_at)
      return a.last_at > b.last_at;
    if (key(a.employee) != key(b.employee))
      return key(a.employee) < key(b.employee);
    return a.employee < b.employee;
  });
  return out;
}

} // namespace sr::scoring
