#include "ivr/declension.h"

#include <algorithm>
#include <optional>
#include <span>
#include <vector>

namespace sr::ivr {
namespace {

using Text = std::u32string;
using TextView = std::u32string_view;

// Keys are lower case with ё written as е, so that "Пётр" and "Петр" match one table entry.
constexpr std::string_view k_male_names[] = {
    "александр", "алексей",    "альберт",  "анатолий",  "андрей",  "антон",     "аркадий",
    "арсений",   "артем",      "артур",    "богдан",    "борис",   "вадим",     "валентин",
    "валерий",   "василий",    "вениамин", "виктор",    "виталий", "владимир",  "владислав",
    "всеволод",  "вячеслав",   "геннадий", "георгий",   "герман",  "глеб",      "григорий",
    "давид",     "даниил",     "данил",    "денис",     "дмитрий", "евгений",   "егор",
    "захар",     "иван",       "игнат",    "игорь",     "илья",    "иосиф",     "иоганн",
    "кирилл",    "константин", "лев",      "леонид",    "макар",   "максим",    "марк",
    "мартин",    "матвей",     "михаил",   "никита",    "николай", "олег",      "павел",
    "петр",      "платон",     "роберт",   "родион",    "роман",   "ростислав", "руслан",
    "савелий",   "семен",      "сергей",   "станислав", "степан",  "тарас",     "тимофей",
    "тимур",     "федор",      "филипп",   "эдуард",    "эльдар",  "юрий",      "яков",
    "ярослав",   "рустам",     "ринат",    "марат",     "айдар",   "азат",      "ильдар",
    "ильнур",    "рамиль",     "ренат",    "тагир",     "фарид",   "ахмед",     "мурат",
    "магомед",   "алишер",     "шамиль",   "лазарь",    "кузьма",  "фома",      "лука",
    "савва",     "данила",     "гаврила",  "иона",      "миша",    "гоша",      "ваня",
    "петя",      "вася",       "коля",     "дима",      "паша",    "леша",      "сережа",
    "федя",      "гриша",      "витя",     "вова",      "костя",   "толя",      "юра",
};

constexpr std::string_view k_female_names[] = {
    "александра", "алена",     "алина",     "алиса",     "алла",    "анастасия", "ангелина",
    "анна",       "антонина",  "анжелика",  "валентина", "валерия", "вера",      "вероника",
    "виктория",   "галина",    "дарья",     "диана",     "ева",     "евгения",   "екатерина",
    "елена",      "елизавета", "жанна",     "зинаида",   "зоя",     "инна",      "ирина",
    "карина",     "кира",      "клавдия",   "кристина",  "ксения",  "лариса",    "лидия",
    "любовь",     "людмила",   "маргарита", "марина",    "мария",   "милана",    "надежда",
    "наталья",    "наталия",   "нина",      "оксана",    "олеся",   "ольга",     "полина",
    "раиса",      "регина",    "светлана",  "софия",     "софья",   "таисия",    "тамара",
    "татьяна",    "ульяна",    "эльвира",   "юлия",      "яна",     "зарина",    "гульнара",
    "альфия",     "лейла",     "нинель",    "адель",     "айгуль",  "айсель",    "ассоль",
    "рахиль",     "юдифь",     "эсфирь",    "кэтрин",    "элис",    "ирен",      "эстер",
    "маша",       "наташа",    "таня",      "катя",      "оля",     "лена",      "света",
    "галя",       "надя",      "люба",      "ира",       "аня",     "юля",       "даша",
    "настя",
};

// Short forms used for both men and women: the first name alone does not tell the gender.
constexpr std::string_view k_unisex_names[] = {"саша", "женя", "валя", "шура", "саня", "слава"};

// Patronymics from names with a stressed end take -ом, not -ем (Ильичом, Кузьмичом).
constexpr std::string_view k_stressed_patronymics[] = {"ильич", "кузьмич", "лукич", "фомич"};

// Foreign surnames in -а/-я stressed on the end do not decline (с Дюма, с Золя).
constexpr std::string_view k_indeclinable_last[] = {"дюма",   "золя", "дега", "тома",
                                                    "петипа", "люка", "бенуа"};

// Foreign surnames in -ин are nouns, not Russian possessives: Дарвином, not Дарвиным.
constexpr std::string_view k_foreign_in[] = {"дарвин", "чаплин",  "франклин", "мартин",
                                             "гудвин", "болдуин", "элвин",    "кевин"};

// Surnames in -ец that keep their е (Кузнецом); the others lose it (Кравец → Кравцом).
constexpr std::string_view k_fixed_ec[] = {"кузнец", "мудрец", "жрец"};

// Legal forms: "ООО Ромашка" is a company, not a person named Ромашка.
constexpr std::string_view k_legal_forms[] = {"ооо", "оао", "зао", "пао", "ао",   "ип", "тоо",
                                              "нко", "ано", "гуп", "муп", "фгуп", "чп"};

// Second words of Turkic patronymics ("Гасан оглы", "Гасан кызы").
constexpr std::string_view k_turkic_male[] = {"оглы", "улы", "уулу"};
constexpr std::string_view k_turkic_female[] = {"кызы", "гызы", "кизи"};

// How a word declines: drop `cut` letters, append `add` (lower case; upper case follows the word).
struct Change {
  std::size_t cut = 0;
  TextView add;
};
using Result = std::optional<Change>;
constexpr Result keep = std::nullopt;

// Whole words whose instrumental form is irregular (fleeting vowels, stressed endings).
struct Special {
  std::string_view key;
  Change change;
};
constexpr Special k_special_first[] = {
    {"павел", {2, U"лом"}},
    {"лев", {2, U"ьвом"}},
    {"петр", {3, U"етром"}},
    {"илья", {1, U"ёй"}},
};
constexpr Special k_special_last[] = {
    {"соловей", {2, U"ьём"}}, {"воробей", {2, U"ьём"}}, {"муравей", {2, U"ьём"}},
    {"орел", {2, U"лом"}},    {"козел", {2, U"лом"}},   {"прибой", {1, U"ем"}},
    {"герой", {1, U"ем"}},    {"конвой", {1, U"ем"}},   {"разбой", {1, U"ем"}},
};

// First parts of hyphenated surnames that stay as they are (Бонч-Бруевичем, Тер-Петросяном).
constexpr std::string_view k_fixed_first_parts[] = {"бонч", "гулак", "тер", "ибн"};

bool contains(std::span<const std::string_view> table, std::string_view key) {
  return std::find(table.begin(), table.end(), key) != table.end();
}

// --- UTF-8 and letters ---------------------------------------------------------------------

std::optional<Text> decode(std::string_view s) {
  Text out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80           ? 1
                      : (b >> 5) == 0x6  ? 2
                      : (b >> 4) == 0xE  ? 3
                      : (b >> 3) == 0x1E ? 4
                                         : 0;
    if (len == 0 || i + len > s.size())
      return std::nullopt;
    char32_t c = len == 1 ? b : b & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      auto cb = static_cast<unsigned char>(s[i + k]);
      if ((cb & 0xC0) != 0x80)
        return std::nullopt;
      c = (c << 6) | (cb & 0x3F);
    }
    out += c;
    i += len;
  }
  return out;
}

std::string encode(TextView s) {
  static constexpr unsigned char k_lead[] = {0x00, 0xC0, 0xE0, 0xF0};
  std::string out;
  out.reserve(s.size() * 2);
  for (char32_t c : s) {
    int extra = c < 0x80 ? 0 : c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;
    out += static_cast<char>(k_lead[extra] | (c >> (6 * extra)));
    for (int k = extra - 1; k >= 0; --k)
      out += static_cast<char>(0x80 | ((c >> (6 * k)) & 0x3F));
  }
  return out;
}

bool is_cyrillic(char32_t c) {
  return (c >= U'А' && c <= U'я') || c == U'Ё' || c == U'ё';
}
bool is_upper(char32_t c) {
  return (c >= U'А' && c <= U'Я') || c == U'Ё';
}
bool is_lower(char32_t c) {
  return (c >= U'а' && c <= U'я') || c == U'ё';
}
char32_t to_lower(char32_t c) {
  return c == U'Ё' ? U'ё' : is_upper(c) ? c + 0x20 : c;
}
char32_t to_upper(char32_t c) {
  return c == U'ё' ? U'Ё' : is_lower(c) ? c - 0x20 : c;
}

bool one_of(TextView letters, char32_t c) {
  return letters.find(c) != TextView::npos;
}
bool is_vowel(char32_t c) {
  return one_of(U"аеёиоуыэюя", c);
}
bool is_consonant(char32_t c) {
  return one_of(U"бвгджзклмнпрстфхцчшщ", c);
}
// After ж, ш, ч, щ, ц an unstressed ending is spelled with е (Сашей, Шульцем).
bool is_hissing(char32_t c) {
  return one_of(U"жшчщц", c);
}

bool has_vowel(TextView s) {
  return std::any_of(s.begin(), s.end(), is_vowel);
}

Text key_of(TextView word) {
  Text key(word);
  for (auto& c : key) {
    c = to_lower(c);
    if (c == U'ё')
      c = U'е';
  }
  return key;
}

std::optional<Text> key_of(std::string_view word) {
  auto text = decode(word);
  if (!text)
    return std::nullopt;
  return key_of(TextView(*text));
}

// `suffix` ends the key and what comes before it has a vowel: "петров" ends in "ов" as a
// surname does, "лев" does not.
bool ends_stem(TextView key, TextView suffix) {
  return key.ends_with(suffix) && has_vowel(key.substr(0, key.size() - suffix.size()));
}

TextView last_part(TextView key) {
  auto dash = key.rfind(U'-');
  return dash == TextView::npos ? key : key.substr(dash + 1);
}

// A word made of Cyrillic letters, hyphens and apostrophes, with at least one letter.
bool is_name_word(TextView word) {
  bool letter = false;
  for (char32_t c : word) {
    if (is_cyrillic(c))
      letter = true;
    else if (!one_of(U"-'’", c))
      return false;
  }
  return letter;
}

// An initial such as "И." or "И.С." (or a lone letter), which is never declined or spoken.
bool is_initial(TextView word) {
  std::size_t letters = 0, dots = 0;
  for (char32_t c : word) {
    if (c == U'.')
      ++dots;
    else if (is_cyrillic(c) || (c >= U'A' && c <= U'Z') || (c >= U'a' && c <= U'z'))
      ++letters;
    else
      return false;
  }
  return letters == 1 || (letters == 2 && dots > 0);
}

// --- gender -------------------------------------------------------------------------------

Gender patronymic_gender(TextView key) {
  auto space = key.rfind(U' ');
  auto word = encode(space == TextView::npos ? key : key.substr(space + 1));
  if (contains(k_turkic_male, word))
    return Gender::male;
  if (contains(k_turkic_female, word))
    return Gender::female;
  if (key.size() >= 5 && key.ends_with(U"ич"))
    return Gender::male;
  if (key.size() >= 5 && (key.ends_with(U"вна") || key.ends_with(U"чна")))
    return Gender::female;
  return Gender::unknown;
}

Gender first_name_gender(TextView key) {
  auto word = encode(key);
  if (contains(k_male_names, word))
    return Gender::male;
  if (contains(k_female_names, word))
    return Gender::female;
  if (contains(k_unisex_names, word))
    return Gender::unknown;
  if (key.ends_with(U"а") || key.ends_with(U"я"))
    return Gender::female;
  return Gender::unknown;
}

// Consonant-final first names that no table knows are mostly men's (Рустам, Иоганн).
bool ends_in_consonant(TextView key) {
  return !key.empty() && (is_consonant(key.back()) || key.back() == U'й');
}

Gender last_name_gender(TextView key) {
  key = last_part(key);
  for (TextView s : {U"ова", U"ева", U"ина", U"ына", U"ая"})
    if (ends_stem(key, s))
      return Gender::female;
  for (TextView s : {U"ов", U"ев", U"ин", U"ын", U"ий", U"ый", U"ой"})
    if (ends_stem(key, s))
      return Gender::male;
  return Gender::unknown;
}

// --- declension rules: each takes a key and tells how the word changes ----------------------

std::optional<Change> special(std::span<const Special> table, TextView key) {
  auto word = encode(key);
  for (const auto& s : table)
    if (s.key == word)
      return s.change;
  return keep;
}

// Nouns in -а/-я of the first declension, the same for men and women (Никитой, Анной, Сашей,
// Марией, Глинкой). After a vowel -а is foreign and stressed (Моруа): left alone.
Result noun_a_ya(TextView key) {
  if (key.size() < 2)
    return keep;
  char32_t prev = key[key.size() - 2];
  if (key.back() == U'а') {
    if (is_vowel(prev))
      return keep;
    return Change{1, is_hissing(prev) ? U"ей" : U"ой"};
  }
  if (key.back() == U'я')
    return Change{1, U"ей"};
  return keep;
}

Result first_rule(TextView key, Gender g) {
  if (g == Gender::unknown) {
    g = first_name_gender(key);
    if (g == Gender::unknown && ends_in_consonant(key))
      g = Gender::male;
  }
  if (g == Gender::male)
    if (auto s = special(k_special_first, key))
      return s;
  char32_t last = key.back();
  if (last == U'а' || last == U'я')
    return noun_a_ya(key);
  if (last == U'ь' && key.size() >= 2) {
    if (g == Gender::male)
      return Change{1, U"ем"}; // Игорем
    if (g == Gender::female)
      return Change{1, U"ью"}; // Любовью
    return keep;
  }
  if (g != Gender::male)
    return keep; // women's names in a consonant (Кэтрин) and in -о/-и/-е do not decline
  if (last == U'й')
    return Change{1, U"ем"}; // Андреем, Дмитрием
  if (is_consonant(last))
    return Change{0, is_hissing(last) ? U"ем" : U"ом"};
  return keep;
}

Result last_a_ya(TextView key, Gender g) {
  if (ends_stem(key, U"ая"))
    return g == Gender::male ? keep : Change{2, U"ой"}; // Толстой, Вознесенской
  if (ends_stem(key, U"яя"))
    return g == Gender::male ? keep : Change{2, U"ей"};
  return noun_a_ya(key); // Петровой, Глинкой, Головней
}

// -ец loses its е after a consonant when the word has another vowel (Кравцом, Стрельцом).
Result last_ec(TextView key) {
  auto stem = key.substr(0, key.size() - 2);
  if (contains(k_fixed_ec, encode(key)) || !has_vowel(stem))
    return Change{0, U"ом"}; // Швецом, Кузнецом
  if (!is_consonant(stem.back()))
    return keep; // Кореец → Корейцем is beyond these rules
  return Change{2, stem.back() == U'л' ? U"ьцом" : U"цом"};
}

Result last_male_consonant(TextView key) {
  char32_t last = key.back();
  if (ends_stem(key, U"их") || ends_stem(key, U"ых"))
    return keep; // Белых, Долгих
  for (TextView s : {U"ий", U"ый", U"ой"})
    if (ends_stem(key, s)) {
      // After г, к, х, ж, ш, ч, щ (but not ц) adjectives take и: Горьким, Донским.
      bool soft = s == U"ий" || one_of(U"гкхжшчщ", key[key.size() - 3]);
      return Change{2, soft ? U"им" : U"ым"}; // Высоцким, Белым, Толстым
    }
  if (last == U'й' || last == U'ь')
    return Change{1, U"ем"}; // Гайдаем, Гусем, Цоем
  if (contains(k_foreign_in, encode(key)))
    return Change{0, U"ом"};
  for (TextView s : {U"ов", U"ев", U"ин", U"ын"})
    if (ends_stem(key, s))
      return Change{0, U"ым"};
  if (key.ends_with(U"ец"))
    return last_ec(key);
  if (is_consonant(last))
    return Change{0, is_hissing(last) ? U"ем" : U"ом"}; // Бабичем, Шмидтом
  return keep;
}

Result last_rule(TextView key, Gender g) {
  if (g == Gender::unknown)
    g = last_name_gender(key);
  if (contains(k_indeclinable_last, encode(key)))
    return keep;
  if (g == Gender::male)
    if (auto s = special(k_special_last, key))
      return s;
  char32_t last = key.back();
  if (last == U'а' || last == U'я')
    return last_a_ya(key, g);
  if (g != Gender::male)
    return keep; // women's surnames in a consonant do not decline; nor do -о, -е, -и, -у
  if (is_vowel(last))
    return keep; // Шевченко, Гёте, Верди, Шоу
  return last_male_consonant(key);
}

Result patronymic_rule(TextView key, Gender /*the ending tells*/) {
  if (contains(k_stressed_patronymics, encode(key)))
    return Change{0, U"ом"};
  if (key.size() >= 5 && key.ends_with(U"ич"))
    return Change{0, U"ем"};
  if (key.size() >= 5 && (key.ends_with(U"вна") || key.ends_with(U"чна")))
    return Change{1, U"ой"};
  return keep;
}

// --- applying a rule to a word -------------------------------------------------------------

using Rule = Result (*)(TextView key, Gender g);

// Appended letters follow the word's case: "ПЕТРОВ" → "ПЕТРОВЫМ", "Петров" → "Петровым".
Text apply(TextView word, const Change& change) {
  bool upper = std::any_of(word.begin(), word.end(), is_upper) &&
               std::none_of(word.begin(), word.end(), is_lower) && word.size() > 1;
  Text out(word.substr(0, word.size() - change.cut));
  for (char32_t c : change.add)
    out += upper ? to_upper(c) : c;
  return out;
}

std::string inflect(std::string_view word, Gender g, Rule rule) {
  auto text = decode(word);
  if (!text || !is_name_word(*text))
    return std::string(word);
  TextView all(*text);
  Text out;
  for (std::size_t start = 0;;) {
    auto dash = all.find(U'-', start);
    auto part = all.substr(start, dash == TextView::npos ? TextView::npos : dash - start);
    auto key = key_of(part);
    bool fixed = dash != TextView::npos && contains(k_fixed_first_parts, encode(key));
    Result change = !fixed && (has_vowel(key) || ends_in_consonant(key)) ? rule(key, g) : keep;
    if (change && change->cut < part.size())
      out += apply(part, *change);
    else
      out += part;
    if (dash == TextView::npos)
      break;
    out += U'-';
    start = dash + 1;
  }
  return encode(out);
}

// --- splitting ------------------------------------------------------------------------------

std::vector<std::string> words_of(std::string_view s) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty())
      words.push_back(std::move(word));
    word.clear();
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      flush();
    } else if (c == '\xC2' && i + 1 < s.size() && s[i + 1] == '\xA0') { // no-break space
      flush();
      ++i;
    } else {
      word += c;
    }
  }
  flush();
  return words;
}

std::string join(const std::vector<std::string>& words, std::size_t from = 0) {
  std::string out;
  for (std::size_t i = from; i < words.size(); ++i) {
    if (!out.empty())
      out += ' ';
    out += words[i];
  }
  return out;
}

bool in_table(std::span<const std::string_view> table, std::string_view word) {
  auto key = key_of(word);
  return key && contains(table, encode(*key));
}

bool known_first(std::string_view word) {
  return in_table(k_male_names, word) || in_table(k_female_names, word) ||
         in_table(k_unisex_names, word);
}

bool patronymic_shaped(std::string_view word) {
  auto key = key_of(word);
  return key && is_name_word(*key) && patronymic_gender(*key) != Gender::unknown;
}

bool surname_shaped(std::string_view word) {
  auto key = key_of(word);
  if (!key)
    return false;
  for (TextView s : {U"енко", U"ян", U"швили", U"дзе", U"ский", U"цкий", U"ская", U"цкая"})
    if (key->ends_with(s))
      return true;
  return last_name_gender(*key) != Gender::unknown;
}

bool initial(std::string_view word) {
  auto text = decode(word);
  return text && is_initial(*text);
}

bool ends_in_consonant(std::string_view word) {
  auto key = key_of(word);
  return key && ends_in_consonant(TextView(*key));
}

} // namespace

PersonName split_name(std::string_view full) {
  auto w = words_of(full);
  switch (w.size()) {
  case 0:
    return {};
  case 1:
    return known_first(w[0]) ? PersonName{"", w[0], ""} : PersonName{w[0], "", ""};
  case 2: {
    bool first_last = !known_first(w[1]) && (known_first(w[0]) || initial(w[0]) ||
                                             (surname_shaped(w[1]) && !surname_shaped(w[0])));
    return first_last ? PersonName{w[1], w[0], ""} : PersonName{w[0], w[1], ""};
  }
  case 3:
    // In 1C order the second word is a first name, never a patronymic or an initial.
    if (patronymic_shaped(w[1]) || (initial(w[0]) && initial(w[1]) && !initial(w[2])))
      return {w[2], w[0], w[1]};
    return {w[0], w[1], w[2]};
  default:
    return {w[0], w[1], join(w, 2)};
  }
}

Gender guess_gender(const PersonName& name) {
  auto patronymic = key_of(name.patronymic);
  if (patronymic) {
    if (auto g = patronymic_gender(*patronymic); g != Gender::unknown)
      return g;
  }
  auto first = key_of(name.first);
  if (first && is_name_word(*first))
    if (auto g = first_name_gender(*first); g != Gender::unknown)
      return g;
  auto last = key_of(name.last);
  if (last && is_name_word(*last))
    if (auto g = last_name_gender(*last); g != Gender::unknown)
      return g;
  return ends_in_consonant(name.first) ? Gender::male : Gender::unknown;
}

std::string first_name_instrumental(std::string_view first, Gender g) {
  return inflect(first, g, first_rule);
}

std::string last_name_instrumental(std::string_view last, Gender g) {
  return inflect(last, g, last_rule);
}

std::string patronymic_instrumental(std::string_view patronymic, Gender g) {
  return inflect(patronymic, g, patronymic_rule);
}

std::string spoken_instrumental(std::string_view full_name) {
  auto words = words_of(full_name);
  auto as_written = join(words);
  bool turkic = words.size() == 4 &&
                (in_table(k_turkic_male, words[3]) || in_table(k_turkic_female, words[3]));
  if (words.size() > 3 && !turkic)
    return as_written;
  for (const auto& word : words) {
    auto text = decode(word);
    if (!text || in_table(k_legal_forms, word) || !(is_name_word(*text) || is_initial(*text)))
      return as_written;
  }
  auto name = split_name(full_name);
  auto g = guess_gender(name);
  std::string out;
  if (!name.first.empty() && !initial(name.first))
    out = first_name_instrumental(name.first, g);
  if (!name.last.empty() && !initial(name.last))
    out += (out.empty() ? "" : " ") + last_name_instrumental(name.last, g);
  return out.empty() ? as_written : out;
}

} // namespace sr::ivr
