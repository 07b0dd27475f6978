#pragma once

// 1C references as 16 bytes, for what a sync looks up once per row: which client, alias or
// employee a reference names, and what the store already holds of a document. In-memory
// tables answer in tens of nanoseconds what a prepared SQLite statement answers in
// microseconds.

#include <algorithm>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
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

// The text parse_guid reads, in lower case.
std::string format_guid(const Guid& g);

// The same GUID rearranged so that its order is 1C's order of references: 1C compares the
// groups a-b-c-d-e of the text as d, e, c, b, a (onec.md §1.3), the order pages arrive in.
Guid onec_order(const Guid& g);

// Reference → id, built once, then read-only: a hash table with open addressing.
class RefIndex {
public:
  // The zero GUID (the empty reference) is never added.
  void add(const Guid& ref, std::int64_t id);
  // Builds the table; of several ids for one reference the smallest wins.
  void seal();
  std::optional<std::int64_t> find(const Guid& ref) const;
  std::size_t size() const { return m_size; }

private:
  std::vector<std::pair<Guid, std::int64_t>> m_table; // before seal(): the entries as added
  std::size_t m_mask = 0, m_size = 0;
};

// Finds keys in a vector sorted by `key`, expecting them mostly in ascending order (documents
// arrive in 1C's order): a search gallops forward from the last hit, so that a pass in order
// costs O(1) a key; a key behind the last hit falls back to a binary search of the start.
template <class T> class SortedCursor {
public:
  explicit SortedCursor(std::vector<T>& items) : m_items(items) {}

  // The item with this key, or null.
  T* find(const Guid& key) {
    auto less = [](const T& item, const Guid& k) { return item.key < k; };
    auto begin = m_items.begin(), end = m_items.end();
    auto from = begin + std::ptrdiff_t(m_at);
    if (from != end && !(key < from->key)) {
      // Gallop: widen [from, from + step) until its last item is not less than the key.
      std::size_t step = 1;
      auto left = std::size_t(end - from);
      while (step < left && from[std::ptrdiff_t(step)].key < key)
        step *= 2;
      end = from + std::ptrdiff_t(std::min(step + 1, left));
      begin = from + std::ptrdiff_t(step / 2);
    } else {
      end = from;
    }
    auto it = std::lower_bound(begin, end, key, less);
    if (it == m_items.end() || it->key != key)
      return nullptr;
    m_at = std::size_t(it - m_items.begin());
    return &*it;
  }

private:
  std::vector<T>& m_items;
  std::size_t m_at = 0;
};

} // namespace sr::onec
