#include "onec/page.h"

#include <nlohmann/json.hpp>

#include <charconv>

namespace sr::onec {

const Cell* Row::find(std::string_view name) const {
  for (std::size_t i = 0; i < m_used; ++i)
    if (m_cells[i].name == name)
      return &m_cells[i];
  return nullptr;
}

std::string_view Row::text(std::string_view name) const {
  auto* c = find(name);
  return c && c->type == Cell::Type::string ? std::string_view(c->text) : std::string_view();
}

bool Row::flag(std::string_view name) const {
  auto* c = find(name);
  return c && c->type == Cell::Type::boolean && c->text == "true";
}

std::span<const Row> Row::section(std::string_view name) const {
  auto* c = find(name);
  return c && c->type == Cell::Type::section ? c->section() : std::span<const Row>();
}

std::span<const Cell> Row::cells() const {
  return {m_cells.data(), m_used};
}

Cell& Row::add() {
  if (m_used == m_cells.size())
    m_cells.emplace_back();
  auto& c = m_cells[m_used++];
  c.type = Cell::Type::null;
  c.text.clear();
  c.used_rows = 0;
  return c;
}

Row& Cell::add_row() {
  if (used_rows == rows.size())
    rows.emplace_back();
  auto& r = rows[used_rows++];
  r.clear();
  return r;
}

// nlohmann's SAX events into a Page: the root object's "value" array holds the rows (level 3
// objects), a row's array property is a tabular section whose objects hold flat cells. Anything
// else (other root keys, objects inside cells, deeper nesting) is skipped.
class PageReader {
public:
  explicit PageReader(Page& page) : m_page(page) {
    m_page.m_used = 0;
    m_page.m_has_value = false;
  }

  bool null() { return scalar(Cell::Type::null, {}); }
  bool boolean(bool v) { return scalar(Cell::Type::boolean, v ? "true" : "false"); }
  bool number_integer(std::int64_t v) { return number(v); }
  bool number_unsigned(std::uint64_t v) { return number(v); }
  bool number_float(double, const std::string& raw) { return scalar(Cell::Type::number, raw); }
  bool string(std::string& v) { return scalar(Cell::Type::string, v); }
  bool binary(std::vector<std::uint8_t>&) { return true; }

  bool start_object(std::size_t) {
    if (m_skip > 0 || !open_object())
      ++m_skip;
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) {
    if (m_skip > 0 || !open_array())
      ++m_skip;
    return true;
  }
  bool end_array() { return close(); }

  bool key(std::string& k) {
    if (m_skip > 0)
      return true;
    if (m_level == Level::root)
      m_value_key = k == "value";
    else if (m_level == Level::row_object)
      (m_cell = &m_row->add())->name.assign(k);
    else if (m_level == Level::section_object)
      (m_section_cell = &m_section_row->add())->name.assign(k);
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

private:
  // Where the reader is: the containers it keeps, from the outside in.
  enum class Level { none, root, value_array, row_object, section_array, section_object };

  template <class N> bool number(N v) {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    return scalar(Cell::Type::number, std::string_view(buffer, std::size_t(end - buffer)));
  }

  bool scalar(Cell::Type type, std::string_view text) {
    Cell* cell = nullptr;
    if (m_skip > 0)
      return true;
    if (m_level == Level::row_object)
      cell = m_cell;
    else if (m_level == Level::section_object)
      cell = m_section_cell;
    else if (m_level == Level::value_array)
      add_row(); // a value that is not an object: a row without properties
    if (cell) {
      cell->type = type;
      cell->text.assign(text);
    }
    return true;
  }

  // Enters an object where one is expected (the root, a row, a row of a tabular section);
  // false: skip it.
  bool open_object() {
    switch (m_level) {
    case Level::none:
      if (m_seen_root)
        return false;
      m_seen_root = true;
      return enter(Level::root);
    case Level::value_array:
      add_row();
      return enter(Level::row_object);
    case Level::section_array:
      m_section_row = &m_cell->add_row();
      return enter(Level::section_object);
    default:
      return false;
    }
  }

  // Enters an array where one is expected (the root's "value", a tabular section in a row).
  bool open_array() {
    if (m_level == Level::root && m_value_key) {
      m_page.m_has_value = true;
      m_page.m_used = 0;
      return enter(Level::value_array);
    }
    if (m_level == Level::row_object) {
      m_cell->type = Cell::Type::section;
      return enter(Level::section_array);
    }
    return false;
  }

  bool enter(Level level) {
    m_level = level;
    return true;
  }

  bool close() {
    if (m_skip > 0) {
      --m_skip;
      return true;
    }
    switch (m_level) {
    case Level::root:
      m_level = Level::none;
      break;
    case Level::value_array:
      m_level = Level::root;
      m_value_key = false;
      break;
    case Level::row_object:
      m_level = Level::value_array;
      break;
    case Level::section_array:
      m_level = Level::row_object;
      break;
    case Level::section_object:
      m_level = Level::section_array;
      break;
    case Level::none:
      break;
    }
    return true;
  }

  void add_row() {
    if (m_page.m_used == m_page.m_rows.size())
      m_page.m_rows.emplace_back();
    m_row = &m_page.m_rows[m_page.m_used++];
    m_row->clear();
  }

  Page& m_page;
  Level m_level = Level::none;
  int m_skip = 0; // depth inside a container that is skipped
  bool m_seen_root = false;
  bool m_value_key = false; // the root key just read is "value"
  Row* m_row = nullptr;
  Cell* m_cell = nullptr;
  Row* m_section_row = nullptr;
  Cell* m_section_cell = nullptr;
};

bool Page::read(std::string_view json) {
  PageReader reader(*this);
  return nlohmann::json::sax_parse(json.begin(), json.end(), &reader);
}

} // namespace sr::onec
