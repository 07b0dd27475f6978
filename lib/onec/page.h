#pragma once

// One page of 1C's answer, {"odata.metadata": …, "value": [{…}, …]}, read without building a
// JSON tree: each row keeps the properties 1C sent as text, in 1C's order, and a tabular section
// ("КонтактнаяИнформация": an array of flat objects) keeps its rows. A page and its rows reuse
// their memory: reading the next page overwrites the strings of the last one in place, so a
// sync allocates almost nothing per row and holds one page at a time.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sr::onec {

struct Cell;

class Row {
public:
  // A string property ("" when absent, null or not a string).
  std::string_view text(std::string_view name) const;
  // Whether a boolean property is true.
  bool flag(std::string_view name) const;
  // The rows of a tabular section (empty when absent or not an array).
  std::span<const Row> section(std::string_view name) const;
  const Cell* find(std::string_view name) const;
  std::span<const Cell> cells() const;

  // Building (the page reader): clear() keeps the memory of the cells for the next row.
  void clear() { m_used = 0; }
  Cell& add();

private:
  std::vector<Cell> m_cells;
  std::size_t m_used = 0;
};

struct Cell {
  enum class Type : std::uint8_t { null, boolean, number, string, section, other };
  std::string name;
  std::string text; // a string's value, "true"/"false", a number as written
  Type type = Type::null;
  std::vector<Row> rows; // Type::section
  std::size_t used_rows = 0;

  std::span<const Row> section() const { return {rows.data(), used_rows}; }
  Row& add_row();
};

class Page {
public:
  std::span<const Row> rows() const { return {m_rows.data(), m_used}; }
  bool has_value() const { return m_has_value; }

  // Reads a body; false when it is not JSON. A JSON body without a "value" array leaves
  // has_value() false.
  bool read(std::string_view json);
  // Reads one JSON object as the page's only row (a BSP contact's Значение); false when the
  // text is not JSON, no row when it is not an object.
  bool read_object(std::string_view json);

private:
  friend class PageReader;
  std::vector<Row> m_rows;
  std::size_t m_used = 0;
  bool m_has_value = false;
};

} // namespace sr::onec
