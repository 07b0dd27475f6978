#pragma once

#include <string>
#include <string_view>

namespace sr::phone {

// What a raw phone text turned out to be.
enum class Kind {
  e164,     // a public number, normalised to E.164 ("+74951234567")
  internal, // a short PBX extension ("201"): kept as digits, never matched to clients
  invalid,  // garbage; `reason` says why
};

// The result of normalising one phone text.
struct Number {
  Kind kind = Kind::invalid;
  std::string value;     // "+74951234567" for e164, "201" for internal, "" for invalid
  std::string extension; // "123" from "... доб. 123" / "ext 123" / "#123", else ""
  std::string reason;    // why it is invalid, for error messages ("too few digits (6)")
};

// Settings from the [phone] section of the configuration.
struct Options {
  std::string default_country = "RU"; // ISO 3166 region used for numbers without "+"
  int internal_max_digits = 5;        // digit strings this short are PBX extensions
};

// Normalises phone texts as people type them in 1C, CSV files and CDRs. Thread-safe and
// cheap to call (the call path normalises every caller number).
class Normalizer {
public:
  // Throws sr::Error when options.default_country is not a region libphonenumber knows.
  explicit Normalizer(Options options = {});
  // Takes any text without throwing: the result says what it is, or why it is invalid.
  Number normalize(std::string_view raw) const;
  const Options& options() const { return m_options; }

private:
  Options m_options;
};

} // namespace sr::phone
