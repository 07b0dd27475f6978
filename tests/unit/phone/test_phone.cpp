#include "phone/phone.h"
#include "util/error.h"

#include <catch2/catch.hpp>

#include <cctype>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using sr::phone::Kind;
using sr::phone::Normalizer;
using sr::phone::Number;
using sr::phone::Options;

namespace {

struct Case {
  std::string_view input;
  Options options;
  Kind kind;
  std::string_view value;     // "" for invalid
  std::string_view extension; // "" when none
};

const Options ru{};
const Options kz{"KZ", 5};
const Options de{"DE", 5};
const Options us{"US", 5};
const Options short_extensions{"RU", 2};

constexpr Kind e164 = Kind::e164;
constexpr Kind internal = Kind::internal;
constexpr Kind invalid = Kind::invalid;

// The formats found in 1C catalogues, CSV exports and CDRs, and the garbage found next to them.
const std::vector<Case> k_cases = {
    // Russian numbers as people type them.
    {"8 (495) 123-45-67", ru, e164, "+74951234567", ""},
    {"+7 495 1234567", ru, e164, "+74951234567", ""},
    {"74951234567", ru, e164, "+74951234567", ""},
    {"84951234567", ru, e164, "+74951234567", ""},
    {"4951234567", ru, e164, "+74951234567", ""},
    {"9123456789", ru, e164, "+79123456789", ""},
    {"8-800-555-35-35", ru, e164, "+78005553535", ""},
    {"+7(495)123-45-67", ru, e164, "+74951234567", ""},
    {"  8 495 123 45 67\t", ru, e164, "+74951234567", ""},
    {"8\u00A0495\u00A0123\u00A045\u00A067", ru, e164, "+74951234567", ""}, // no-break spaces
    {"8.495.123.45.67", ru, e164, "+74951234567", ""},
    {"8/495/1234567", ru, e164, "+74951234567", ""},
    {"8\u2013495\u2013123-45-67", ru, e164, "+74951234567", ""}, // en dashes from Word
    {"+ 7 495 123 45 67", ru, e164, "+74951234567", ""},
    {"+7 701 123 45 67", ru, e164, "+77011234567", ""},
    // Extensions.
    {"+7 (912) 345-67-89 доб. 123", ru, e164, "+79123456789", "123"},
    {"+7 912 345-67-89 доб 123", ru, e164, "+79123456789", "123"},
    {"+7 912 345-67-89 доб.123", ru, e164, "+79123456789", "123"},
    {"8 (495) 123-45-67, доб. 204", ru, e164, "+74951234567", "204"},
    {"8 (495) 123-45-67 (доб. 12)", ru, e164, "+74951234567", "12"},
    {"+7 912 345 67 89 ДОБ. 7", ru, e164, "+79123456789", "7"},
    {"+7 912 345 67 89 ext 5", ru, e164, "+79123456789", "5"},
    {"+7 912 345 67 89 ext. 5", ru, e164, "+79123456789", "5"},
    {"+7 912 345 67 89 x5", ru, e164, "+79123456789", "5"},
    {"+7 912 345 67 89 #5", ru, e164, "+79123456789", "5"},
    {"+44 20 7946 0958 ext 12", ru, e164, "+442079460958", "12"},
    // International numbers, with '+' or an IDD prefix.
    {"+44 20 7946 0958", ru, e164, "+442079460958", ""},
    {"+1 212 555 0100", ru, e164, "+12125550100", ""},
    {"+380 44 123 4567", ru, e164, "+380441234567", ""},
    {"+44 (0)20 7946 0958", ru, e164, "+442079460958", ""},
    {"+39 06 1234 5678", ru, e164, "+390612345678", ""},
    {"8 10 44 20 7946 0958", ru, e164, "+442079460958", ""},
    {"00 44 20 7946 0958", ru, e164, "+442079460958", ""},
    {"810 1 212 555 0100", ru, e164, "+12125550100", ""},
    {"8 10 7 495 123 45 67", ru, e164, "+74951234567", ""},
    {"380441234567", ru, e164, "+380441234567", ""},
    // PBX extensions.
    {"101", ru, internal, "101", ""},
    {"2001", ru, internal, "2001", ""},
    {"20301", ru, internal, "20301", ""},
    {"20-301", ru, internal, "20301", ""},
    {"101", short_extensions, invalid, "", ""},
    // Garbage.
    {"abc", ru, invalid, "", ""},
    {"", ru, invalid, "", ""},
    {"   ", ru, invalid, "", ""},
    {"+7 495 12", ru, invalid, "", ""},
    {"123456", ru, invalid, "", ""},
    {"8 495 12a 45 67", ru, invalid, "", ""},
    {"тел. 8 495 123 45 67", ru, invalid, "", ""},
    {"++7 495 123 45 67", ru, invalid, "", ""},
    {"7 495 +123 45 67", ru, invalid, "", ""},
    {"+", ru, invalid, "", ""},
    {"1234567890123456", ru, invalid, "", ""},
    {"+7 495 123 45 678", ru, invalid, "", ""},
    {"+999 123 4567", ru, invalid, "", ""},
    {"+44 12", ru, invalid, "", ""},
    {"+7 595 123 45 67", ru, invalid, "", ""},
    {"8 (095) 123-45-67", ru, invalid, "", ""},
    {"8 123 456 78 90", ru, invalid, "", ""},
    {"+7 749 123 45 67", ru, invalid, "", ""},
    {"+7 912 345 67 89 доб", ru, invalid, "", ""},
    {"доб. 123", ru, invalid, "", ""},
    {"101 доб. 5", ru, invalid, "", ""},
    {"+7 912 345 67 89, +7 916 123 45 67", ru, invalid, "", ""},
    {"8 495 123 45 67 *", ru, invalid, "", ""},
    // Other home countries.
    {"8 (701) 123-45-67", kz, e164, "+77011234567", ""},
    {"8 (727) 258-00-00", kz, e164, "+77272580000", ""},
    {"030 1234567", de, e164, "+49301234567", ""},
    {"+49 30 1234567", de, e164, "+49301234567", ""},
    {"0049 30 1234567", de, e164, "+49301234567", ""},
    {"030 1234567 x 22", de, e164, "+49301234567", "22"},
    {"8 (495) 123-45-67", de, e164, "+74951234567", ""},
    {"(212) 555-0100", us, e164, "+12125550100", ""},
    {"1 212 555 0100", us, e164, "+12125550100", ""},
    {"011 44 20 7946 0958", us, e164, "+442079460958", ""},
    {"810 555 0100", us, e164, "+18105550100", ""},
    {"555 0100", us, invalid, "", ""},
};

std::string describe(const Case& c) {
  return "input \"" + std::string(c.input) + "\", country " + c.options.default_country +
         ", internal_max_digits " + std::to_string(c.options.internal_max_digits);
}

} // namespace

TEST_CASE("phone: formats people type normalise to E.164", "[phone]") {
  REQUIRE(k_cases.size() >= 45);
  for (const Case& c : k_cases) {
    INFO(describe(c));
    const Number n = Normalizer(c.options).normalize(c.input);
    INFO("reason \"" + n.reason + "\"");
    CHECK(n.kind == c.kind);
    CHECK(n.value == c.value);
    CHECK(n.extension == c.extension);
  }
}

TEST_CASE("phone: every invalid text has a lower-case reason, every valid one none", "[phone]") {
  for (const Case& c : k_cases) {
    INFO(describe(c));
    const Number n = Normalizer(c.options).normalize(c.input);
    if (n.kind == Kind::invalid) {
      REQUIRE_FALSE(n.reason.empty());
      CHECK_FALSE(std::isupper(static_cast<unsigned char>(n.reason.front())));
      CHECK(n.value.empty());
      CHECK(n.extension.empty());
    } else {
      CHECK(n.reason.empty());
    }
  }
}

TEST_CASE("phone: reasons name what is wrong", "[phone]") {
  struct Reason {
    std::string_view input;
    std::string_view reason;
  };
  const std::vector<Reason> reasons = {
      {"", "empty"},
      {"abc", "not a phone number: letters"},
      {"123456", "too few digits (6)"},
      {"+7 495 12", "too few digits (6)"},
      {"1234567890123456", "too many digits (16)"},
      {"+999 123 4567", "unknown country code +999"},
      {"+7 595 123 45 67", "no +7 area code starts with 5"},
      {"++7 495 123 45 67", "more than one '+'"},
      {"+", "no digits after '+'"},
      {"+7 912 345 67 89 доб", "extension without digits"},
      {"+44 12", "too few digits for +44 (4)"},
  };
  const Normalizer normalizer;
  for (const Reason& r : reasons) {
    INFO("input \"" << r.input << "\"");
    CHECK(normalizer.normalize(r.input).reason == r.reason);
  }
}

TEST_CASE("phone: normalising an E.164 result again gives it back", "[phone]") {
  for (const Case& c : k_cases) {
    if (c.kind != Kind::e164)
      continue;
    INFO(describe(c));
    const Number n = Normalizer(c.options).normalize(c.value);
    CHECK(n.kind == Kind::e164);
    CHECK(n.value == c.value);
  }
}

TEST_CASE("phone: an unknown default country is a configuration error", "[phone]") {
  CHECK_THROWS_AS(Normalizer(Options{"XX", 5}), sr::Error);
  CHECK_THROWS_WITH(Normalizer(Options{"XX", 5}), Catch::Contains("phone.default_country"));
  CHECK_NOTHROW(Normalizer(Options{"KZ", 5}));
}

TEST_CASE("phone: threads normalising at once get the same results", "[phone]") {
  std::vector<Number> expected;
  for (const Case& c : k_cases)
    expected.push_back(Normalizer(c.options).normalize(c.input));

  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < mismatches.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        for (std::size_t i = 0; i < k_cases.size(); ++i) {
          const Number n = Normalizer(k_cases[i].options).normalize(k_cases[i].input);
          if (n.kind != expected[i].kind || n.value != expected[i].value ||
              n.extension != expected[i].extension || n.reason != expected[i].reason)
            ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  for (int m : mismatches)
    CHECK(m == 0);
}
