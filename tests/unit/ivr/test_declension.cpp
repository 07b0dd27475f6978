#include "ivr/declension.h"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

using sr::ivr::Gender;
using sr::ivr::PersonName;

namespace Catch {
template <> struct StringMaker<Gender> {
  static std::string convert(Gender g) {
    return g == Gender::male ? "male" : g == Gender::female ? "female" : "unknown";
  }
};
} // namespace Catch

namespace {

struct Case {
  std::string_view input;
  Gender gender;
  std::string_view expected;
};

constexpr auto M = Gender::male;
constexpr auto F = Gender::female;
constexpr auto U = Gender::unknown;

const Case first_names[] = {
    // men: consonant, -й, -ий, -ь, fleeting vowels, -а/-я
    {"Иван", M, "Иваном"},
    {"Олег", M, "Олегом"},
    {"Александр", M, "Александром"},
    {"Андрей", M, "Андреем"},
    {"Сергей", M, "Сергеем"},
    {"Николай", M, "Николаем"},
    {"Дмитрий", M, "Дмитрием"},
    {"Василий", M, "Василием"},
    {"Юрий", M, "Юрием"},
    {"Игорь", M, "Игорем"},
    {"Павел", M, "Павлом"},
    {"Лев", M, "Львом"},
    {"Пётр", M, "Петром"},
    {"Петр", M, "Петром"},
    {"Артём", M, "Артёмом"},
    {"Семён", M, "Семёном"},
    {"Никита", M, "Никитой"},
    {"Илья", M, "Ильёй"},
    {"Кузьма", M, "Кузьмой"},
    {"Фома", M, "Фомой"},
    {"Лука", M, "Лукой"},
    {"Савва", M, "Саввой"},
    {"Миша", M, "Мишей"},
    {"Анри", M, "Анри"},
    // women: -а, -а after hissing and velar, -я, -ья, -ь, foreign consonant
    {"Анна", F, "Анной"},
    {"Ольга", F, "Ольгой"},
    {"Наташа", F, "Наташей"},
    {"Саша", F, "Сашей"},
    {"Мария", F, "Марией"},
    {"Наталья", F, "Натальей"},
    {"Юлия", F, "Юлией"},
    {"Дарья", F, "Дарьей"},
    {"Зоя", F, "Зоей"},
    {"Алёна", F, "Алёной"},
    {"Любовь", F, "Любовью"},
    {"Нинель", F, "Нинелью"},
    {"Кэтрин", F, "Кэтрин"},
    {"Элис", F, "Элис"},
    {"Мими", F, "Мими"},
    // unknown gender: guessed from the name itself
    {"Иван", U, "Иваном"},
    {"Илья", U, "Ильёй"},
    {"Любовь", U, "Любовью"},
    {"Рустам", U, "Рустамом"},
    {"Кэтрин", U, "Кэтрин"},
    {"Мишель", U, "Мишель"},
    // capitalisation and hyphens
    {"ИВАН", M, "ИВАНОМ"},
    {"иван", M, "иваном"},
    {"Анна-Мария", F, "Анной-Марией"},
};

const Case last_names[] = {
    // men: possessive -ов/-ев/-ёв/-ин/-ын, foreign -ин
    {"Петров", M, "Петровым"},
    {"Сергеев", M, "Сергеевым"},
    {"Соловьёв", M, "Соловьёвым"},
    {"Пушкин", M, "Пушкиным"},
    {"Цыбин", M, "Цыбиным"},
    {"Птицын", M, "Птицыным"},
    {"Дарвин", M, "Дарвином"},
    {"Чаплин", M, "Чаплином"},
    {"Франклин", M, "Франклином"},
    // men: adjectival
    {"Вознесенский", M, "Вознесенским"},
    {"Высоцкий", M, "Высоцким"},
    {"Донской", M, "Донским"},
    {"Трубецкой", M, "Трубецким"},
    {"Толстой", M, "Толстым"},
    {"Белый", M, "Белым"},
    {"Горький", M, "Горьким"},
    // men: nouns
    {"Шмидт", M, "Шмидтом"},
    {"Гусь", M, "Гусем"},
    {"Гоголь", M, "Гоголем"},
    {"Гайдай", M, "Гайдаем"},
    {"Цой", M, "Цоем"},
    {"Соловей", M, "Соловьём"},
    {"Кравец", M, "Кравцом"},
    {"Стрелец", M, "Стрельцом"},
    {"Швец", M, "Швецом"},
    {"Орёл", M, "Орлом"},
    {"Орёл", F, "Орёл"},
    {"Бабич", M, "Бабичем"},
    {"Шульц", M, "Шульцем"},
    {"Петросян", M, "Петросяном"},
    {"Ковальчук", M, "Ковальчуком"},
    // women
    {"Петрова", F, "Петровой"},
    {"Соловьёва", F, "Соловьёвой"},
    {"Ильина", F, "Ильиной"},
    {"Вознесенская", F, "Вознесенской"},
    {"Высоцкая", F, "Высоцкой"},
    {"Толстая", F, "Толстой"},
    {"Шмидт", F, "Шмидт"},
    {"Петров", F, "Петров"},
    {"Гусь", F, "Гусь"},
    // -а/-я nouns, both genders
    {"Глинка", M, "Глинкой"},
    {"Глинка", F, "Глинкой"},
    {"Головня", M, "Головней"},
    {"Окуджава", M, "Окуджавой"},
    {"Гарсия", M, "Гарсией"},
    {"Гроша", M, "Грошей"},
    // indeclinable
    {"Дюма", M, "Дюма"},
    {"Золя", M, "Золя"},
    {"Моруа", M, "Моруа"},
    {"Шевченко", M, "Шевченко"},
    {"Шевченко", F, "Шевченко"},
    {"Живаго", M, "Живаго"},
    {"Белых", M, "Белых"},
    {"Черных", F, "Черных"},
    {"Долгих", M, "Долгих"},
    {"Гёте", M, "Гёте"},
    {"Верди", M, "Верди"},
    {"Шоу", M, "Шоу"},
    {"Руставели", M, "Руставели"},
    // unknown gender: guessed from the ending, a consonant left alone
    {"Петров", U, "Петровым"},
    {"Петрова", U, "Петровой"},
    {"Толстая", U, "Толстой"},
    {"Шмидт", U, "Шмидт"},
    // hyphens and capitalisation
    {"Римский-Корсаков", M, "Римским-Корсаковым"},
    {"Петрова-Водкина", F, "Петровой-Водкиной"},
    {"Петров-Водкин", M, "Петровым-Водкиным"},
    {"Новиков-Прибой", M, "Новиковым-Прибоем"},
    {"Бонч-Бруевич", M, "Бонч-Бруевичем"},
    {"Тер-Петросян", M, "Тер-Петросяном"},
    {"Немирович-Данченко", M, "Немировичем-Данченко"},
    {"ПЕТРОВ", M, "ПЕТРОВЫМ"},
    {"Smith", M, "Smith"},
};

const Case patronymics[] = {
    {"Сергеевич", M, "Сергеевичем"},
    {"Иванович", M, "Ивановичем"},
    {"Ильич", M, "Ильичом"},
    {"Кузьмич", M, "Кузьмичом"},
    {"Никитич", M, "Никитичем"},
    {"Сергеевна", F, "Сергеевной"},
    {"Ивановна", F, "Ивановной"},
    {"Ильинична", F, "Ильиничной"},
    {"Кузьминична", F, "Кузьминичной"},
    {"Гасан оглы", M, "Гасан оглы"},
    {"Сергеевич", U, "Сергеевичем"},
    {"Петров", M, "Петров"},
};

struct SpokenCase {
  std::string_view input;
  std::string_view expected;
};

const SpokenCase full_names[] = {
    {"Петров Иван Сергеевич", "Иваном Петровым"},
    {"Сидорова Анна Викторовна", "Анной Сидоровой"},
    {"Шевченко Ольга Ивановна", "Ольгой Шевченко"},
    {"Белых Дмитрий", "Дмитрием Белых"},
    {"Дюма Александр", "Александром Дюма"},
    {"Гёте Иоганн", "Иоганном Гёте"},
    {"Вознесенская Мария Петровна", "Марией Вознесенской"},
    {"Толстой Лев Николаевич", "Львом Толстым"},
    {"Ильин Илья", "Ильёй Ильиным"},
    {"Иван Петров", "Иваном Петровым"},
    {"Анна Ильина", "Анной Ильиной"},
    {"Рустам Алиев", "Рустамом Алиевым"},
    {"Иван Сергеевич Петров", "Иваном Петровым"},
    {"Соловьёв Пётр Ильич", "Петром Соловьёвым"},
    {"Никитина Любовь Павловна", "Любовью Никитиной"},
    {"Шмидт Кэтрин", "Кэтрин Шмидт"},
    {"Петрова Айсель", "Айселью Петровой"},
    {"Римский-Корсаков Николай Андреевич", "Николаем Римским-Корсаковым"},
    {"Петрова-Водкина Ольга", "Ольгой Петровой-Водкиной"},
    {"Алиев Рашид Гасан оглы", "Рашидом Алиевым"},
    {"Алиева Лейла Гасан кызы", "Лейлой Алиевой"},
    {"Кравец Павел Игоревич", "Павлом Кравцом"},
    {"Глинка Михаил Иванович", "Михаилом Глинкой"},
    {"Черных Наталья Юрьевна", "Натальей Черных"},
    {"Ким Дарья", "Дарьей Ким"},
    {"ПЕТРОВ ИВАН СЕРГЕЕВИЧ", "ИВАНОМ ПЕТРОВЫМ"},
    // one part, initials, odd spacing
    {"Петров", "Петровым"},
    {"Иван", "Иваном"},
    {"Анна", "Анной"},
    {"Петров И. С.", "Петровым"},
    {"Петров И.С.", "Петровым"},
    {"И. С. Петров", "Петровым"},
    {"  Петров   Иван\tСергеевич  ", "Иваном Петровым"},
    {"Петров\xC2\xA0Иван", "Иваном Петровым"},
    // not a Cyrillic personal name: as written
    {"", ""},
    {"   ", ""},
    {"John Smith", "John Smith"},
    {"John  Smith ", "John Smith"},
    {"Петров John", "Петров John"},
    {"ООО Ромашка", "ООО Ромашка"},
    {"Отдел продаж 2", "Отдел продаж 2"},
    {"Ван дер Ваальс Йоханнес", "Ван дер Ваальс Йоханнес"},
};

} // namespace

TEST_CASE("declension: first names in the instrumental case", "[declension]") {
  for (const auto& c : first_names) {
    CAPTURE(c.input, c.gender);
    CHECK(sr::ivr::first_name_instrumental(c.input, c.gender) == c.expected);
  }
}

TEST_CASE("declension: last names in the instrumental case", "[declension]") {
  for (const auto& c : last_names) {
    CAPTURE(c.input, c.gender);
    CHECK(sr::ivr::last_name_instrumental(c.input, c.gender) == c.expected);
  }
}

TEST_CASE("declension: patronymics in the instrumental case", "[declension]") {
  for (const auto& c : patronymics) {
    CAPTURE(c.input, c.gender);
    CHECK(sr::ivr::patronymic_instrumental(c.input, c.gender) == c.expected);
  }
}

TEST_CASE("declension: full names are spoken as first and last name", "[declension]") {
  for (const auto& c : full_names) {
    CAPTURE(c.input);
    CHECK(sr::ivr::spoken_instrumental(c.input) == c.expected);
  }
}

TEST_CASE("declension: split_name reads 1C order and natural order", "[declension]") {
  auto check = [](std::string_view full, PersonName expected) {
    CAPTURE(full);
    auto name = sr::ivr::split_name(full);
    CHECK(name.last == expected.last);
    CHECK(name.first == expected.first);
    CHECK(name.patronymic == expected.patronymic);
  };
  check("Петров Иван Сергеевич", {"Петров", "Иван", "Сергеевич"});
  check("Иван Сергеевич Петров", {"Петров", "Иван", "Сергеевич"});
  check("Иван Петров", {"Петров", "Иван", ""});
  check("Петров Иван", {"Петров", "Иван", ""});
  check("Ильин Илья", {"Ильин", "Илья", ""});
  check("Рустам Алиев", {"Алиев", "Рустам", ""});
  check("Алиев Рашид Гасан оглы", {"Алиев", "Рашид", "Гасан оглы"});
  check("Иван", {"", "Иван", ""});
  check("Петров", {"Петров", "", ""});
  check(" Петров  Иван ", {"Петров", "Иван", ""});
  check("", {"", "", ""});
}

TEST_CASE("declension: the patronymic decides the gender first", "[declension]") {
  using sr::ivr::guess_gender;
  CHECK(guess_gender({"Петров", "Саша", "Сергеевич"}) == M);
  CHECK(guess_gender({"Петрова", "Саша", "Сергеевна"}) == F);
  CHECK(guess_gender({"Шевченко", "Женя", "Ильинична"}) == F);
  CHECK(guess_gender({"Алиев", "", "Гасан оглы"}) == M);
  CHECK(guess_gender({"Алиева", "", "Гасан кызы"}) == F);
  // A patronymic outweighs a first name from the other table (a data entry slip).
  CHECK(guess_gender({"", "Анна", "Петрович"}) == M);
}

TEST_CASE("declension: first names and surname endings tell the gender", "[declension]") {
  using sr::ivr::guess_gender;
  CHECK(guess_gender({"", "Никита", ""}) == M);
  CHECK(guess_gender({"", "Илья", ""}) == M);
  CHECK(guess_gender({"", "Кузьма", ""}) == M);
  CHECK(guess_gender({"", "Лука", ""}) == M);
  CHECK(guess_gender({"", "Савва", ""}) == M);
  CHECK(guess_gender({"", "Фома", ""}) == M);
  CHECK(guess_gender({"", "Любовь", ""}) == F);
  CHECK(guess_gender({"", "Игорь", ""}) == M);
  CHECK(guess_gender({"", "Оксана", ""}) == F);
  CHECK(guess_gender({"", "Земфира", ""}) == F); // not in the table: -а
  CHECK(guess_gender({"Петрова", "Айсель", ""}) == F);
  CHECK(guess_gender({"Сидорова", "Сиф", ""}) == F); // unknown first name, -ова surname
  CHECK(guess_gender({"Вознесенская", "", ""}) == F);
  CHECK(guess_gender({"Петров", "Саша", ""}) == M);
  CHECK(guess_gender({"Петров", "", ""}) == M);
  CHECK(guess_gender({"Шмидт", "Иоганн", ""}) == M);
  CHECK(guess_gender({"Шмидт", "", ""}) == Gender::unknown);
  CHECK(guess_gender({"Ким", "Саша", ""}) == Gender::unknown);
  CHECK(guess_gender({"Smith", "John", ""}) == Gender::unknown);
  CHECK(guess_gender({}) == Gender::unknown);
}

TEST_CASE("declension: odd input is returned unchanged, never garbled", "[declension]") {
  using namespace sr::ivr;
  CHECK(first_name_instrumental("", M).empty());
  CHECK(last_name_instrumental("", F).empty());
  CHECK(patronymic_instrumental("", U).empty());
  CHECK(last_name_instrumental("-", M) == "-");
  CHECK(last_name_instrumental("Петров-", M) == "Петровым-");
  CHECK(first_name_instrumental("John", M) == "John");
  CHECK(last_name_instrumental("Петров2", M) == "Петров2");
  CHECK(last_name_instrumental("\xD0", M) == "\xD0"); // a truncated UTF-8 sequence
  CHECK(spoken_instrumental("\xFF\xFE") == "\xFF\xFE");
  CHECK(last_name_instrumental("Ъ", M) == "Ъ");
  CHECK(first_name_instrumental("Я", F) == "Я");
}
