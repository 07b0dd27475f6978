#include "onec/refs.h"

#include <algorithm>

namespace sr::onec {

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

} // namespace

std::optional<Guid> parse_guid(std::string_view text) {
  if (text.size() != 36)
    return std::nullopt;
  Guid g;
  int nibbles = 0;
  for (std::size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-')
        return std::nullopt;
      ++i;
      continue;
    }
    int d = hex(text[i++]);
    if (d < 0)
      return std::nullopt;
    auto& half = nibbles++ < 16 ? g.high : g.low;
    half = half << 4 | std::uint64_t(d);
  }
  return g;
}

void RefIndex::seal() {
  std::sort(m_entries.begin(), m_entries.end());
  auto same = [](const auto& a, const auto& b) { return a.first == b.first; };
  m_entries.erase(std::unique(m_entries.begin(), m_entries.end(), same), m_entries.end());
}

std::optional<std::int64_t> RefIndex::find(const Guid& ref) const {
  auto it = std::lower_bound(m_entries.begin(), m_entries.end(), ref,
                             [](const auto& e, const Guid& g) { return e.first < g; });
  if (it == m_entries.end() || it->first != ref)
    return std::nullopt;
  return it->second;
}

} // namespace sr::onec
