#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sr::ingest {

// Text key -> store id, looked up by string_view without building a std::string per row.
class IdMap {
public:
  std::optional<std::int64_t> find(std::string_view key) const {
    auto it = m_map.find(key);
    return it == m_map.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
  }
  void insert(std::string_view key, std::int64_t id) {
    m_map.insert_or_assign(std::string(key), id);
  }
  void reserve(std::size_t n) { m_map.reserve(n); }
  std::size_t size() const { return m_map.size(); }

private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::int64_t, Hash, std::equal_to<>> m_map;
};

} // namespace sr::ingest
