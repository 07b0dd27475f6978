#include "onec/page.h"

#include <cstdint>

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

// The events of a JSON text into a Page: the root object's "value" array holds the rows, a
// row's array property is a tabular section whose objects hold flat cells. Anything else
// (other root keys, objects inside cells, deeper nesting) is skipped.
class PageReader {
public:
  // object_is_row: the root object is the one row (Page::read_object).
  explicit PageReader(Page& page, bool object_is_row = false)
      : m_page(page), m_object_is_row(object_is_row) {
    m_page.m_used = 0;
    m_page.m_has_value = false;
  }

  void null() { scalar(Cell::Type::null, {}); }
  void boolean(bool v) { scalar(Cell::Type::boolean, v ? "true" : "false"); }
  void number(std::string_view raw) { scalar(Cell::Type::number, raw); }
  void string(std::string_view v) { scalar(Cell::Type::string, v); }

  void start_object() {
    if (m_skip > 0 || !open_object())
      ++m_skip;
  }
  void end_object() { close(); }
  void start_array() {
    if (m_skip > 0 || !open_array())
      ++m_skip;
  }
  void end_array() { close(); }

  void key(std::string_view k) {
    if (m_skip > 0)
      return;
    if (m_level == Level::root)
      m_value_key = k == "value";
    else if (m_level == Level::row_object)
      (m_cell = &m_row->add())->name.assign(k);
    else if (m_level == Level::section_object)
      (m_section_cell = &m_section_row->add())->name.assign(k);
  }

private:
  // Where the reader is: the containers it keeps, from the outside in.
  enum class Level { none, root, value_array, row_object, section_array, section_object };

  void scalar(Cell::Type type, std::string_view text) {
    Cell* cell = nullptr;
    if (m_skip > 0)
      return;
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
  }

  // Enters an object where one is expected (the root, a row, a row of a tabular section);
  // false: skip it.
  bool open_object() {
    switch (m_level) {
    case Level::none:
      if (m_seen_root)
        return false;
      m_seen_root = true;
      if (m_object_is_row) {
        m_page.m_has_value = true;
        add_row();
        return enter(Level::row_object);
      }
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

  void close() {
    if (m_skip > 0) {
      --m_skip;
      return;
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
      m_level = m_object_is_row ? Level::none : Level::value_array;
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
  }

  void add_row() {
    if (m_page.m_used == m_page.m_rows.size())
      m_page.m_rows.emplace_back();
    m_row = &m_page.m_rows[m_page.m_used++];
    m_row->clear();
  }

  Page& m_page;
  bool m_object_is_row;
  Level m_level = Level::none;
  int m_skip = 0; // depth inside a container that is skipped
  bool m_seen_root = false;
  bool m_value_key = false; // the root key just read is "value"
  Row* m_row = nullptr;
  Cell* m_cell = nullptr;
  Row* m_section_row = nullptr;
  Cell* m_section_cell = nullptr;
};

namespace {

// A strict JSON (RFC 8259) reader feeding a PageReader. 1C's pages are tens of megabytes of
// short strings: a string without escapes is handed over as a view into the body, and the
// scan for its end looks at each byte once. Written by hand because nlohmann's SAX parser,
// fed into the same PageReader, measured 4-5x slower on the double's pages (43 vs 10.6 ms for
// 5,000 calls; 123 vs 499 MB/s), enough to take a nightly sync past its CPU target; the unit
// tests check that every fixture reads exactly as nlohmann reads it.
class Scanner {
public:
  Scanner(std::string_view text, PageReader& out)
      : m_p(text.data()), m_end(text.data() + text.size()), m_out(out) {}

  bool run() {
    skip_space();
    if (!value(0))
      return false;
    skip_space();
    return m_p == m_end;
  }

private:
  static constexpr int k_max_depth = 64;

  void skip_space() {
    while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
      ++m_p;
  }

  bool value(int depth) {
    if (m_p == m_end)
      return false;
    switch (*m_p) {
    case '{':
      return object(depth);
    case '[':
      return array(depth);
    case '"': {
      std::string_view s;
      if (!string(s))
        return false;
      m_out.string(s);
      return true;
    }
    case 't':
      return literal("true") && (m_out.boolean(true), true);
    case 'f':
      return literal("false") && (m_out.boolean(false), true);
    case 'n':
      return literal("null") && (m_out.null(), true);
    default:
      return number();
    }
  }

  bool object(int depth) {
    if (depth >= k_max_depth)
      return false;
    ++m_p;
    m_out.start_object();
    skip_space();
    if (m_p < m_end && *m_p == '}') {
      ++m_p;
      m_out.end_object();
      return true;
    }
    for (;;) {
      skip_space();
      std::string_view key;
      if (m_p == m_end || *m_p != '"' || !string(key))
        return false;
      m_out.key(key);
      skip_space();
      if (m_p == m_end || *m_p != ':')
        return false;
      ++m_p;
      skip_space();
      if (!value(depth + 1))
        return false;
      skip_space();
      if (m_p == m_end)
        return false;
      if (*m_p == ',') {
        ++m_p;
        continue;
      }
      if (*m_p != '}')
        return false;
      ++m_p;
      m_out.end_object();
      return true;
    }
  }

  bool array(int depth) {
    if (depth >= k_max_depth)
      return false;
    ++m_p;
    m_out.start_array();
    skip_space();
    if (m_p < m_end && *m_p == ']') {
      ++m_p;
      m_out.end_array();
      return true;
    }
    for (;;) {
      skip_space();
      if (!value(depth + 1))
        return false;
      skip_space();
      if (m_p == m_end)
        return false;
      if (*m_p == ',') {
        ++m_p;
        continue;
      }
      if (*m_p != ']')
        return false;
      ++m_p;
      m_out.end_array();
      return true;
    }
  }

  bool literal(std::string_view word) {
    if (std::size_t(m_end - m_p) < word.size() || std::string_view(m_p, word.size()) != word)
      return false;
    m_p += word.size();
    return true;
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, handed over as written.
  bool number() {
    auto start = m_p;
    auto digits = [&] {
      auto from = m_p;
      while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
        ++m_p;
      return m_p > from;
    };
    if (m_p < m_end && *m_p == '-')
      ++m_p;
    if (m_p < m_end && *m_p == '0')
      ++m_p;
    else if (!digits())
      return false;
    if (m_p < m_end && *m_p == '.') {
      ++m_p;
      if (!digits())
        return false;
    }
    if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
      ++m_p;
      if (m_p < m_end && (*m_p == '+' || *m_p == '-'))
        ++m_p;
      if (!digits())
        return false;
    }
    m_out.number(std::string_view(start, std::size_t(m_p - start)));
    return true;
  }

  bool string(std::string_view& out) {
    ++m_p; // the opening quote
    auto start = m_p;
    while (m_p < m_end) {
      auto c = static_cast<unsigned char>(*m_p);
      if (c == '"') {
        out = std::string_view(start, std::size_t(m_p - start));
        ++m_p;
        return true;
      }
      if (c == '\\')
        break;
      if (c < 0x20)
        return false;
      ++m_p;
    }
    // Escapes: the text is decoded into a buffer.
    m_buffer.assign(start, m_p);
    while (m_p < m_end) {
      auto c = static_cast<unsigned char>(*m_p++);
      if (c == '"') {
        out = m_buffer;
        return true;
      }
      if (c < 0x20)
        return false;
      if (c != '\\') {
        m_buffer.push_back(char(c));
        continue;
      }
      if (m_p == m_end)
        return false;
      // The one-character escapes of RFC 8259, then \uXXXX.
      static constexpr std::string_view escaped = "\"\\/bfnrt", meaning = "\"\\/\b\f\n\r\t";
      char e = *m_p++;
      if (auto i = escaped.find(e); i != std::string_view::npos)
        m_buffer.push_back(meaning[i]);
      else if (e != 'u' || !unicode_escape())
        return false;
    }
    return false;
  }

  bool hex4(std::uint32_t& out) {
    if (m_end - m_p < 4)
      return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      char c = *m_p++;
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0)
        return false;
      out = out << 4 | std::uint32_t(d);
    }
    return true;
  }

  // After "\u": a code point, or a surrogate pair, as UTF-8; a lone surrogate is an error.
  bool unicode_escape() {
    std::uint32_t cp;
    if (!hex4(cp) || (cp >= 0xDC00 && cp <= 0xDFFF))
      return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      std::uint32_t low;
      if (m_end - m_p < 2 || m_p[0] != '\\' || m_p[1] != 'u')
        return false;
      m_p += 2;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF)
        return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    auto put = [&](std::uint32_t byte) { m_buffer.push_back(char(byte)); };
    if (cp < 0x80) {
      put(cp);
    } else if (cp < 0x800) {
      put(0xC0 | cp >> 6);
      put(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      put(0xE0 | cp >> 12);
      put(0x80 | (cp >> 6 & 0x3F));
      put(0x80 | (cp & 0x3F));
    } else {
      put(0xF0 | cp >> 18);
      put(0x80 | (cp >> 12 & 0x3F));
      put(0x80 | (cp >> 6 & 0x3F));
      put(0x80 | (cp & 0x3F));
    }
    return true;
  }

  const char* m_p;
  const char* m_end;
  PageReader& m_out;
  std::string m_buffer;
};

} // namespace

bool Page::read(std::string_view json) {
  PageReader reader(*this);
  return Scanner(json, reader).run();
}

bool Page::read_object(std::string_view json) {
  PageReader reader(*this, true);
  return Scanner(json, reader).run();
}

} // namespace sr::onec
