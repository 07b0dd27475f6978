#include "onec/refs.h"

#include <array>
#include <bit>

namespace sr::onec {

namespace {

// Nibble values of hexadecimal digits; 16 = not a digit.
constexpr std::array<std::uint8_t, 256> k_hex = [] {
  std::array<std::uint8_t, 256> t{};
  t.fill(16);
  for (int c = '0'; c <= '9'; ++c)
    t[std::size_t(c)] = std::uint8_t(c - '0');
  for (int c = 'a'; c <= 'f'; ++c)
    t[std::size_t(c)] = t[std::size_t(c - 'a' + 'A')] = std::uint8_t(c - 'a' + 10);
  return t;
}();

// `count` hexadecimal digits into `out`; false on anything else.
bool hex(const char* p, int count, std::uint64_t& out) {
  for (int i = 0; i < count; ++i) {
    auto d = k_hex[static_cast<unsigned char>(p[i])];
    if (d > 15)
      return false;
    out = out << 4 | d;
  }
  return true;
}

std::uint64_t mix(const Guid& g) {
  auto h = (g.high ^ std::rotl(g.low, 29)) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 31);
}

} // namespace

std::optional<Guid> parse_guid(std::string_view text) {
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-')
    return std::nullopt;
  auto p = text.data();
  Guid g;
  if (!hex(p, 8, g.high) || !hex(p + 9, 4, g.high) || !hex(p + 14, 4, g.high) ||
      !hex(p + 19, 4, g.low) || !hex(p + 24, 12, g.low))
    return std::nullopt;
  return g;
}

std::string format_guid(const Guid& g) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(36, '-');
  auto put = [&](std::size_t at, std::uint64_t value, int count) {
    for (int i = count - 1; i >= 0; --i, value >>= 4)
      out[at + std::size_t(i)] = digits[value & 0xF];
  };
  put(0, g.high >> 32, 8);
  put(9, g.high >> 16, 4);
  put(14, g.high, 4);
  put(19, g.low >> 48, 4);
  put(24, g.low, 12);
  return out;
}

Guid onec_order(const Guid& g) {
  // high = a(32) b(16) c(16), low = d(16) e(48) → d e | c b a
  auto a = g.high >> 32, b = g.high >> 16 & 0xFFFF, c = g.high & 0xFFFF;
  return {g.low, c << 48 | b << 32 | a};
}

void RefIndex::add(const Guid& ref, std::int64_t id) {
  if (ref != Guid{})
    m_table.emplace_back(ref, id);
}

void RefIndex::seal() {
  auto entries = std::move(m_table);
  std::sort(entries.begin(), entries.end());
  auto same = [](const auto& a, const auto& b) { return a.first == b.first; };
  entries.erase(std::unique(entries.begin(), entries.end(), same), entries.end());
  m_size = entries.size();
  auto capacity = std::bit_ceil(std::max<std::size_t>(2 * m_size, 16));
  m_table.assign(capacity, {Guid{}, 0});
  m_mask = capacity - 1;
  for (auto& e : entries) {
    auto i = mix(e.first) & m_mask;
    while (m_table[i].first != Guid{})
      i = (i + 1) & m_mask;
    m_table[i] = e;
  }
}

std::optional<std::int64_t> RefIndex::find(const Guid& ref) const {
  if (m_table.empty() || ref == Guid{})
    return std::nullopt;
  for (auto i = mix(ref) & m_mask;; i = (i + 1) & m_mask) {
    if (m_table[i].first == ref)
      return m_table[i].second;
    if (m_table[i].first == Guid{})
      return std::nullopt;
  }
}

} // namespace sr::onec
