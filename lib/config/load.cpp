#include "config/schema.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strings.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <unistd.h>

namespace sr::config {

namespace fs = std::filesystem;

Decay DocumentType::decay_kind() const {
  if (decay == "step")
    return Decay::step;
  if (decay == "exponential")
    return Decay::exponential;
  return Decay::linear;
}

fs::path Config::database_path() const {
  return store.database.empty() ? fs::path(store.state_dir) / "smartroute.db"
                                : fs::path(store.database);
}

const std::string& Config::onec_time_zone() const {
  return onec.time_zone.empty() ? routing.time_zone : onec.time_zone;
}

fs::path Config::cache_path() const {
  return store.cache_dir.empty() ? fs::path(store.state_dir) / "cache" : fs::path(store.cache_dir);
}

fs::path Config::call_log_path() const {
  return store.call_log.empty() ? fs::path(store.state_dir) / "calls.db" : fs::path(store.call_log);
}

const DocumentType* Config::document(std::string_view type) const {
  for (auto& d : documents)
    if (d.type == type)
      return &d;
  return nullptr;
}

fs::path locate(const std::string& flag_value) {
  if (!flag_value.empty())
    return flag_value;
  if (const char* env = std::getenv("SMARTROUTE_CONFIG"); env && *env)
    return env;
  for (const char* candidate : {"/etc/smartroute/smartroute.toml", "smartroute.toml"})
    if (fs::exists(candidate))
      return candidate;
  return {};
}

namespace {

// The state directory when none is configured: system-wide for root, per user otherwise.
std::string default_state_dir() {
  if (::geteuid() == 0)
    return "/var/lib/smartroute";
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/smartroute";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.local/state/smartroute";
  return ".smartroute";
}

void load_file(const fs::path& file, Config& c, detail::Context& ctx) {
  toml::table root;
  try {
    root = toml::parse(util::read_file(file), file.string());
  } catch (const toml::parse_error& e) {
    auto& b = e.source().begin;
    ctx.error(Position{int(b.line), int(b.column)}, std::string(e.description()));
    return;
  }
  std::vector<std::string_view> names;
  for (auto& s : detail::sections())
    names.push_back(s.name);
  for (auto& [key, node] : root) {
    auto& all = detail::sections();
    auto it = std::find_if(all.begin(), all.end(), [&](auto& s) { return s.name == key.str(); });
    if (it == all.end()) {
      auto hint = util::did_you_mean(key.str(), names);
      ctx.error(Position{int(key.source().begin.line), int(key.source().begin.column)},
                fmt::format("unknown section '{}'{}", key.str(),
                            hint.empty() ? "" : fmt::format(", did you mean '{}'?", hint)));
      continue;
    }
    it->load(c, node, ctx);
  }
}

} // namespace

std::vector<Diagnostic> check(const fs::path& file, Config& c, const Overrides& overrides) {
  c = Config{};
  c.file = file;
  c.documents = detail::built_in_documents();
  detail::Context ctx;
  ctx.origins = &c.origins;
  if (!file.empty()) {
    if (!fs::exists(file))
      throw Error(fmt::format("{}: no such configuration file", file.string()));
    load_file(file, c, ctx);
  }
  for (auto& s : detail::sections())
    if (s.load_env)
      s.load_env(c, ctx);
  if (!overrides.state_dir.empty()) {
    c.store.state_dir = overrides.state_dir;
    c.origins["store.state_dir"] = Origin::flag;
  }
  if (c.store.state_dir.empty())
    c.store.state_dir = default_state_dir();
  detail::validate(c, ctx);
  std::stable_sort(ctx.diagnostics.begin(), ctx.diagnostics.end(), [](auto& a, auto& b) {
    return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
  });
  return ctx.diagnostics;
}

std::string format_diagnostic(const fs::path& file, const Diagnostic& d) {
  if (d.pos.line == 0)
    return fmt::format("{}: {}", file.empty() ? "configuration" : file.string(), d.message);
  return fmt::format("{}:{}:{}: {}", file.string(), d.pos.line, d.pos.column, d.message);
}

Config load(const fs::path& file, const Overrides& overrides) {
  Config c;
  auto diagnostics = check(file, c, overrides);
  if (!diagnostics.empty()) {
    std::string message = fmt::format("invalid configuration ({} problem{}):", diagnostics.size(),
                                      diagnostics.size() == 1 ? "" : "s");
    for (auto& d : diagnostics)
      message += "\n  " + format_diagnostic(file, d);
    throw Error(message);
  }
  return c;
}

std::string resolve_secret(const SecretRef& ref, std::string_view what) {
  if (!ref.env.empty()) {
    const char* value = std::getenv(ref.env.c_str());
    if (!value || !*value)
      throw Error(fmt::format("{}: environment variable {} is not set", what, ref.env));
    return value;
  }
  if (!ref.file.empty()) {
    auto text = util::read_file(ref.file);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
      text.pop_back();
    if (text.empty())
      throw Error(fmt::format("{}: secret file {} is empty", what, ref.file));
    return text;
  }
  throw Error(fmt::format("{}: no secret configured (set *_env or *_file)", what));
}

std::vector<Setting> settings(const Config& c) {
  std::vector<Setting> out;
  for (auto& s : detail::sections())
    s.show(c, out);
  // The derived paths, so an operator sees where the data really is.
  auto origin =
      c.origins.count("store.state_dir") ? c.origins.at("store.state_dir") : Origin::built_in;
  for (auto& st : out) {
    if (st.key == "store.database" && c.store.database.empty())
      st = {st.key, fmt::format("\"{}\"", c.database_path().string()), origin};
    if (st.key == "store.cache_dir" && c.store.cache_dir.empty())
      st = {st.key, fmt::format("\"{}\"", c.cache_path().string()), origin};
    if (st.key == "store.call_log" && c.store.call_log.empty())
      st = {st.key, fmt::format("\"{}\"", c.call_log_path().string()), origin};
  }
  return out;
}

std::string_view origin_name(Origin origin) {
  switch (origin) {
  case Origin::built_in:
    return "built-in";
  case Origin::file:
    return "file";
  case Origin::env:
    return "env";
  case Origin::flag:
    return "flag";
  }
  return "?";
}

} // namespace sr::config
