#include "util/base64.h"

#include "util/error.h"

#include <fmt/format.h>

#include <array>

namespace sr::util {

namespace {

constexpr std::string_view k_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr int k_skip = -2;
constexpr int k_invalid = -1;

// Value of each byte: 0..63, k_skip for white space, k_invalid otherwise. '-' and '_' are the
// URL-safe spellings of '+' and '/'.
constexpr std::array<int, 256> make_table() {
  std::array<int, 256> t{};
  for (auto& v : t)
    v = k_invalid;
  for (std::size_t i = 0; i < k_alphabet.size(); ++i)
    t[static_cast<unsigned char>(k_alphabet[i])] = static_cast<int>(i);
  t['-'] = 62;
  t['_'] = 63;
  for (unsigned char c : {' ', '\t', '\r', '\n'})
    t[c] = k_skip;
  return t;
}

constexpr auto k_table = make_table();

} // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += k_alphabet[v >> 18 & 63];
    out += k_alphabet[v >> 12 & 63];
    out += k_alphabet[v >> 6 & 63];
    out += k_alphabet[v & 63];
  }
  if (auto rest = bytes.size() - i; rest > 0) {
    unsigned v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0u);
    out += k_alphabet[v >> 18 & 63];
    out += k_alphabet[v >> 12 & 63];
    out += rest == 2 ? k_alphabet[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  unsigned acc = 0;
  int bits = 0;
  std::size_t digits = 0;
  bool padding = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '=') {
      padding = true;
      continue;
    }
    int v = k_table[c];
    if (v == k_skip)
      continue;
    if (v == k_invalid || padding)
      throw Error(fmt::format("base64: unexpected character at offset {}", i));
    acc = (acc << 6 | static_cast<unsigned>(v)) & 0xFFFFFF;
    bits += 6;
    ++digits;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(acc >> bits & 0xFF);
    }
  }
  // One digit alone carries 6 bits, less than a byte: the text was cut.
  if (digits % 4 == 1)
    throw Error("base64: truncated input");
  return out;
}

} // namespace sr::util
