#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sr::util {

// Strips ASCII white space from both ends.
std::string_view trim(std::string_view s);

// Splits on one separator character, keeping empty fields.
std::vector<std::string_view> split(std::string_view s, char sep);

// Lower-cases ASCII letters only; other bytes (UTF-8) are kept as they are.
std::string ascii_lower(std::string_view s);

// Levenshtein distance over bytes, used for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a likely typo, else "".
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

// Parses "yes/no/true/false/1/0/on/off" as a boolean; returns false in `ok` on anything else.
bool parse_bool(std::string_view s, bool& ok);

} // namespace sr::util
