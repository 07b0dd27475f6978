#pragma once

// Russian personal names in the instrumental case (творительный падеж), for menu prompts such as
// «Чтобы соединиться с Иваном Петровым, нажмите 1». Pure: no I/O, no locale, UTF-8 in and out.
// The rules cover common Russian names; a word of an unknown shape is returned unchanged, because
// a name read out as it is written sounds better than a garbled one.

#include <string>
#include <string_view>

namespace sr::ivr {

// Grammatical gender of a person, as far as the name tells it.
enum class Gender { unknown, male, female };

// A personal name in its parts; a part that is not known is empty.
struct PersonName {
  std::string last, first, patronymic;
};

// Splits "Петров Иван Сергеевич" (1C order: last first patronymic) into parts; "Иван Петров" and
// "Иван Сергеевич Петров" are recognised when the words make that order plain (a known first name,
// a surname ending, a patronymic in second place), and "Алиев Рашид Гасан оглы" keeps "Гасан оглы".
PersonName split_name(std::string_view full);

// Gender from the patronymic (-вич/-вна/-ична/-оглы/-кызы), else the first name (tables of common
// names, then -а/-я female), else the last name's ending, else male for a consonant-final first
// name.
Gender guess_gender(const PersonName& name);

// "Иван" → "Иваном", "Анна" → "Анной"; with Gender::unknown the gender is guessed from the name.
std::string first_name_instrumental(std::string_view first, Gender g);

// "Петров" → "Петровым", "Петрова" → "Петровой"; parts of a hyphenated name decline separately.
std::string last_name_instrumental(std::string_view last, Gender g);

// "Сергеевич" → "Сергеевичем", "Сергеевна" → "Сергеевной"; the ending alone tells the gender.
std::string patronymic_instrumental(std::string_view patronymic, Gender g);

// What a menu says after «с»: first and last name in the instrumental case ("Иваном Петровым"),
// without the patronymic; a name that is not a Cyrillic personal name comes back as written.
std::string spoken_instrumental(std::string_view full_name);

} // namespace sr::ivr
