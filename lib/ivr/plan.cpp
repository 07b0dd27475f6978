#include "ivr/plan.h"

#include "ivr/declension.h"
#include "util/time.h"

#include <fmt/format.h>

#include <algorithm>

namespace sr::ivr {

std::string_view mode_name(Mode m) {
  switch (m) {
  case Mode::menu:
    return "menu";
  case Mode::direct:
    return "direct";
  case Mode::new_client:
    return "new-client";
  case Mode::fallback:
    return "fallback";
  }
  return "?";
}

std::string spoken_name(const scoring::Employee& e, const config::TemplatesSection& t) {
  if (!e.spoken_name.empty())
    return e.spoken_name;
  if (t.language == "ru")
    return spoken_instrumental(e.name);
  return e.name;
}

namespace {

// Russian says «со» instead of «с» before с/з/ш/ж/щ + consonant and before «Льв»/«мн»:
// «со Станиславом», «со Львом», but «с Сергеем».
bool needs_so(std::string_view name) {
  static constexpr std::string_view sibilants[] = {"С", "З", "Ш", "Ж", "Щ",
                                                   "с", "з", "ш", "ж", "щ"};
  static constexpr std::string_view vowels = "АЕЁИОУЫЭЮЯаеёиоуыэюяЬЪьъ";
  for (auto prefix : {"Льв", "льв", "Мн", "мн", "Вс", "вс"})
    if (name.starts_with(prefix))
      return true;
  for (auto s : sibilants) {
    if (!name.starts_with(s) || name.size() < s.size() + 2)
      continue;
    auto next = name.substr(s.size(), 2); // the next Cyrillic letter, two bytes in UTF-8
    return vowels.find(next) == std::string_view::npos;
  }
  return false;
}

} // namespace

std::string render(std::string_view text, std::string_view name, int digit) {
  std::string out;
  out.reserve(text.size() + name.size());
  for (std::size_t i = 0; i < text.size();) {
    auto brace = text.find('{', i); // the text up to the next placeholder as it is
    out.append(text.substr(i, brace == std::string_view::npos ? text.size() - i : brace - i));
    if (brace == std::string_view::npos)
      break;
    i = brace;
    if (text.substr(i).starts_with("{name}")) {
      bool preposition = out.ends_with(" с ") || out == "с " || out.ends_with(" С ") || out == "С ";
      if (preposition && needs_so(name))
        out.insert(out.size() - 1, "о");
      out += name;
      i += 6;
    } else if (text.substr(i).starts_with("{digit}")) {
      out += std::to_string(digit);
      i += 7;
    } else {
      out += text[i++];
    }
  }
  return out;
}

Fragment fragment(std::string_view id, const config::TemplatesSection& t,
                  const scoring::Employee* employee, int digit) {
  const std::string* text = id == "greeting"       ? &t.greeting
                            : id == "greeting_new" ? &t.greeting_new
                            : id == "menu_start"   ? &t.menu_start
                            : id == "last_spoke"   ? &t.last_spoke
                            : id == "press"        ? &t.press
                            : id == "menu_end"     ? &t.menu_end
                            : id == "connecting"   ? &t.connecting
                            : id == "invalid"      ? &t.invalid
                            : id == "repeat"       ? &t.repeat
                                                   : &t.transfer;
  auto name = employee ? spoken_name(*employee, t) : std::string();
  return Fragment{std::string(id), render(*text, name, digit), employee, digit};
}

namespace {

// Adds a fragment unless its template is empty (e.g. no menu_start).
void say(Plan& p, const config::TemplatesSection& t, std::string_view id,
         const scoring::Employee* e = nullptr, int digit = 0) {
  auto f = fragment(id, t, e, digit);
  if (!f.text.empty())
    p.fragments.push_back(std::move(f));
}

std::string who(const scoring::Employee& e) {
  return fmt::format("{} ({})", e.name, e.key);
}

// Keeps the employees that can be offered now; records why the others cannot.
std::vector<scoring::Candidate> offerable(const std::vector<scoring::Candidate>& ranked,
                                          std::int64_t now, const Context& ctx, Plan& p,
                                          double* eligible_total) {
  std::vector<scoring::Candidate> out;
  *eligible_total = 0;
  for (auto& c : ranked) {
    if (auto why = scoring::ineligibility(*c.employee); !why.empty()) {
      p.dropped.push_back({c.employee, c.score, why, 0});
      continue;
    }
    *eligible_total += c.score;
    auto a =
        scoring::check(ctx.timetables.lookup(c.employee->key, c.employee->group), now, ctx.zone);
    if (a.presence != scoring::Presence::available) {
      p.dropped.push_back({c.employee, c.score, a.reason, a.next_from});
      continue;
    }
    out.push_back(c);
  }
  return out;
}

void offer(Plan& p, const std::vector<const scoring::Employee*>& chosen,
           const config::TemplatesSection& t) {
  say(p, t, "menu_start");
  int digit = 1;
  for (auto* e : chosen) {
    p.options.push_back({digit, e});
    say(p, t, "press", e, digit);
    ++digit;
  }
  say(p, t, "menu_end");
}

void plan_new_client(Plan& p, std::int64_t now, const Context& ctx) {
  auto& t = ctx.config.templates;
  p.mode = Mode::new_client;
  say(p, t, "greeting_new");
  std::vector<scoring::Candidate> pool;
  for (auto* e : ctx.pool)
    pool.push_back({e, 0, 0, 0});
  double ignored = 0;
  auto available = offerable(pool, now, ctx, p, &ignored);
  if (available.empty()) {
    if (ctx.reasons)
      p.reasons.push_back(ctx.pool.empty() ? "no new-client pool configured: the default number"
                                           : "nobody of the new-client pool is available: the "
                                             "default number");
    say(p, t, "transfer");
    return;
  }
  std::vector<const scoring::Employee*> chosen;
  for (auto& c : available)
    if (chosen.size() < std::size_t(ctx.config.routing.menu_size))
      chosen.push_back(c.employee);
  if (ctx.reasons)
    p.reasons.push_back(fmt::format("offering {} of the new-client pool", chosen.size()));
  offer(p, chosen, t);
}

} // namespace

Plan plan(const scoring::CallerData& caller, std::int64_t now, const Context& ctx) {
  auto& cfg = ctx.config;
  auto& t = cfg.templates;
  Plan p;
  p.default_target = cfg.routing.default_number;
  p.emergency_target = cfg.routing.emergency_number;
  if (!caller.client) {
    if (ctx.reasons)
      p.reasons.push_back(caller.number.empty() ? "no caller number"
                                                : "the number belongs to no client");
    plan_new_client(p, now, ctx);
    return p;
  }
  if (ctx.reasons && caller.clients.size() > 1)
    p.reasons.push_back(fmt::format("the number belongs to {} clients; planning for {} ({}), "
                                    "who has the highest total score",
                                    caller.clients.size(), caller.client->name,
                                    caller.client->key));
  double eligible_total = 0;
  auto available = offerable(caller.ranked, now, ctx, p, &eligible_total);
  if (eligible_total <= 0) {
    if (ctx.reasons)
      p.reasons.push_back(caller.ranked.empty() ? "the client has no interaction that still counts"
                                                : "nobody the client dealt with can be offered");
    plan_new_client(p, now, ctx);
    return p;
  }
  if (available.empty()) {
    p.mode = Mode::fallback;
    if (ctx.reasons)
      p.reasons.push_back("none of the client's employees is available now: the default number");
    say(p, t, "greeting");
    say(p, t, "transfer");
    return p;
  }
  auto& top = available.front();
  p.top_share = top.score / eligible_total;
  if (cfg.routing.direct && p.top_share >= cfg.routing.dominance) {
    p.mode = Mode::direct;
    p.direct = top.employee;
    if (ctx.reasons)
      p.reasons.push_back(fmt::format("{} holds {:.0f}% of the score (dominance {:.0f}%): "
                                      "connecting directly",
                                      who(*top.employee), p.top_share * 100,
                                      cfg.routing.dominance * 100));
    say(p, t, "greeting");
    say(p, t, "connecting", top.employee);
    return p;
  }
  p.mode = Mode::menu;
  std::vector<const scoring::Employee*> chosen;
  const scoring::Employee* last = nullptr;
  // The employee of the last call comes first, so «в прошлый раз…» is followed by digit 1.
  if (caller.last_call && std::any_of(available.begin(), available.end(),
                                      [&](auto& c) { return c.employee == caller.last_call; })) {
    last = caller.last_call;
    chosen.push_back(last);
    if (ctx.reasons)
      p.reasons.push_back(
          fmt::format("the last call ({}) was with {}: offered first",
                      util::format_local(caller.last_call_at, ctx.zone).substr(0, 16), who(*last)));
  } else if (caller.last_call) {
    if (ctx.reasons)
      p.reasons.push_back(fmt::format("the last call was with {}, who cannot be offered now",
                                      who(*caller.last_call)));
  }
  for (auto& c : available)
    if (chosen.size() < std::size_t(cfg.routing.menu_size) && c.employee != last)
      chosen.push_back(c.employee);
  if (ctx.reasons)
    p.reasons.push_back(fmt::format("menu of {} (top share {:.0f}% < dominance {:.0f}%{})",
                                    chosen.size(), p.top_share * 100, cfg.routing.dominance * 100,
                                    cfg.routing.direct ? "" : ", direct mode off"));
  say(p, t, "greeting");
  if (last)
    say(p, t, "last_spoke", last);
  offer(p, chosen, t);
  return p;
}

} // namespace sr::ivr
