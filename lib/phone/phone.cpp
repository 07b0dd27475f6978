// Phone normalisation in two tiers: a hand-written scanner and +7 (Russia, Kazakhstan) rules that
// never allocate beyond the result, because the call path and imports of millions of rows run
// through them; libphonenumber for every other country, where correctness beats speed.
#include "phone/phone.h"

#include "util/error.h"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace sr::phone {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// E.164 caps a number at 15 digits; an IDD prefix ("8 10") typed before it adds up to 3.
constexpr std::size_t k_max_e164_digits = 15;
constexpr std::size_t k_max_typed_digits = k_max_e164_digits + 3;
// A longer "extension" is more likely a second number glued on than a PBX extension.
constexpr std::size_t k_max_extension_digits = 8;

// Whether libphonenumber only has to accept the length, or also a known number range.
enum class Check { possible, valid };

// A phone text taken apart: its digits, a leading '+' and an extension. Holds no heap memory
// unless the text is rejected.
struct Scan {
  std::array<char, k_max_typed_digits> digits{};
  std::size_t count = 0; // all digits seen; only the first k_max_typed_digits are kept
  bool plus = false;
  std::string_view extension;
  std::string error; // non-empty when the text is not a phone number
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

unsigned char byte_at(std::string_view s, std::size_t i) {
  return i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
}

// ASCII punctuation people put between digit groups ("8 (495) 123-45-67", "8.495/123").
constexpr auto k_ascii_separators = [] {
  std::array<bool, 128> table{};
  for (const char c : std::string_view(" \t\r\n-()./"))
    table[static_cast<unsigned char>(c)] = true;
  return table;
}();

// Length of the separator at `i`, or 0: the ASCII ones, and the Unicode spaces, dashes and
// direction marks that word processors and 1C forms paste in.
std::size_t separator_length(std::string_view s, std::size_t i) {
  if (const auto b = static_cast<unsigned char>(s[i]); b < 128)
    return k_ascii_separators[b] ? 1 : 0;
  const unsigned char b0 = byte_at(s, i), b1 = byte_at(s, i + 1), b2 = byte_at(s, i + 2);
  if (b0 == 0xC2 && b1 == 0xA0) // U+00A0 no-break space
    return 2;
  if (b0 == 0xE2 && b1 == 0x80 && ((b2 >= 0x80 && b2 <= 0x95) || b2 == 0xAF))
    return 3; // U+2000..U+2015 spaces, marks and dashes; U+202F narrow no-break space
  if (b0 == 0xE2 && b1 == 0x88 && b2 == 0x92) // U+2212 minus sign
    return 3;
  return 0;
}

std::size_t skip_separators(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    const std::size_t n = separator_length(s, i);
    if (n == 0)
      break;
    i += n;
  }
  return i;
}

// Length of `word` (lower case ASCII or two-byte Cyrillic) at `i` of `s` in any letter case,
// or 0 when it is not there.
std::size_t match_word(std::string_view s, std::size_t i, std::string_view word) {
  std::size_t k = 0;
  while (k < word.size()) {
    unsigned char a = byte_at(s, i + k);
    const auto w = static_cast<unsigned char>(word[k]);
    if (w < 0x80) {
      if (a >= 'A' && a <= 'Z')
        a = static_cast<unsigned char>(a - 'A' + 'a');
      if (a != w)
        return 0;
      ++k;
      continue;
    }
    unsigned char b = byte_at(s, i + k + 1); // А..П = D0 90..9F, Р..Я = D0 A0..AF
    if (a == 0xD0 && b >= 0x90 && b <= 0x9F) {
      b = static_cast<unsigned char>(b + 0x20);
    } else if (a == 0xD0 && b >= 0xA0 && b <= 0xAF) {
      a = 0xD1;
      b = static_cast<unsigned char>(b - 0x20);
    }
    if (a != w || b != static_cast<unsigned char>(word[k + 1]))
      return 0;
    k += 2;
  }
  return k;
}

// Length of an extension marker at `i` ("доб", "добавочный", "ext", "extension", "x", "#"),
// or 0.
std::size_t extension_marker_length(std::string_view s, std::size_t i) {
  const char c = i < s.size() ? s[i] : '\0';
  if (c == '#' || c == 'x' || c == 'X')
    return 1;
  if (c == 'e' || c == 'E') {
    if (std::size_t n = match_word(s, i, "extension"))
      return n;
    return match_word(s, i, "ext");
  }
  if (static_cast<unsigned char>(c) == 0xD0) {
    if (std::size_t n = match_word(s, i, "добавочный"))
      return n;
    return match_word(s, i, "доб");
  }
  return 0;
}

// Reads the extension digits after a marker; only separators, ':' and a closing ')' may
// surround them.
void scan_extension(std::string_view s, std::size_t i, Scan& scan) {
  while (i < s.size() && (s[i] == ':' || separator_length(s, i) > 0))
    i += s[i] == ':' ? 1 : separator_length(s, i);
  const std::size_t start = i;
  while (i < s.size() && is_digit(s[i]))
    ++i;
  scan.extension = s.substr(start, i - start);
  i = skip_separators(s, i);
  if (scan.count == 0)
    scan.error = "no number before the extension";
  else if (scan.extension.empty())
    scan.error = "extension without digits";
  else if (i != s.size())
    scan.error = "unexpected text after the extension";
  else if (scan.extension.size() > k_max_extension_digits)
    scan.error = "extension too long (" + std::to_string(scan.extension.size()) + " digits)";
}

std::string unexpected_character(char c) {
  const auto b = static_cast<unsigned char>(c);
  if (b >= 0x80 || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))
    return "not a phone number: letters";
  if (b < 0x21 || b == 0x7F)
    return "not a phone number: control character";
  return std::string("not a phone number: unexpected '") + c + "'";
}

void scan_text(std::string_view s, Scan& scan) {
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (is_digit(c)) {
      if (scan.count < scan.digits.size())
        scan.digits[scan.count] = c;
      ++scan.count;
      ++i;
    } else if (const std::size_t n = separator_length(s, i)) {
      i += n;
    } else if (c == '+') {
      if (scan.plus) {
        scan.error = "more than one '+'";
        return;
      }
      if (scan.count > 0) {
        scan.error = "'+' after digits";
        return;
      }
      scan.plus = true;
      ++i;
    } else {
      // "..., доб. 204": a comma or semicolon may only introduce an extension.
      const std::size_t at = c == ',' || c == ';' ? skip_separators(s, i + 1) : i;
      if (const std::size_t n = extension_marker_length(s, at)) {
        scan_extension(s, at + n, scan);
      } else {
        scan.error = unexpected_character(c);
      }
      return;
    }
  }
}

bool is_blank(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (byte_at(s, i) == 0xC2 && byte_at(s, i + 1) == 0xA0) {
      i += 2;
    } else {
      return false;
    }
  }
  return true;
}

// Results are written into one Number that normalize() returns, so the call path never moves
// strings around; `return reject(n, ...)` ends a path.
void reject(Number& n, std::string reason) {
  n.kind = Kind::invalid;
  n.value.clear();
  n.reason = std::move(reason);
}

void accept(Number& n, std::string_view value) {
  n.kind = Kind::e164;
  n.value.assign(value);
  n.reason.clear();
}

std::string count_reason(std::string what, std::size_t digits) {
  return what + " (" + std::to_string(digits) + ")";
}

// A +7 number from its 10 national digits. The first digit says where it is: 3, 4, 8 and 9 are
// Russian area codes, 7 is Kazakhstan, and nothing starts with 0, 1, 2, 5 or 6.
void zone7_number(std::string_view national, Number& n) {
  const char first = national.front();
  if (first != '3' && first != '4' && first != '7' && first != '8' && first != '9')
    return reject(n, std::string("no +7 area code starts with ") + first);
  std::array<char, 12> value{'+', '7'};
  std::copy(national.begin(), national.end(), value.begin() + 2);
  if (first == '7') {
    // Kazakh ranges are few and sparse; they are rare enough here to ask libphonenumber.
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    number.set_country_code(7);
    number.set_national_number(std::stoull(std::string(national)));
    if (!util.IsValidNumber(number))
      return reject(n, "not a valid kazakh number");
  }
  accept(n, std::string_view(value.data(), value.size()));
}

// "+7..." with the 7 still in front.
void zone7_international(std::string_view digits, Number& n) {
  if (digits.size() < 11)
    return reject(n, count_reason("too few digits", digits.size()));
  if (digits.size() > 11)
    return reject(n, count_reason("too many digits", digits.size()));
  zone7_number(digits.substr(1), n);
}

// The country calling code at the front of `digits` (codes are prefix-free), or 0.
int country_code_prefix(const PhoneNumberUtil& util, std::string_view digits) {
  if (digits.empty() || digits.front() == '0')
    return 0;
  int code = 0;
  std::string region;
  for (std::size_t k = 0; k < std::min<std::size_t>(3, digits.size()); ++k) {
    code = code * 10 + (digits[k] - '0');
    util.GetRegionCodeForCountryCode(code, &region);
    if (region != "ZZ")
      return code;
  }
  return 0;
}

std::string parse_error_reason(PhoneNumberUtil::ErrorType error, const std::string& where,
                               std::size_t digits) {
  switch (error) {
  case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
    return "unknown country code";
  case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    return "too few digits after the international prefix";
  case PhoneNumberUtil::TOO_SHORT_NSN:
    return count_reason("too few digits for " + where, digits);
  case PhoneNumberUtil::TOO_LONG_NSN:
    return count_reason("too many digits for " + where, digits);
  default:
    return "not a phone number";
  }
}

// Accepts a parsed number whose length fits its country (and, for Check::valid, whose range
// is known), formatted as E.164.
void checked(const PhoneNumberUtil& util, const PhoneNumber& number, Check check,
             const std::string& where, std::string_view typed, Number& n) {
  const std::size_t digits = typed.size();
  switch (util.IsPossibleNumberWithReason(number)) {
  case PhoneNumberUtil::IS_POSSIBLE:
    break;
  case PhoneNumberUtil::INVALID_COUNTRY_CODE:
    return reject(n, "unknown country code " + where);
  case PhoneNumberUtil::TOO_LONG:
    return reject(n, count_reason("too many digits for " + where, digits));
  case PhoneNumberUtil::INVALID_LENGTH:
    return reject(n, count_reason("wrong number of digits for " + where, digits));
  default: // TOO_SHORT, IS_POSSIBLE_LOCAL_ONLY: a local number without its area code
    return reject(n, count_reason("too few digits for " + where, digits));
  }
  if (check == Check::valid && !util.IsValidNumber(number))
    return reject(n, "not a valid " + where + " number");
  std::string out;
  util.Format(number, PhoneNumberUtil::E164, &out);
  if (out.size() > 1 + k_max_e164_digits) // libphonenumber allows 15 digits after the country code
    return reject(n, count_reason("too many digits for " + where, digits));
  // Parse strips national prefixes and carrier codes ("+44 (0)20 ...", "0 21 11 ..." in Brazil).
  // When it stripped something, the result must survive normalising again unchanged, or the
  // same number would be stored in two spellings ("+43 00 744 ..." loses a 0 each time).
  if (std::string_view(out).substr(1) != typed) {
    PhoneNumber again;
    std::string twice;
    if (util.Parse(out, "ZZ", &again) == PhoneNumberUtil::NO_PARSING_ERROR)
      util.Format(again, PhoneNumberUtil::E164, &twice);
    if (twice != out)
      return reject(n, "ambiguous digits after " + where);
  }
  accept(n, out);
}

// Digits after "+" or an IDD prefix: country code first.
void international(std::string_view digits, Check check, Number& n) {
  if (digits.empty())
    return reject(n, "no digits after the international prefix");
  if (digits.front() == '7')
    return zone7_international(digits, n);
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  const int code = country_code_prefix(util, digits);
  if (code == 0)
    return reject(n, "unknown country code +" + std::string(digits.substr(0, 3)));
  std::string text = "+";
  text.append(digits);
  PhoneNumber number;
  const std::string where = "+" + std::to_string(code);
  if (const auto error = util.Parse(text, "ZZ", &number);
      error != PhoneNumberUtil::NO_PARSING_ERROR)
    return reject(n, parse_error_reason(error, where, digits.size()));
  checked(util, number, check, where, digits, n);
}

// Whether `digits` without '+' is a valid foreign number; a guess, so only a known range counts.
bool international_guess(std::string_view digits, Number& n) {
  Number guess;
  international(digits, Check::valid, guess);
  if (guess.kind != Kind::e164)
    return false;
  n = std::move(guess);
  return true;
}

// Digits without "+" in Russia or Kazakhstan: 8 or 7 then 10 digits, or just the 10.
void zone7_national(std::string_view digits, Number& n) {
  const char first = digits.front();
  if (digits.size() == 10)
    return zone7_number(digits, n);
  if (digits.size() == 11 && (first == '7' || first == '8'))
    return zone7_number(digits.substr(1), n);
  if (digits.size() < 10)
    return reject(n, count_reason("too few digits", digits.size()));
  // Too long for a +7 number: perhaps a foreign number typed without its '+' ("380441234567").
  if (first != '7' && first != '8' && international_guess(digits, n))
    return;
  if (digits.size() == 11)
    return reject(n, "11 digits not starting with 7 or 8");
  reject(n, count_reason("too many digits", digits.size()));
}

// Digits without "+" in any other country, tried in order: a valid number of that country, a
// Russian number written "8 495 ..." (the usual foreign client), a valid foreign number
// without its '+', and last a number of that country whose length at least fits.
void foreign_national(std::string_view digits, const std::string& region, Number& n) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  const auto error = util.Parse(std::string(digits), region, &number);
  const bool parsed = error == PhoneNumberUtil::NO_PARSING_ERROR;
  if (parsed && number.country_code() == 7) { // dialled abroad through the region's IDD
    std::string out;
    util.Format(number, PhoneNumberUtil::E164, &out);
    return zone7_international(std::string_view(out).substr(1), n);
  }
  // Through the region's IDD prefix ("011 44 ...") the number may be of another country.
  const std::string where = parsed && number.country_code() != util.GetCountryCodeForRegion(region)
                                ? "+" + std::to_string(number.country_code())
                                : region;
  if (parsed && util.IsValidNumber(number))
    return checked(util, number, Check::possible, where, digits, n);
  const char first = digits.front();
  if (digits.size() == 11 && (first == '7' || first == '8')) {
    Number russian;
    zone7_number(digits.substr(1), russian);
    if (russian.kind == Kind::e164) {
      n = std::move(russian);
      return;
    }
  }
  if (digits.size() >= 11 && first != '7' && international_guess(digits, n))
    return;
  if (!parsed)
    return reject(n, parse_error_reason(error, where, digits.size()));
  checked(util, number, Check::possible, where, digits, n);
}

bool is_zone7(const std::string& region) {
  return region.size() == 2 &&
         ((region[0] == 'R' && region[1] == 'U') || (region[0] == 'K' && region[1] == 'Z'));
}

} // namespace

Normalizer::Normalizer(Options options) : m_options(std::move(options)) {
  if (!is_zone7(m_options.default_country) &&
      PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(m_options.default_country) == 0)
    throw Error("phone.default_country: unknown country '" + m_options.default_country +
                "' (expected an ISO 3166 code such as \"RU\")");
}

Number Normalizer::normalize(std::string_view raw) const {
  Number n;
  Scan scan;
  scan_text(raw, scan);
  if (!scan.error.empty()) {
    reject(n, std::move(scan.error));
    return n;
  }
  if (scan.count == 0) {
    reject(n, scan.plus ? "no digits after '+'" : is_blank(raw) ? "empty" : "no digits");
    return n;
  }
  if (scan.count > scan.digits.size()) {
    reject(n, count_reason("too many digits", scan.count));
    return n;
  }

  std::string_view digits(scan.digits.data(), scan.count);
  const auto internal_max = static_cast<std::size_t>(std::max(0, m_options.internal_max_digits));
  if (!scan.plus && digits.size() <= internal_max) {
    if (!scan.extension.empty()) {
      reject(n, "extension after an internal number");
    } else {
      n.kind = Kind::internal;
      n.value.assign(digits);
    }
    return n;
  }

  // IDD prefixes are stripped here: libphonenumber with region RU reads "00" as national.
  // "810" is only an IDD prefix in the +7 zone (in the USA it is an area code).
  const bool zone7 = is_zone7(m_options.default_country);
  bool plus = scan.plus;
  if (!plus && digits.size() >= 2 && digits[0] == '0' && digits[1] == '0') {
    digits.remove_prefix(2);
    plus = true;
  } else if (!plus && zone7 && digits.size() >= 3 && digits[0] == '8' && digits[1] == '1' &&
             digits[2] == '0') {
    digits.remove_prefix(3);
    plus = true;
  }

  if (digits.size() > k_max_e164_digits)
    reject(n, count_reason("too many digits", digits.size()));
  else if (plus)
    international(digits, Check::possible, n);
  else if (zone7)
    zone7_national(digits, n);
  else
    foreign_national(digits, m_options.default_country, n);
  if (n.kind == Kind::e164)
    n.extension.assign(scan.extension);
  return n;
}

} // namespace sr::phone
