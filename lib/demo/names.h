#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

// Word tables for the demo data: Russian people and companies as they appear in a 1C base.
namespace sr::demo {

// A man's first name with the instrumental case menus speak («с Иваном») and the patronymics
// it gives his children, which are irregular often enough (Ильич, Никитична) to be listed.
struct MaleName {
  std::string_view name;
  std::string_view instrumental;
  std::string_view son;      // "Иванович"
  std::string_view daughter; // "Ивановна"
};

// A woman's first name and its instrumental case («с Анной», «с Любовью», «с Айгуль»).
struct FemaleName {
  std::string_view name;
  std::string_view instrumental;
};

// One surname in both genders, nominative and instrumental: Петров, Петрова, Петровым,
// Петровой. Indeclinable ones (Шевченко, Белых) repeat the same word.
struct Surname {
  std::string male;
  std::string female;
  std::string male_instrumental;
  std::string female_instrumental;
};

// About 50 common male first names.
std::span<const MaleName> male_names();

// About 50 common female first names, a few of them indeclinable.
std::span<const FemaleName> female_names();

// About 90 surnames: mostly -ов/-ин, plus -ский, -ой, indeclinable, -ич and foreign ones.
const std::vector<Surname>& surnames();

// Names of 1C service users that must never be offered to callers.
std::span<const std::string_view> service_account_names();

// Whole company names: «Ромашка», «Вектор».
std::span<const std::string_view> company_words();

// Halves of compound company names: "Техно" + "снаб" = «Техноснаб».
std::span<const std::string_view> company_prefixes();
std::span<const std::string_view> company_suffixes();

// The first UTF-8 character of a word, for initials ("И" of "Иван").
std::string_view first_letter(std::string_view word);

} // namespace sr::demo
