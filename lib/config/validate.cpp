#include "config/schema.h"
#include "util/strings.h"
#include "util/time.h"

#include <fmt/format.h>

#include <array>
#include <optional>
#include <set>

namespace sr::config::detail {

namespace {

constexpr std::array<std::string_view, 7> k_days = {"mon", "tue", "wed", "thu",
                                                    "fri", "sat", "sun"};

std::optional<int> day_index(std::string_view s) {
  for (std::size_t i = 0; i < k_days.size(); ++i)
    if (s == k_days[i])
      return int(i);
  return std::nullopt;
}

// "mon-fri", "mon,wed,fri", "sat-sun", "daily" → bit mask (bit 0 = Monday).
std::optional<unsigned> parse_days(std::string_view text) {
  auto lower = util::ascii_lower(util::trim(text));
  if (lower == "daily" || lower == "all")
    return 0x7Fu;
  unsigned mask = 0;
  for (auto part : util::split(lower, ',')) {
    part = util::trim(part);
    auto dash = part.find('-');
    auto first = day_index(util::trim(part.substr(0, dash)));
    auto last =
        dash == std::string_view::npos ? first : day_index(util::trim(part.substr(dash + 1)));
    if (!first || !last)
      return std::nullopt;
    for (int d = *first;; d = (d + 1) % 7) { // "fri-mon" wraps over the weekend
      mask |= 1u << d;
      if (d == *last)
        break;
    }
  }
  return mask;
}

std::optional<int> parse_clock(std::string_view s) {
  s = util::trim(s);
  if (s.size() != 5 || s[2] != ':')
    return std::nullopt;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!digit(s[0]) || !digit(s[1]) || !digit(s[3]) || !digit(s[4]))
    return std::nullopt;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0))
    return std::nullopt;
  return h * 60 + m;
}

bool valid_date(const std::string& s) {
  return s.size() == 10 && util::parse_timestamp(s, nullptr).has_value();
}

template <class T> void one_owner(const T& item, std::string_view what, Context& ctx) {
  if (item.employee.empty() == item.group.empty())
    ctx.error(item.pos, fmt::format("{}: set exactly one of 'employee' or 'group'", what));
}

struct Phrases {
  std::string_view greeting, greeting_new, menu_start, last_spoke, press, menu_end, connecting,
      invalid, repeat, transfer;
};

// The default phrase sets; a key set in the file wins.
constexpr Phrases k_russian = {
    "Здравствуйте!",
    "Здравствуйте! Спасибо за звонок.",
    "",
    "В прошлый раз вы разговаривали с {name}.",
    "Чтобы соединиться с {name}, нажмите {digit}.",
    "Или оставайтесь на линии.",
    "Соединяю вас с {name}.",
    "Такого варианта нет.",
    "Повторяю.",
    "Соединяю с менеджером.",
};
constexpr Phrases k_english = {
    "Hello!",
    "Hello, and thank you for calling.",
    "",
    "Last time you spoke with {name}.",
    "To reach {name}, press {digit}.",
    "Or stay on the line.",
    "Connecting you to {name}.",
    "That is not one of the options.",
    "Once again.",
    "Connecting you to a manager.",
};

// Fills empty templates from the language's set and checks the placeholders of the rest.
void complete_templates(TemplatesSection& t, Context& ctx) {
  auto& d = t.language == "en" ? k_english : k_russian;
  struct Slot {
    std::string* value;
    std::string_view fallback, name;
    bool needs_name, needs_digit;
  };
  Slot slots[] = {{&t.greeting, d.greeting, "greeting", false, false},
                  {&t.greeting_new, d.greeting_new, "greeting_new", false, false},
                  {&t.menu_start, d.menu_start, "menu_start", false, false},
                  {&t.last_spoke, d.last_spoke, "last_spoke", true, false},
                  {&t.press, d.press, "press", true, true},
                  {&t.menu_end, d.menu_end, "menu_end", false, false},
                  {&t.connecting, d.connecting, "connecting", true, false},
                  {&t.invalid, d.invalid, "invalid", false, false},
                  {&t.repeat, d.repeat, "repeat", false, false},
                  {&t.transfer, d.transfer, "transfer", false, false}};
  for (auto& s : slots) {
    if (s.value->empty()) {
      *s.value = s.fallback;
      continue;
    }
    std::string_view v = *s.value;
    for (auto open = v.find('{'); open != std::string_view::npos; open = v.find('{', open + 1)) {
      auto close = v.find('}', open);
      auto name = v.substr(open + 1, close == std::string_view::npos ? 0 : close - open - 1);
      if (close == std::string_view::npos || (name != "name" && name != "digit") ||
          (name == "digit" && !s.needs_digit) || (name == "name" && !s.needs_name))
        ctx.error(Position{}, fmt::format("templates.{}: unknown placeholder in \"{}\" (this "
                                          "phrase may use {})",
                                          s.name, v,
                                          s.needs_digit  ? "{name} and {digit}"
                                          : s.needs_name ? "{name}"
                                                         : "none"));
    }
    if (s.needs_name && v.find("{name}") == std::string_view::npos)
      ctx.error(Position{}, fmt::format("templates.{}: must contain {{name}}", s.name));
    if (s.needs_digit && v.find("{digit}") == std::string_view::npos)
      ctx.error(Position{}, fmt::format("templates.{}: must contain {{digit}}", s.name));
  }
}

} // namespace

void validate(Config& c, Context& ctx) {
  complete_templates(c.templates, ctx);
  std::set<std::string> seen;
  for (auto& d : c.documents) {
    if (d.type.empty())
      continue; // already reported as missing
    if (!seen.insert(d.type).second)
      ctx.error(d.pos, fmt::format("documents: type '{}' is defined twice", d.type));
    if (d.decay == "exponential" && d.half_life.seconds <= 0)
      ctx.error(d.pos,
                fmt::format("documents: type '{}' has exponential decay but no half_life", d.type));
    if (d.decay != "exponential" && d.half_life.seconds > 0)
      ctx.error(d.pos, fmt::format("documents: type '{}': half_life only applies to exponential "
                                   "decay, not '{}'",
                                   d.type, d.decay));
    if (!d.entity.empty()) {
      if (d.user.empty())
        ctx.error(d.pos, fmt::format("documents: type '{}' is read from {} but has no 'user' "
                                     "(the attribute naming the responsible employee)",
                                     d.type, d.entity));
      if (d.client.empty() && d.client_phone.empty())
        ctx.error(d.pos, fmt::format("documents: type '{}' is read from {} but has neither "
                                     "'client' nor 'client_phone'",
                                     d.type, d.entity));
    } else if (!d.client.empty() || !d.user.empty() || !d.client_phone.empty() ||
               !d.filter.empty() || !d.client_types.empty()) {
      ctx.error(d.pos, fmt::format("documents: type '{}' maps 1C attributes but has no 'entity' "
                                   "(the entity set, e.g. \"Document_ЗаказКлиента\")",
                                   d.type));
    }
  }
  if (!c.onec.url.empty() && !c.onec.url.ends_with("/"))
    c.onec.url += '/';
  seen.clear();
  for (auto& e : c.employees)
    if (!e.id.empty() && !seen.insert(e.id).second)
      ctx.error(e.pos, fmt::format("employees: id '{}' is overridden twice", e.id));
  for (auto& s : c.schedules) {
    one_owner(s, "schedules", ctx);
    if (auto mask = parse_days(s.days))
      s.day_mask = *mask;
    else
      ctx.error(s.pos, fmt::format("schedules: days '{}' is not like \"mon-fri\" or "
                                   "\"mon,wed,fri\"",
                                   s.days));
    // Plain ints, not optionals: GCC 12 -O2 warns (maybe-uninitialized) on two optionals
    // compared here once this function grows.
    auto dash = s.hours.find('-');
    int start = parse_clock(std::string_view(s.hours).substr(0, dash)).value_or(-1);
    int end = dash == std::string::npos
                  ? -1
                  : parse_clock(std::string_view(s.hours).substr(dash + 1)).value_or(-1);
    if (start < 0 || end < 0 || start >= end)
      ctx.error(s.pos, fmt::format("schedules: hours '{}' is not like \"09:00-18:00\" "
                                   "(start before end)",
                                   s.hours));
    else {
      s.start_minute = start;
      s.end_minute = end;
    }
  }
  for (auto& e : c.exceptions) {
    one_owner(e, "exceptions", ctx);
    for (auto* d : {&e.from, &e.until})
      if (!d->empty() && !valid_date(*d))
        ctx.error(e.pos, fmt::format("exceptions: '{}' is not a date like \"2026-12-31\"", *d));
    if (valid_date(e.from) && valid_date(e.until) && e.until < e.from)
      ctx.error(e.pos, fmt::format("exceptions: until {} is before from {}", e.until, e.from));
  }
  // [ami] is only needed by `preview --call`, but half of a login is a mistake either way.
  bool ami_secret = !c.ami.secret.env.empty() || !c.ami.secret.file.empty();
  if (!c.ami.user.empty() && !ami_secret)
    ctx.error(Position{}, "ami: 'user' is set but no secret: set 'secret_env' or 'secret_file'");
  if (c.ami.user.empty() && ami_secret)
    ctx.error(Position{}, "ami: a secret is set but no 'user'");
  for (auto* ref : {&c.tts.api_key, &c.onec.password, &c.ami.secret})
    if (!ref->env.empty() && !ref->file.empty())
      ctx.error(Position{}, "a secret is given both as *_env and *_file: keep one");
}

} // namespace sr::config::detail
