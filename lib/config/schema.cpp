#include "config/schema.h"

#include "util/strings.h"
#include "util/time.h"

#include <fmt/format.h>

#include <charconv>
#include <optional>

namespace sr::config::detail {

namespace {

// A typed check on one value: returns "" when fine, else what is wrong.
template <class M> using Check = std::function<std::string(const M&)>;

template <class M> struct Traits;

template <> struct Traits<std::string> {
  static constexpr std::string_view name = "a string";
  static std::optional<std::string> from_toml(const toml::node& n) {
    if (auto v = n.value<std::string>(); v && n.is_string())
      return *v;
    if (auto d = n.as_date()) // a TOML date literal is accepted where a date string is
      return fmt::format("{:04}-{:02}-{:02}", d->get().year, d->get().month, d->get().day);
    return std::nullopt;
  }
  static std::optional<std::string> from_text(std::string_view s) { return std::string(s); }
  static std::string show(const std::string& v) { return fmt::format("\"{}\"", v); }
};

template <> struct Traits<std::int64_t> {
  static constexpr std::string_view name = "an integer";
  static std::optional<std::int64_t> from_toml(const toml::node& n) {
    if (n.is_integer())
      return n.as_integer()->get();
    return std::nullopt;
  }
  static std::optional<std::int64_t> from_text(std::string_view s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size())
      return std::nullopt;
    return v;
  }
  static std::string show(std::int64_t v) { return std::to_string(v); }
};

template <> struct Traits<double> {
  static constexpr std::string_view name = "a number";
  static std::optional<double> from_toml(const toml::node& n) {
    if (n.is_floating_point())
      return n.as_floating_point()->get();
    if (n.is_integer())
      return double(n.as_integer()->get());
    return std::nullopt;
  }
  static std::optional<double> from_text(std::string_view s) {
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size())
      return std::nullopt;
    return v;
  }
  static std::string show(double v) { return fmt::format("{}", v); }
};

template <> struct Traits<bool> {
  static constexpr std::string_view name = "true or false";
  static std::optional<bool> from_toml(const toml::node& n) {
    if (n.is_boolean())
      return n.as_boolean()->get();
    return std::nullopt;
  }
  static std::optional<bool> from_text(std::string_view s) {
    bool ok = false;
    bool v = util::parse_bool(s, ok);
    return ok ? std::optional<bool>(v) : std::nullopt;
  }
  static std::string show(bool v) { return v ? "true" : "false"; }
};

template <> struct Traits<Duration> {
  static constexpr std::string_view name = "a duration (\"90d\", \"12h\", \"30m\", \"45s\")";
  static std::optional<Duration> from_toml(const toml::node& n) {
    if (n.is_integer() && n.as_integer()->get() >= 0)
      return Duration{n.as_integer()->get()};
    if (n.is_string())
      return from_text(n.as_string()->get());
    return std::nullopt;
  }
  static std::optional<Duration> from_text(std::string_view s) {
    if (auto v = util::parse_duration(s))
      return Duration{*v};
    return std::nullopt;
  }
  static std::string show(Duration v) {
    return fmt::format("\"{}\"", util::format_duration(v.seconds));
  }
};

template <> struct Traits<std::vector<std::string>> {
  static constexpr std::string_view name = "an array of strings";
  static std::optional<std::vector<std::string>> from_toml(const toml::node& n) {
    auto* array = n.as_array();
    if (!array)
      return std::nullopt;
    std::vector<std::string> out;
    for (auto& item : *array) {
      if (!item.is_string())
        return std::nullopt;
      out.push_back(item.as_string()->get());
    }
    return out;
  }
  static std::optional<std::vector<std::string>> from_text(std::string_view s) {
    std::vector<std::string> out;
    for (auto part : util::split(s, ','))
      if (auto t = util::trim(part); !t.empty())
        out.emplace_back(t);
    return out;
  }
  static std::string show(const std::vector<std::string>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
      out += fmt::format("{}\"{}\"", i ? ", " : "", v[i]);
    return out + "]";
  }
};

// One key of a section whose struct is S.
template <class S> struct Field {
  std::string_view name;
  bool required = false;
  std::function<std::string(S&, const toml::node&)> from_toml; // "" or the problem
  std::function<std::string(S&, std::string_view)> from_text;
  std::function<std::string(const S&)> show;
};

template <class S, class M>
Field<S> field(std::string_view name, std::function<M&(S&)> access, Check<M> check = {},
               bool required = false) {
  Field<S> f;
  f.name = name;
  f.required = required;
  auto assign = [access, check](S& s, std::optional<M> v) -> std::string {
    if (!v)
      return fmt::format("expected {}", Traits<M>::name);
    if (check)
      if (auto problem = check(*v); !problem.empty())
        return problem;
    access(s) = std::move(*v);
    return {};
  };
  f.from_toml = [assign](S& s, const toml::node& n) { return assign(s, Traits<M>::from_toml(n)); };
  f.from_text = [assign](S& s, std::string_view t) { return assign(s, Traits<M>::from_text(t)); };
  f.show = [access](const S& s) { return Traits<M>::show(access(const_cast<S&>(s))); };
  return f;
}

template <class S, class M>
Field<S> field(std::string_view name, M S::*member, Check<M> check = {}, bool required = false) {
  return field<S, M>(name, std::function<M&(S&)>([member](S& s) -> M& { return s.*member; }), check,
                     required);
}

template <class S> std::vector<std::string_view> names(const std::vector<Field<S>>& fields) {
  std::vector<std::string_view> out;
  for (auto& f : fields)
    out.push_back(f.name);
  return out;
}

std::string secret_hint(std::string_view section, std::string_view key) {
  return fmt::format("'{}.{}' would put a secret in the file: set '{}_env' (the name of an "
                     "environment variable) or '{}_file' (a file holding it) instead",
                     section, key, key, key);
}

bool looks_like_secret(std::string_view key) {
  return key == "password" || key == "api_key" || key == "secret" || key == "token";
}

template <class S>
void load_table(S& target, const toml::table& table, const std::vector<Field<S>>& fields,
                std::string_view prefix, std::string_view section, Context& ctx) {
  auto keys = names(fields);
  for (auto& [key, node] : table) {
    std::string_view k = key.str();
    auto it = std::find_if(fields.begin(), fields.end(), [&](auto& f) { return f.name == k; });
    if (it == fields.end()) {
      auto where = Position{int(key.source().begin.line), int(key.source().begin.column)};
      if (looks_like_secret(k)) {
        ctx.error(where, secret_hint(section, k));
        continue;
      }
      auto hint = util::did_you_mean(k, keys);
      ctx.error(where, fmt::format("unknown key '{}.{}'{}", prefix, k,
                                   hint.empty() ? "" : fmt::format(", did you mean '{}'?", hint)));
      continue;
    }
    if (auto problem = it->from_toml(target, node); !problem.empty()) {
      ctx.error(node, fmt::format("{}.{}: {}", prefix, k, problem));
      continue;
    }
    (*ctx.origins)[fmt::format("{}.{}", prefix, k)] = Origin::file;
  }
  for (auto& f : fields)
    if (f.required && !table.contains(f.name))
      ctx.error(position_of(table), fmt::format("{}: missing required key '{}'", prefix, f.name));
}

std::string env_name(std::string_view section, std::string_view key) {
  std::string out = "SMARTROUTE_";
  for (char c : fmt::format("{}_{}", section, key))
    out.push_back(c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c);
  return out;
}

template <class S>
SectionOps scalar_section(std::string_view name, S Config::*member, std::vector<Field<S>> fields) {
  SectionOps ops;
  ops.name = name;
  ops.keys = names(fields);
  ops.load = [=](Config& c, const toml::node& node, Context& ctx) {
    auto* table = node.as_table();
    if (!table) {
      ctx.error(node, fmt::format("'{}' must be a table: [{}]", name, name));
      return;
    }
    load_table(c.*member, *table, fields, name, name, ctx);
  };
  ops.load_env = [=](Config& c, Context& ctx) {
    for (auto& f : fields) {
      auto var = env_name(name, f.name);
      const char* value = std::getenv(var.c_str());
      if (!value)
        continue;
      if (auto problem = f.from_text(c.*member, value); !problem.empty()) {
        ctx.error(Position{}, fmt::format("environment {}: {}", var, problem));
        continue;
      }
      (*ctx.origins)[fmt::format("{}.{}", name, f.name)] = Origin::env;
    }
  };
  ops.show = [=](const Config& c, std::vector<Setting>& out) {
    for (auto& f : fields) {
      auto key = fmt::format("{}.{}", name, f.name);
      auto origin = c.origins.count(key) ? c.origins.at(key) : Origin::built_in;
      out.push_back({key, f.show(c.*member), origin});
    }
  };
  return ops;
}

template <class S>
SectionOps array_section(std::string_view name, std::vector<S> Config::*member,
                         std::vector<Field<S>> fields) {
  SectionOps ops;
  ops.name = name;
  ops.array = true;
  ops.keys = names(fields);
  ops.load = [=](Config& c, const toml::node& node, Context& ctx) {
    auto* array = node.as_array();
    if (!array || !array->is_array_of_tables()) {
      ctx.error(node, fmt::format("'{}' must be an array of tables: [[{}]]", name, name));
      return;
    }
    auto& items = c.*member;
    items.clear();
    for (std::size_t i = 0; i < array->size(); ++i) {
      S item{};
      item.pos = position_of(*array->get(i));
      load_table(item, *array->get(i)->as_table(), fields, fmt::format("{}[{}]", name, i), name,
                 ctx);
      items.push_back(std::move(item));
    }
    (*ctx.origins)[std::string(name)] = Origin::file;
  };
  ops.show = [=](const Config& c, std::vector<Setting>& out) {
    auto origin = c.origins.count(std::string(name)) ? Origin::file : Origin::built_in;
    auto& items = c.*member;
    for (std::size_t i = 0; i < items.size(); ++i)
      for (auto& f : fields)
        out.push_back({fmt::format("{}[{}].{}", name, i, f.name), f.show(items[i]), origin});
  };
  return ops;
}

template <class M> Check<M> in_range(M lo, M hi) {
  return [=](const M& v) {
    return v < lo || v > hi ? fmt::format("must be between {} and {}", lo, hi) : std::string();
  };
}

Check<std::string> one_of(std::vector<std::string_view> choices) {
  return [=](const std::string& v) {
    for (auto c : choices)
      if (v == c)
        return std::string();
    std::string list;
    for (auto c : choices)
      list += fmt::format("{}{}", list.empty() ? "" : ", ", c);
    auto hint = util::did_you_mean(v, choices);
    return fmt::format("'{}' is not one of {}{}", v, list,
                       hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint));
  };
}

Check<std::string> url_check() {
  return [](const std::string& v) {
    return v.empty() || v.starts_with("http://") || v.starts_with("https://")
               ? std::string()
               : std::string("must start with http:// or https://");
  };
}

Check<Duration> positive_duration() {
  return [](const Duration& d) { return d.seconds > 0 ? std::string() : "must be positive"; };
}

Check<std::string> zone_check(bool empty_ok) {
  return [empty_ok](const std::string& v) {
    if ((empty_ok && v.empty()) || util::find_zone(v))
      return std::string();
    return fmt::format("unknown time zone '{}' (an IANA name such as \"Europe/Moscow\")", v);
  };
}

Check<std::string> non_empty() {
  return [](const std::string& v) { return v.empty() ? "must not be empty" : std::string(); };
}

// An OData entity set name: "Catalog_X", "Document_X"...; "" = not synced.
Check<std::string> entity_check() {
  return [](const std::string& v) {
    static constexpr std::string_view prefixes[] = {"Catalog_",
                                                    "Document_",
                                                    "DocumentJournal_",
                                                    "InformationRegister_",
                                                    "ExchangePlan_",
                                                    "BusinessProcess_",
                                                    "Task_",
                                                    "ChartOfCharacteristicTypes_"};
    if (v.empty())
      return std::string();
    for (auto p : prefixes)
      if (v.starts_with(p) && v.size() > p.size())
        return std::string();
    return fmt::format("'{}' is not an OData entity set name such as \"Catalog_Контрагенты\" "
                       "or \"Document_ЗаказКлиента\"",
                       v);
  };
}

template <class S> std::function<std::string&(S&)> secret_env(SecretRef S::*m) {
  return [m](S& s) -> std::string& { return (s.*m).env; };
}
template <class S> std::function<std::string&(S&)> secret_file(SecretRef S::*m) {
  return [m](S& s) -> std::string& { return (s.*m).file; };
}

std::vector<SectionOps> make_sections() {
  std::vector<SectionOps> all;
  all.push_back(scalar_section<StoreSection>(
      "store", &Config::store,
      {field("state_dir", &StoreSection::state_dir), field("database", &StoreSection::database),
       field("cache_dir", &StoreSection::cache_dir), field("call_log", &StoreSection::call_log)}));
  all.push_back(scalar_section<PhoneSection>(
      "phone", &Config::phone,
      {field("default_country", &PhoneSection::default_country,
             Check<std::string>([](const std::string& v) {
               bool ok = v.size() == 2 && std::isupper((unsigned char)v[0]) &&
                         std::isupper((unsigned char)v[1]);
               return ok ? std::string() : "must be a two-letter ISO 3166 code such as \"RU\"";
             })),
       field("internal_max_digits", &PhoneSection::internal_max_digits,
             in_range<std::int64_t>(2, 8))}));
  all.push_back(scalar_section<RoutingSection>(
      "routing", &Config::routing,
      {field("time_zone", &RoutingSection::time_zone, zone_check(false)),
       field("menu_size", &RoutingSection::menu_size, in_range<std::int64_t>(1, 9)),
       field("dominance", &RoutingSection::dominance, in_range(0.5, 1.0)),
       field("direct", &RoutingSection::direct),
       field("default_number", &RoutingSection::default_number),
       field("emergency_number", &RoutingSection::emergency_number),
       field("digit_timeout", &RoutingSection::digit_timeout,
             Check<Duration>([](const Duration& d) {
               return d.seconds >= 1 && d.seconds <= 60 ? std::string()
                                                        : "must be between 1s and 60s";
             })),
       field("repeats", &RoutingSection::repeats, in_range<std::int64_t>(1, 5)),
       field("max_invalid", &RoutingSection::max_invalid, in_range<std::int64_t>(1, 10)),
       field("new_client_pool", &RoutingSection::new_client_pool)}));
  all.push_back(array_section<DocumentType>(
      "documents", &Config::documents,
      {field("type", &DocumentType::type, {}, true), field("title", &DocumentType::title),
       field("weight", &DocumentType::weight, Check<double>([](const double& w) {
               return w > 0 && w <= 1e6 ? std::string() : "must be positive";
             })),
       field("validity", &DocumentType::validity, positive_duration()),
       field("decay", &DocumentType::decay, one_of({"step", "linear", "exponential"})),
       field("half_life", &DocumentType::half_life, positive_duration()),
       field("entity", &DocumentType::entity, entity_check()),
       field("date", &DocumentType::date, non_empty()), field("client", &DocumentType::client),
       field("client_types", &DocumentType::client_types),
       field("client_phone", &DocumentType::client_phone), field("user", &DocumentType::user),
       field("filter", &DocumentType::filter)}));
  all.push_back(array_section<EmployeeOverride>(
      "employees", &Config::employees,
      {field("id", &EmployeeOverride::id, {}, true), field("exclude", &EmployeeOverride::exclude),
       field("spoken_name", &EmployeeOverride::spoken_name),
       field("extension", &EmployeeOverride::extension)}));
  all.push_back(array_section<Schedule>(
      "schedules", &Config::schedules,
      {field("employee", &Schedule::employee), field("group", &Schedule::group),
       field("days", &Schedule::days), field("hours", &Schedule::hours)}));
  all.push_back(array_section<Exception>(
      "exceptions", &Config::exceptions,
      {field("employee", &Exception::employee), field("group", &Exception::group),
       field("from", &Exception::from, {}, true), field("until", &Exception::until, {}, true),
       field("reason", &Exception::reason)}));
  all.push_back(scalar_section<TemplatesSection>(
      "templates", &Config::templates,
      {field("language", &TemplatesSection::language, one_of({"ru", "en"})),
       field("greeting", &TemplatesSection::greeting),
       field("greeting_new", &TemplatesSection::greeting_new),
       field("menu_start", &TemplatesSection::menu_start),
       field("last_spoke", &TemplatesSection::last_spoke), field("press", &TemplatesSection::press),
       field("menu_end", &TemplatesSection::menu_end),
       field("connecting", &TemplatesSection::connecting),
       field("invalid", &TemplatesSection::invalid), field("repeat", &TemplatesSection::repeat),
       field("transfer", &TemplatesSection::transfer)}));
  all.push_back(scalar_section<TtsSection>(
      "tts", &Config::tts,
      {field("engine", &TtsSection::engine, one_of({"espeak", "command", "yandex", "speechpro"})),
       field("voice", &TtsSection::voice),
       field("role", &TtsSection::role),
       field("speed", &TtsSection::speed, in_range(0.1, 3.0)),
       field("salt", &TtsSection::salt),
       field("api", &TtsSection::api, one_of({"v1", "v3"})),
       field("auth", &TtsSection::auth, one_of({"api-key", "iam"})),
       field("folder_id", &TtsSection::folder_id),
       field("url", &TtsSection::url, url_check()),
       field("user", &TtsSection::user),
       field("domain_id", &TtsSection::domain_id, in_range<std::int64_t>(0, 1'000'000'000)),
       field("api_key_env", secret_env(&TtsSection::api_key)),
       field("api_key_file", secret_file(&TtsSection::api_key)),
       field("command", &TtsSection::command),
       field("sample_rate", &TtsSection::sample_rate, in_range<std::int64_t>(8000, 48000)),
       field("concurrency", &TtsSection::concurrency, in_range<std::int64_t>(1, 256)),
       field("rate_limit", &TtsSection::rate_limit, in_range(0.1, 1000.0)),
       field("retries", &TtsSection::retries, in_range<std::int64_t>(0, 20)),
       field("timeout", &TtsSection::timeout, positive_duration()),
       field("price_per_million_chars", &TtsSection::price_per_million_chars, in_range(0.0, 1e6)),
       field("price_per_request", &TtsSection::price_per_request, in_range(0.0, 1e3)),
       field("loudness", &TtsSection::loudness, in_range(-60.0, -3.0)),
       field("padding_ms", &TtsSection::padding_ms, in_range<std::int64_t>(0, 2000))}));
  all.push_back(scalar_section<OnecSection>(
      "onec", &Config::onec,
      {field("url", &OnecSection::url, url_check()),
       field("user", &OnecSection::user),
       field("password_env", secret_env(&OnecSection::password)),
       field("password_file", secret_file(&OnecSection::password)),
       field("connect_timeout", &OnecSection::connect_timeout, positive_duration()),
       field("timeout", &OnecSection::timeout, positive_duration()),
       field("verify_tls", &OnecSection::verify_tls),
       field("ca_file", &OnecSection::ca_file),
       field("page_size", &OnecSection::page_size, in_range<std::int64_t>(1, 100000)),
       field("time_zone", &OnecSection::time_zone, zone_check(true)),
       field("allowed_only", &OnecSection::allowed_only),
       field("retries", &OnecSection::retries, in_range<std::int64_t>(0, 10)),
       field("users", &OnecSection::users, entity_check()),
       field("user_name", &OnecSection::user_name, non_empty()),
       field("user_inactive", &OnecSection::user_inactive),
       field("user_extension", &OnecSection::user_extension),
       field("clients", &OnecSection::clients, entity_check()),
       field("client_name", &OnecSection::client_name, non_empty()),
       field("client_aliases", &OnecSection::client_aliases),
       field("client_filter", &OnecSection::client_filter),
       field("contacts", &OnecSection::contacts),
       field("phone_type", &OnecSection::phone_type)}));
  all.push_back(scalar_section<AgiSection>(
      "agi", &Config::agi,
      {field("listen", &AgiSection::listen),
       field("port", &AgiSection::port, in_range<std::int64_t>(1, 65535)),
       field("allow", &AgiSection::allow),
       field("max_sessions", &AgiSection::max_sessions, in_range<std::int64_t>(1, 100000))}));
  all.push_back(scalar_section<AmiSection>(
      "ami", &Config::ami,
      {field("host", &AmiSection::host, Check<std::string>([](const std::string& v) {
               return v.empty() ? "must not be empty" : std::string();
             })),
       field("port", &AmiSection::port, in_range<std::int64_t>(1, 65535)),
       field("user", &AmiSection::user), field("secret_env", secret_env(&AmiSection::secret)),
       field("secret_file", secret_file(&AmiSection::secret)),
       field("channel", &AmiSection::channel, Check<std::string>([](const std::string& v) {
               return v.find("{ext}") != std::string::npos && v.find('/') != std::string::npos
                          ? std::string()
                          : "must be a channel with {ext}, such as \"PJSIP/{ext}\"";
             })),
       field("originate_timeout", &AmiSection::originate_timeout,
             Check<Duration>([](const Duration& d) {
               return d.seconds >= 1 && d.seconds <= 300 ? std::string()
                                                         : "must be between 1s and 300s";
             })),
       field("timeout", &AmiSection::timeout, positive_duration())}));
  return all;
}

} // namespace

Position position_of(const toml::node& node) {
  auto& src = node.source();
  return Position{int(src.begin.line), int(src.begin.column)};
}

void Context::error(const toml::node& node, std::string message) {
  diagnostics.push_back({position_of(node), std::move(message)});
}

const std::vector<SectionOps>& sections() {
  static const std::vector<SectionOps> all = make_sections();
  return all;
}

std::vector<DocumentType> built_in_documents() {
  auto type = [](std::string name, std::string title, double weight, std::int64_t days,
                 std::string decay, std::int64_t half_life_days) {
    DocumentType d;
    d.type = std::move(name);
    d.title = std::move(title);
    d.weight = weight;
    d.validity = {days * 86400};
    d.decay = std::move(decay);
    d.half_life = {half_life_days * 86400};
    return d;
  };
  auto call = type("call", "Телефонный звонок", 1.0, 90, "linear", 0);
  auto order = type("order", "Заказ клиента", 3.0, 180, "linear", 0);
  auto invoice = type("invoice", "Счёт на оплату", 2.0, 365, "exponential", 90);
  return {call, order, invoice};
}

} // namespace sr::config::detail
