#include "config/config.h"
#include "ivr/plan.h"
#include "scoring/availability.h"
#include "scoring/model.h"
#include "util/time.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

using sr::ivr::Mode;
using sr::ivr::Plan;
using sr::scoring::CallerData;
using sr::scoring::Candidate;
using sr::scoring::Employee;

namespace Catch {
template <> struct StringMaker<Mode> {
  static std::string convert(Mode m) { return std::string(sr::ivr::mode_name(m)); }
};
} // namespace Catch

namespace {

using Strings = std::vector<std::string>;

// Monday 2026-03-30, 12:00 in Moscow.
const std::int64_t k_now = 1774861200;

std::int64_t at(const char* iso) {
  auto t = sr::util::parse_timestamp(iso, nullptr);
  REQUIRE(t);
  return *t;
}

// The built-in configuration with the two numbers every call can fall back to.
sr::config::Config defaults() {
  sr::config::Config c;
  auto problems = sr::config::check({}, c, {"/tmp/state"});
  REQUIRE(problems.empty());
  c.routing.default_number = "100";
  c.routing.emergency_number = "999";
  return c;
}

Employee person(std::int64_t id, std::string name) {
  Employee e;
  e.id = id;
  e.key = "E" + std::to_string(id);
  e.name = std::move(name);
  e.extension = std::to_string(200 + id);
  return e;
}

// A known client whose ranking is `scores`, best first.
CallerData known(const std::vector<std::pair<const Employee*, double>>& scores) {
  CallerData d;
  d.number = "+74951234567";
  d.clients.push_back({1, "C1", "ООО Ромашка"});
  d.client = d.clients.front();
  std::int64_t last = k_now - 3600;
  for (auto& [e, score] : scores) {
    d.ranked.push_back(Candidate{e, score, last, 1});
    d.total += score;
    last -= 3600;
  }
  return d;
}

CallerData unknown(std::string number = "+74957654321") {
  CallerData d;
  d.number = std::move(number);
  return d;
}

// Plans with the configuration's schedules in its time zone; checks what every plan must have.
Plan run(const CallerData& caller, const sr::config::Config& config,
         std::vector<const Employee*> pool = {}, std::int64_t now = k_now) {
  sr::scoring::Timetables timetables(config);
  auto zone = sr::util::find_zone(config.routing.time_zone);
  REQUIRE(zone);
  sr::ivr::Context ctx{config, timetables, zone, std::move(pool)};
  auto p = sr::ivr::plan(caller, now, ctx);
  CHECK(p.default_target == config.routing.default_number);
  CHECK(p.emergency_target == config.routing.emergency_number);
  CHECK_FALSE(p.reasons.empty());
  for (auto& f : p.fragments) {
    CHECK_FALSE(f.text.empty());
    CHECK(f.text.find('{') == std::string::npos); // every placeholder filled
  }
  return p;
}

Strings fragment_ids(const Plan& p) {
  Strings out;
  for (auto& f : p.fragments)
    out.push_back(f.id);
  return out;
}

Strings texts(const Plan& p) {
  Strings out;
  for (auto& f : p.fragments)
    out.push_back(f.text);
  return out;
}

// "1:E3 2:E1" — digit and employee key of each option.
std::string options(const Plan& p) {
  std::string out;
  for (auto& o : p.options)
    out += (out.empty() ? "" : " ") + std::to_string(o.digit) + ":" + o.employee->key;
  return out;
}

// "E1 dismissed, E3 excluded".
std::string dropped(const Plan& p) {
  std::string out;
  for (auto& d : p.dropped)
    out += (out.empty() ? "" : ", ") + d.employee->key + " " + d.reason;
  return out;
}

bool has_reason(const Plan& p, std::string_view part) {
  for (auto& r : p.reasons)
    if (r.find(part) != std::string::npos)
      return true;
  return false;
}

// The press fragments carry the digit and the employee of the option they announce.
void check_press_matches_options(const Plan& p) {
  std::vector<const sr::ivr::Fragment*> presses;
  for (auto& f : p.fragments)
    if (f.id == "press")
      presses.push_back(&f);
  REQUIRE(presses.size() == p.options.size());
  for (std::size_t i = 0; i < presses.size(); ++i) {
    CHECK(p.options[i].digit == int(i) + 1);
    CHECK(presses[i]->digit == p.options[i].digit);
    CHECK(presses[i]->employee == p.options[i].employee);
    CHECK(presses[i]->text.find(std::to_string(p.options[i].digit) + ".") != std::string::npos);
  }
}

} // namespace

TEST_CASE("plan: the built-in configuration this file relies on", "[plan]") {
  auto c = defaults();
  CHECK(c.routing.menu_size == 3);
  CHECK(c.routing.dominance == Approx(0.8));
  CHECK(c.routing.direct);
  CHECK(c.routing.time_zone == "Europe/Moscow");
  CHECK(c.templates.language == "ru");
  CHECK(k_now == at("2026-03-30T12:00:00+03:00"));
}

TEST_CASE("plan: a menu offers the top 3 of 4 employees in score order", "[plan]") {
  auto ivan = person(1, "Иван Петров"), anna = person(2, "Анна Сидорова"),
       oleg = person(3, "Олег Смирнов"), maria = person(4, "Мария Кузнецова");
  auto p = run(known({{&ivan, 40}, {&anna, 30}, {&oleg, 20}, {&maria, 10}}), defaults());
  CHECK(p.mode == Mode::menu);
  CHECK(p.direct == nullptr);
  CHECK(options(p) == "1:E1 2:E2 3:E3");
  CHECK(p.top_share == Approx(0.4));
  CHECK(p.dropped.empty());
  CHECK(fragment_ids(p) == Strings{"greeting", "press", "press", "press", "menu_end"});
  CHECK(texts(p) == Strings{"Здравствуйте!", "Чтобы соединиться с Иваном Петровым, нажмите 1.",
                            "Чтобы соединиться с Анной Сидоровой, нажмите 2.",
                            "Чтобы соединиться с Олегом Смирновым, нажмите 3.",
                            "Или оставайтесь на линии."});
  check_press_matches_options(p);
  CHECK(has_reason(p, "menu of 3"));
}

TEST_CASE("plan: menu_size limits the options", "[plan]") {
  auto c = defaults();
  c.routing.menu_size = 2;
  auto a = person(1, "Иван Петров"), b = person(2, "Анна Сидорова"), d = person(3, "Олег Смирнов");
  auto p = run(known({{&a, 5}, {&b, 4}, {&d, 3}}), c);
  CHECK(p.mode == Mode::menu);
  CHECK(options(p) == "1:E1 2:E2");
  check_press_matches_options(p);
}

TEST_CASE("plan: fewer employees than menu_size give a shorter menu", "[plan]") {
  auto a = person(1, "Иван Петров"), b = person(2, "Анна Сидорова");
  auto p = run(known({{&a, 6}, {&b, 4}}), defaults());
  CHECK(p.mode == Mode::menu);
  CHECK(options(p) == "1:E1 2:E2");
  check_press_matches_options(p);
}

TEST_CASE("plan: a dominant employee is connected directly", "[plan]") {
  auto ivan = person(1, "Иван Петров"), anna = person(2, "Анна Сидорова"),
       oleg = person(3, "Олег Смирнов");

  SECTION("exactly the dominance share is enough") {
    auto p = run(known({{&ivan, 80}, {&anna, 15}, {&oleg, 5}}), defaults());
    CHECK(p.mode == Mode::direct);
    CHECK(p.direct == &ivan);
    CHECK(p.top_share == Approx(0.8));
    CHECK(p.options.empty());
    CHECK(fragment_ids(p) == Strings{"greeting", "connecting"});
    CHECK(texts(p) == Strings{"Здравствуйте!", "Соединяю вас с Иваном Петровым."});
    CHECK(p.fragments[1].employee == &ivan);
    CHECK(has_reason(p, "connecting directly"));
  }
  SECTION("a single employee holds everything") {
    auto p = run(known({{&anna, 3}}), defaults());
    CHECK(p.mode == Mode::direct);
    CHECK(p.direct == &anna);
    CHECK(p.top_share == Approx(1.0));
    CHECK(texts(p).back() == "Соединяю вас с Анной Сидоровой.");
  }
  SECTION("just below the share gives a menu") {
    auto p = run(known({{&ivan, 79}, {&anna, 16}, {&oleg, 5}}), defaults());
    CHECK(p.mode == Mode::menu);
    CHECK(p.direct == nullptr);
    CHECK(options(p) == "1:E1 2:E2 3:E3");
  }
  SECTION("direct = false always gives a menu") {
    auto c = defaults();
    c.routing.direct = false;
    auto p = run(known({{&ivan, 95}, {&anna, 5}}), c);
    CHECK(p.mode == Mode::menu);
    CHECK(p.direct == nullptr);
    CHECK(p.top_share == Approx(0.95));
    CHECK(options(p) == "1:E1 2:E2");
    CHECK(has_reason(p, "direct mode off"));
  }
}

TEST_CASE("plan: dismissed, excluded and unreachable employees drop out, the next move up",
          "[plan]") {
  auto gone = person(1, "Иван Петров");
  gone.active = false;
  auto ok1 = person(2, "Анна Сидорова");
  auto service = person(3, "Служебный Пользователь");
  service.excluded = true;
  auto no_phone = person(4, "Олег Смирнов");
  no_phone.extension = "";
  auto ok2 = person(5, "Мария Кузнецова"), ok3 = person(6, "Павел Волков"),
       ok4 = person(7, "Елена Соколова");

  auto p = run(known({{&gone, 50},
                      {&ok1, 20},
                      {&service, 15},
                      {&no_phone, 10},
                      {&ok2, 10},
                      {&ok3, 8},
                      {&ok4, 5}}),
               defaults());
  CHECK(p.mode == Mode::menu);
  CHECK(options(p) == "1:E2 2:E5 3:E6");
  CHECK(dropped(p) == "E1 dismissed, E3 excluded, E4 no extension");
  for (auto& d : p.dropped)
    CHECK(d.until == 0);
  CHECK(p.dropped[0].score == 50);
  check_press_matches_options(p);
  CHECK(p.fragments[1].text == "Чтобы соединиться с Анной Сидоровой, нажмите 1.");
}

TEST_CASE("plan: an employee off schedule is dropped with when they are back", "[plan]") {
  auto c = defaults();
  sr::config::Schedule weekends;
  weekends.employee = "E2";
  weekends.day_mask = 0x60;
  weekends.start_minute = 10 * 60;
  weekends.end_minute = 16 * 60;
  c.schedules.push_back(weekends);
  auto a = person(1, "Иван Петров"), b = person(2, "Анна Сидорова"), d = person(3, "Олег Смирнов"),
       e = person(4, "Мария Кузнецова");

  auto p = run(known({{&a, 40}, {&b, 30}, {&d, 20}, {&e, 10}}), c);
  CHECK(p.mode == Mode::menu);
  CHECK(options(p) == "1:E1 2:E3 3:E4");
  REQUIRE(p.dropped.size() == 1);
  CHECK(p.dropped[0].employee == &b);
  CHECK(p.dropped[0].reason == "off schedule");
  CHECK(p.dropped[0].until == at("2026-04-04T10:00:00+03:00"));
  check_press_matches_options(p);
}

TEST_CASE("plan: an absent employee is dropped with the absence's reason", "[plan]") {
  auto c = defaults();
  sr::config::Exception vacation;
  vacation.group = "sales";
  vacation.from = "2026-03-30";
  vacation.until = "2026-04-03";
  vacation.reason = "vacation";
  c.exceptions.push_back(vacation);
  auto a = person(1, "Иван Петров"), b = person(2, "Анна Сидорова");
  a.group = "sales";

  auto p = run(known({{&a, 50}, {&b, 50}}), c);
  // The only available employee holds half of the eligible score: a menu of one.
  CHECK(p.mode == Mode::menu);
  CHECK(options(p) == "1:E2");
  CHECK(p.top_share == Approx(0.5));
  CHECK(dropped(p) == "E1 vacation");
  CHECK(p.dropped[0].until == at("2026-04-04T00:00:00+03:00")); // no schedule: from midnight
}

TEST_CASE("plan: an unknown number hears the new-client greeting, then the default number",
          "[plan]") {
  auto p = run(unknown(), defaults());
  CHECK(p.mode == Mode::new_client);
  CHECK(p.options.empty());
  CHECK(p.direct == nullptr);
  CHECK(fragment_ids(p) == Strings{"greeting_new", "transfer"});
  CHECK(texts(p) == Strings{"Здравствуйте! Спасибо за звонок.", "Соединяю с менеджером."});
  CHECK(has_reason(p, "belongs to no client"));
  CHECK(has_reason(p, "no new-client pool"));

  auto hidden = run(unknown(""), defaults());
  CHECK(hidden.mode == Mode::new_client);
  CHECK(has_reason(hidden, "no caller number"));
}

TEST_CASE("plan: an unknown number is offered the new-client pool", "[plan]") {
  auto s1 = person(11, "Иван Петров"), s2 = person(12, "Анна Сидорова"),
       s3 = person(13, "Олег Смирнов"), s4 = person(14, "Мария Кузнецова"),
       s5 = person(15, "Павел Волков");
  s2.active = false;

  auto p = run(unknown(), defaults(), {&s1, &s2, &s3, &s4, &s5});
  CHECK(p.mode == Mode::new_client);
  CHECK(options(p) == "1:E11 2:E13 3:E14");
  CHECK(dropped(p) == "E12 dismissed");
  CHECK(fragment_ids(p) == Strings{"greeting_new", "press", "press", "press", "menu_end"});
  CHECK(p.fragments[1].text == "Чтобы соединиться с Иваном Петровым, нажмите 1.");
  CHECK(has_reason(p, "new-client pool"));
  check_press_matches_options(p);
}

TEST_CASE("plan: a new-client pool with nobody available transfers", "[plan]") {
  auto s1 = person(11, "Иван Петров");
  s1.excluded = true;
  auto p = run(unknown(), defaults(), {&s1});
  CHECK(p.mode == Mode::new_client);
  CHECK(p.options.empty());
  CHECK(fragment_ids(p) == Strings{"greeting_new", "transfer"});
  CHECK(has_reason(p, "nobody of the new-client pool is available"));
}

TEST_CASE("plan: a known client with only ineligible history is a new client", "[plan]") {
  auto gone = person(1, "Иван Петров");
  gone.active = false;
  auto service = person(2, "Анна Сидорова");
  service.excluded = true;
  auto caller = known({{&gone, 30}, {&service, 10}});

  SECTION("without a pool: the default number") {
    auto p = run(caller, defaults());
    CHECK(p.mode == Mode::new_client);
    CHECK(fragment_ids(p) == Strings{"greeting_new", "transfer"});
    CHECK(dropped(p) == "E1 dismissed, E2 excluded");
    CHECK(has_reason(p, "nobody the client dealt with can be offered"));
  }
  SECTION("with a pool: the pool") {
    auto s = person(11, "Олег Смирнов");
    auto p = run(caller, defaults(), {&s});
    CHECK(p.mode == Mode::new_client);
    CHECK(options(p) == "1:E11");
    CHECK(p.fragments.front().id == "greeting_new");
  }
}

TEST_CASE("plan: a known client whose history has expired is a new client", "[plan]") {
  auto p = run(known({}), defaults());
  CHECK(p.mode == Mode::new_client);
  CHECK(fragment_ids(p) == Strings{"greeting_new", "transfer"});
  CHECK(has_reason(p, "no interaction that still counts"));
}

TEST_CASE("plan: all eligible employees unavailable falls back to the default number", "[plan]") {
  auto c = defaults();
  sr::config::Exception holiday;
  holiday.group = "sales";
  holiday.from = "2026-03-30";
  holiday.until = "2026-03-30";
  holiday.reason = "holiday";
  c.exceptions.push_back(holiday);
  auto a = person(1, "Иван Петров"), b = person(2, "Анна Сидорова"),
       gone = person(3, "Олег Смирнов");
  a.group = b.group = "sales";
  gone.active = false;

  auto p = run(known({{&gone, 50}, {&a, 30}, {&b, 20}}), c);
  CHECK(p.mode == Mode::fallback);
  CHECK(p.options.empty());
  CHECK(p.direct == nullptr);
  CHECK(fragment_ids(p) == Strings{"greeting", "transfer"});
  CHECK(texts(p) == Strings{"Здравствуйте!", "Соединяю с менеджером."});
  CHECK(dropped(p) == "E3 dismissed, E1 holiday, E2 holiday");
  CHECK(has_reason(p, "none of the client's employees is available"));
}

TEST_CASE("plan: the employee of the last call is offered first", "[plan]") {
  auto ivan = person(1, "Иван Петров"), anna = person(2, "Анна Сидорова"),
       oleg = person(3, "Олег Смирнов"), maria = person(4, "Мария Кузнецова");
  auto caller = known({{&ivan, 40}, {&anna, 30}, {&oleg, 20}, {&maria, 10}});
  caller.last_call_at = k_now - 86400;

  SECTION("within the top K") {
    caller.last_call = &anna;
    auto p = run(caller, defaults());
    CHECK(p.mode == Mode::menu);
    CHECK(options(p) == "1:E2 2:E1 3:E3");
    CHECK(fragment_ids(p) ==
          Strings{"greeting", "last_spoke", "press", "press", "press", "menu_end"});
    CHECK(texts(p) == Strings{"Здравствуйте!", "В прошлый раз вы разговаривали с Анной Сидоровой.",
                              "Чтобы соединиться с Анной Сидоровой, нажмите 1.",
                              "Чтобы соединиться с Иваном Петровым, нажмите 2.",
                              "Чтобы соединиться с Олегом Смирновым, нажмите 3.",
                              "Или оставайтесь на линии."});
    CHECK(p.fragments[1].employee == &anna);
    CHECK(has_reason(p, "offered first"));
    check_press_matches_options(p);
  }
  SECTION("already the top employee") {
    caller.last_call = &ivan;
    auto p = run(caller, defaults());
    CHECK(options(p) == "1:E1 2:E2 3:E3");
    CHECK(fragment_ids(p)[1] == "last_spoke");
  }
  SECTION("ranked below the top K: still first, the menu keeps K options") {
    caller.last_call = &maria;
    auto p = run(caller, defaults());
    CHECK(options(p) == "1:E4 2:E1 3:E2");
    CHECK(p.fragments[1].text == "В прошлый раз вы разговаривали с Марией Кузнецовой.");
    check_press_matches_options(p);
  }
}

TEST_CASE("plan: no last_spoke fragment when the last call's employee cannot be offered",
          "[plan]") {
  auto ivan = person(1, "Иван Петров"), anna = person(2, "Анна Сидорова"),
       oleg = person(3, "Олег Смирнов"), maria = person(4, "Мария Кузнецова");
  anna.active = false;
  auto caller = known({{&ivan, 40}, {&anna, 30}, {&oleg, 20}, {&maria, 10}});
  caller.last_call = &anna;
  caller.last_call_at = k_now - 86400;

  auto p = run(caller, defaults());
  CHECK(p.mode == Mode::menu);
  CHECK(options(p) == "1:E1 2:E3 3:E4");
  CHECK(fragment_ids(p) == Strings{"greeting", "press", "press", "press", "menu_end"});
  CHECK(has_reason(p, "cannot be offered now"));

  // Off schedule instead of dismissed: the same.
  auto c = defaults();
  sr::config::Schedule nights;
  nights.employee = "E3";
  nights.day_mask = 0x7F;
  nights.start_minute = 0;
  nights.end_minute = 6 * 60;
  c.schedules.push_back(nights);
  caller.last_call = &oleg;
  auto q = run(caller, c);
  CHECK(options(q) == "1:E1 2:E4");
  CHECK(fragment_ids(q) == Strings{"greeting", "press", "press", "menu_end"});
  CHECK(dropped(q) == "E2 dismissed, E3 off schedule");
}

TEST_CASE("plan: names are declined and «с» becomes «со» where Russian needs it", "[plan]") {
  auto stas = person(1, "Станислав Орлов"), lev = person(2, "Лев Толстой"),
       sergey = person(3, "Сергей Кузнецов"), zhanna = person(4, "Жанна Фриске");
  auto caller = known({{&stas, 40}, {&lev, 30}, {&sergey, 20}, {&zhanna, 10}});
  caller.last_call = &stas;
  caller.last_call_at = k_now - 600;

  auto p = run(caller, defaults());
  CHECK(texts(p) ==
        Strings{"Здравствуйте!", "В прошлый раз вы разговаривали со Станиславом Орловым.",
                "Чтобы соединиться со Станиславом Орловым, нажмите 1.",
                "Чтобы соединиться со Львом Толстым, нажмите 2.",
                "Чтобы соединиться с Сергеем Кузнецовым, нажмите 3.", "Или оставайтесь на линии."});

  auto direct = run(known({{&lev, 9}, {&sergey, 1}}), defaults());
  CHECK(direct.mode == Mode::direct);
  CHECK(texts(direct).back() == "Соединяю вас со Львом Толстым.");

  auto t = defaults().templates;
  CHECK(sr::ivr::fragment("press", t, &zhanna, 2).text ==
        "Чтобы соединиться с Жанной Фриске, нажмите 2.");
  CHECK(sr::ivr::render("с {name}", "Зоей", 0) == "с Зоей");
  CHECK(sr::ivr::render("с {name}", "Шмидтом", 0) == "со Шмидтом");
  CHECK(sr::ivr::render("Соединяю с {name}, {digit}", "Щукиным", 4) == "Соединяю с Щукиным, 4");
  CHECK(sr::ivr::render("Жду {name}", "Станиславом", 0) == "Жду Станиславом"); // no «с»
}

TEST_CASE("plan: spoken_name overrides the declined name, English keeps names as written",
          "[plan]") {
  auto c = defaults();
  auto ivan = person(1, "Петров Иван Сергеевич");
  CHECK(sr::ivr::spoken_name(ivan, c.templates) == "Иваном Петровым");
  ivan.spoken_name = "Иваном Сергеевичем";
  CHECK(sr::ivr::spoken_name(ivan, c.templates) == "Иваном Сергеевичем");
  auto p = run(known({{&ivan, 1}}), c);
  CHECK(texts(p).back() == "Соединяю вас с Иваном Сергеевичем.");

  auto stas = person(2, "Станислав Орлов");
  stas.spoken_name = "Стасом";
  CHECK(sr::ivr::fragment("last_spoke", c.templates, &stas).text ==
        "В прошлый раз вы разговаривали со Стасом.");

  auto en = c.templates;
  en.language = "en";
  en.press = "To reach {name}, press {digit}.";
  auto john = person(3, "John Smith");
  CHECK(sr::ivr::spoken_name(john, en) == "John Smith");
  CHECK(sr::ivr::fragment("press", en, &john, 3).text == "To reach John Smith, press 3.");
}

TEST_CASE("plan: digits map to the employees the press fragments name", "[plan]") {
  auto a = person(1, "Иван Петров"), b = person(2, "Анна Сидорова"), d = person(3, "Олег Смирнов");
  auto p = run(known({{&b, 5}, {&d, 4}, {&a, 3}}), defaults());
  REQUIRE(p.options.size() == 3);
  CHECK(p.options[0].employee == &b);
  CHECK(p.options[1].employee == &d);
  CHECK(p.options[2].employee == &a);
  check_press_matches_options(p);
  CHECK(p.fragments[3].text == "Чтобы соединиться с Иваном Петровым, нажмите 3.");
}

TEST_CASE("plan: a number of several clients names the client it plans for", "[plan]") {
  auto a = person(1, "Иван Петров"), b = person(2, "Анна Сидорова");
  auto caller = known({{&a, 5}, {&b, 4}});
  caller.clients.push_back({2, "C2", "ИП Иванов"});
  auto p = run(caller, defaults());
  CHECK(p.mode == Mode::menu);
  CHECK(has_reason(p, "belongs to 2 clients"));
}

TEST_CASE("plan: default and emergency targets come from the configuration", "[plan]") {
  auto c = defaults();
  c.routing.default_number = "501";
  c.routing.emergency_number = "+74950000000";
  auto a = person(1, "Иван Петров");
  for (auto& p : {run(unknown(), c), run(known({{&a, 1}}), c)}) {
    CHECK(p.default_target == "501");
    CHECK(p.emergency_target == "+74950000000");
  }
}

TEST_CASE("plan: mode names", "[plan]") {
  CHECK(sr::ivr::mode_name(Mode::menu) == "menu");
  CHECK(sr::ivr::mode_name(Mode::direct) == "direct");
  CHECK(sr::ivr::mode_name(Mode::new_client) == "new-client");
  CHECK(sr::ivr::mode_name(Mode::fallback) == "fallback");
}
