#include "ivr/explain.h"

#include "ivr/preview.h"
#include "scoring/score.h"
#include "tts/cache.h"
#include "util/term.h"
#include "util/time.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sr::ivr {

std::vector<const scoring::Employee*> pool_of(const config::Config& config,
                                              const scoring::Directory& dir) {
  std::vector<const scoring::Employee*> out;
  for (auto& key : config.routing.new_client_pool)
    if (auto* e = dir.employee_by_key(key))
      out.push_back(e);
  return out;
}

Explanation explain(scoring::Directory& dir, const config::Config& config,
                    const phone::Normalizer& phones, std::string_view input, std::int64_t at) {
  Explanation x;
  x.input = input;
  x.at = at;
  x.number = phones.normalize(input);
  auto e164 = x.number.kind == phone::Kind::e164 ? x.number.value : std::string();
  x.caller = dir.caller(e164, at, at);
  if (x.caller.client) {
    for (auto& i : dir.interactions(x.caller.client->id)) {
      Contribution c;
      c.interaction = i;
      if (i.rule < 0) {
        c.status = "type not configured";
      } else {
        auto& rule = dir.rules()[std::size_t(i.rule)];
        c.weight = rule.weight;
        c.factor = scoring::decay_factor(rule, at - i.at);
        c.value = c.weight * c.factor;
        c.status = i.at > at ? "future" : c.factor > 0 ? "counts" : "expired";
      }
      x.contributions.push_back(std::move(c));
    }
  }
  auto zone = util::find_zone(config.routing.time_zone);
  scoring::Timetables timetables(config);
  Context ctx{config, timetables, zone, pool_of(config, dir)};
  x.plan = plan(x.caller, at, ctx);
  return x;
}

void check_cache(Explanation& x, const config::Config& config, const nlohmann::json& identity) {
  // Absolute, as serve-agi names the files for STREAM FILE.
  tts::Cache cache(std::filesystem::absolute(config.cache_path()));
  std::error_code ec;
  if (!std::filesystem::is_directory(cache.root(), ec))
    return;
  x.cached.clear();
  x.files.clear();
  for (auto& key : fragment_keys(x.plan, config, identity)) {
    x.cached.push_back(cache.complete(key));
    x.files.push_back(cache.base(key).string());
  }
}

namespace {

nlohmann::json employee_json(const scoring::Employee* e) {
  if (!e)
    return nullptr;
  return {{"id", e->key}, {"name", e->name}, {"extension", e->extension}};
}

std::string_view kind_name(phone::Kind k) {
  return k == phone::Kind::e164 ? "e164" : k == phone::Kind::internal ? "internal" : "invalid";
}

} // namespace

nlohmann::json to_json(const Explanation& x, const config::Config& config) {
  auto zone = util::find_zone(config.routing.time_zone);
  nlohmann::json doc;
  doc["input"] = x.input;
  doc["number"] = {{"kind", kind_name(x.number.kind)},
                   {"value", x.number.value},
                   {"extension", x.number.extension},
                   {"reason", x.number.reason}};
  doc["at"] = util::format_local(x.at, zone);
  doc["clients"] = nlohmann::json::array();
  for (auto& c : x.caller.clients)
    doc["clients"].push_back({{"id", c.key}, {"name", c.name}});
  doc["client"] = x.caller.client ? nlohmann::json{{"id", x.caller.client->key},
                                                   {"name", x.caller.client->name}}
                                  : nlohmann::json(nullptr);
  doc["interactions"] = nlohmann::json::array();
  for (auto& c : x.contributions)
    doc["interactions"].push_back({{"type", c.interaction.type},
                                   {"key", c.interaction.key},
                                   {"at", util::format_local(c.interaction.at, zone)},
                                   {"employee", employee_json(c.interaction.employee)},
                                   {"weight", c.weight},
                                   {"decay", c.factor},
                                   {"contribution", c.value},
                                   {"status", c.status}});
  doc["total"] = x.caller.total;
  doc["ranking"] = nlohmann::json::array();
  for (auto& r : x.caller.ranked)
    doc["ranking"].push_back({{"employee", employee_json(r.employee)},
                              {"score", r.score},
                              {"share", x.caller.total > 0 ? r.score / x.caller.total : 0.0},
                              {"interactions", r.interactions},
                              {"last", util::format_local(r.last_at, zone)}});
  doc["last_call"] = employee_json(x.caller.last_call);
  auto& p = x.plan;
  doc["mode"] = mode_name(p.mode);
  doc["top_share"] = p.top_share;
  doc["dropped"] = nlohmann::json::array();
  for (auto& d : p.dropped)
    doc["dropped"].push_back({{"employee", employee_json(d.employee)},
                              {"score", d.score},
                              {"reason", d.reason},
                              {"until", d.until ? nlohmann::json(util::format_local(d.until, zone))
                                                : nlohmann::json(nullptr)}});
  doc["fragments"] = nlohmann::json::array();
  for (std::size_t i = 0; i < p.fragments.size(); ++i) {
    auto& f = p.fragments[i];
    doc["fragments"].push_back(
        {{"template", f.id},
         {"text", f.text},
         {"employee", f.employee ? nlohmann::json(f.employee->key) : nlohmann::json(nullptr)},
         {"digit", f.digit},
         {"cached",
          i < x.cached.size() ? nlohmann::json(bool(x.cached[i])) : nlohmann::json(nullptr)},
         {"file", i < x.files.size() ? nlohmann::json(x.files[i]) : nlohmann::json(nullptr)}});
  }
  doc["options"] = nlohmann::json::array();
  for (auto& o : p.options)
    doc["options"].push_back({{"digit", o.digit}, {"employee", employee_json(o.employee)}});
  doc["direct"] = employee_json(p.direct);
  doc["default_target"] = p.default_target;
  doc["emergency_target"] = p.emergency_target;
  doc["reasons"] = p.reasons;
  return doc;
}

std::string to_text(const Explanation& x, const config::Config& config, bool colour) {
  auto zone = util::find_zone(config.routing.time_zone);
  auto bold = [&](std::string_view s) { return util::bold(s, colour); };
  auto dim = [&](std::string_view s) { return util::dim(s, colour); };
  auto day = [&](std::int64_t t) { return util::format_local(t, zone).substr(0, 16); };
  std::string out;
  auto line = [&](std::string s) { out += s + "\n"; };

  line(bold(fmt::format("caller {}", x.input)));
  switch (x.number.kind) {
  case phone::Kind::e164:
    line(fmt::format("  number      {}{}", x.number.value,
                     x.number.extension.empty() ? "" : " ext. " + x.number.extension));
    break;
  case phone::Kind::internal:
    line(fmt::format("  number      internal extension {} (never a client)", x.number.value));
    break;
  case phone::Kind::invalid:
    line(fmt::format("  number      not a phone number: {}", x.number.reason));
    break;
  }
  line(fmt::format("  at          {}", util::format_local(x.at, zone)));
  if (x.caller.clients.empty())
    line("  client      none: the number belongs to no client");
  for (auto& c : x.caller.clients)
    line(fmt::format("  client      {} ({}){}", c.name, c.key,
                     x.caller.client && x.caller.client->id == c.id && x.caller.clients.size() > 1
                         ? "  <- planned for"
                         : ""));

  if (!x.contributions.empty()) {
    int counting = 0, other = 0;
    line("");
    line(bold("interactions") + "  (newest first: weight x decay = contribution)");
    for (auto& c : x.contributions) {
      auto who = c.interaction.employee ? c.interaction.employee->name : std::string("?");
      auto text = fmt::format("  {}  {:<9} {:<14} {:<28} {:>5.2f} x {:.3f} = {:>6.3f}",
                              day(c.interaction.at), c.interaction.type,
                              c.interaction.key.substr(0, 14), who, c.weight, c.factor, c.value);
      if (c.status == "counts") {
        ++counting;
        line(text);
      } else if (other++ < 5) {
        line(dim(fmt::format("  {}  {:<9} {:<14} {:<28} {}", day(c.interaction.at),
                             c.interaction.type, c.interaction.key.substr(0, 14), who, c.status)));
      }
    }
    if (other > 5)
      line(dim(fmt::format("  … and {} more that do not count", other - 5)));
    line(fmt::format("  {} count, {} do not", counting, other));
  }

  if (!x.caller.ranked.empty()) {
    line("");
    line(bold("ranking") + fmt::format("  (total {:.3f})", x.caller.total));
    int rank = 1;
    for (auto& r : x.caller.ranked) {
      std::string note;
      for (auto& d : x.plan.dropped)
        if (d.employee == r.employee)
          note = d.until ? fmt::format("  {} until {}", d.reason, day(d.until)) : "  " + d.reason;
      auto text = fmt::format(
          "  {:>2}. {:<32} ext {:<6} {:>8.3f}  {:>5.1f}%  last {}{}", rank++, r.employee->name,
          r.employee->extension.empty() ? "-" : r.employee->extension, r.score,
          x.caller.total > 0 ? 100 * r.score / x.caller.total : 0.0, day(r.last_at), note);
      line(note.empty() ? text : dim(text));
    }
  }

  auto& p = x.plan;
  line("");
  line(bold("decision") + fmt::format("  mode {}", mode_name(p.mode)));
  for (auto& r : p.reasons)
    line("  - " + r);
  line("");
  line(bold("the caller hears") + (x.cached.empty() ? "" : "  (audio cache: ok = cached)"));
  for (std::size_t i = 0; i < p.fragments.size(); ++i) {
    auto mark = i < x.cached.size() ? (x.cached[i] ? "ok " : "MISSING ") : "";
    line(fmt::format("  {}«{}»", mark, p.fragments[i].text));
  }
  if (std::count(x.cached.begin(), x.cached.end(), false) > 0)
    line("  missing fragments drop their option at call time: run 'smartroute warm'");
  line("");
  line(bold("routing"));
  for (auto& o : p.options)
    line(fmt::format("  press {}  ->  {} (ext {})", o.digit, o.employee->name,
                     o.employee->extension));
  if (p.direct)
    line(fmt::format("  direct   ->  {} (ext {})", p.direct->name, p.direct->extension));
  line(fmt::format("  no choice -> default number {}",
                   p.default_target.empty() ? "(not configured!)" : p.default_target));
  line(fmt::format("  failure  ->  emergency number {}",
                   p.emergency_target.empty() ? "(not configured!)" : p.emergency_target));
  return out;
}

} // namespace sr::ivr
