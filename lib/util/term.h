#pragma once

// Emphasis for human output on a terminal.

#include <string>
#include <string_view>
#include <vector>

namespace sr::util {

// Whether output to `fd` may carry ANSI colour: a terminal, and NO_COLOR unset or empty
// (https://no-color.org).
bool colour_wanted(int fd);

// `text` in bold, or as it is when `colour` is false.
std::string bold(std::string_view text, bool colour);

// `text` dimmed, for what does not count, or as it is when `colour` is false.
std::string dim(std::string_view text, bool colour);

// Traffic-light colours for a status word.
enum class Hue { green, yellow, red };

// `text` in `hue`, or as it is when `colour` is false.
std::string coloured(std::string_view text, Hue hue, bool colour);

// The width of `text` on a terminal, counting each UTF-8 character as one column.
std::size_t display_width(std::string_view text);

// A table of aligned columns for a terminal: a bold heading line, then the rows, two spaces
// between columns; widths follow the widest cell, counted in characters, not bytes.
class Table {
public:
  enum class Align { left, right };
  struct Column {
    std::string heading;
    Align align = Align::left;
  };
  explicit Table(std::vector<Column> columns) : m_columns(std::move(columns)) {}
  // `faint` dims the row (something that counts nothing).
  void add(std::vector<std::string> cells, bool faint = false);
  // Each line indented by `indent` spaces; trailing blanks are trimmed.
  std::string render(bool colour, std::size_t indent = 2) const;

private:
  std::vector<Column> m_columns;
  std::vector<std::pair<std::vector<std::string>, bool>> m_rows;
};

} // namespace sr::util
