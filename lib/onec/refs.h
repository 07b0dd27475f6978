#pragma once

// 1C references as 16 bytes, for what a sync looks up once per row: which client, alias or
// employee a reference names, and what the store already holds of a document. Sorted vectors
// in memory answer in a binary search what a prepared SQLite statement answers in microseconds.

#include <compare>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace sr::onec {

// A GUID's 16 bytes as two big-endian integers: their order is the order of the text, and a
// comparison is two integer compares.
struct Guid {
  std::uint64_t high = 0, low = 0;
  auto operator<=>(const Guid&) const = default;
};

// "3f2a1c10-6e0b-11ee-8f3a-005056a1c2d3" (either case); nullopt for anything else.
std::optional<Guid> parse_guid(std::string_view text);

// Reference → id, built once, then read-only.
class RefIndex {
public:
  void add(const Guid& ref, std::int64_t id) { m_entries.emplace_back(ref, id); }
  // Sorts; of several ids for one reference the smallest wins.
  void seal();
  std::optional<std::int64_t> find(const Guid& ref) const;
  std::size_t size() const { return m_entries.size(); }

private:
  std::vector<std::pair<Guid, std::int64_t>> m_entries;
};

} // namespace sr::onec
