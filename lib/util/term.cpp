#include "util/term.h"

#include <algorithm>
#include <cstdlib>
#include <unistd.h>

namespace sr::util {

bool colour_wanted(int fd) {
  auto* no_colour = std::getenv("NO_COLOR");
  return ::isatty(fd) && (!no_colour || !*no_colour);
}

std::string bold(std::string_view text, bool colour) {
  return colour ? "\033[1m" + std::string(text) + "\033[0m" : std::string(text);
}

std::string dim(std::string_view text, bool colour) {
  return colour ? "\033[2m" + std::string(text) + "\033[0m" : std::string(text);
}

std::string coloured(std::string_view text, Hue hue, bool colour) {
  if (!colour)
    return std::string(text);
  const char* code = hue == Hue::green ? "\033[32m" : hue == Hue::yellow ? "\033[33m" : "\033[31m";
  return code + std::string(text) + "\033[0m";
}

std::size_t display_width(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text)
    n += (c & 0xC0) != 0x80; // continuation bytes take no column
  return n;
}

void Table::add(std::vector<std::string> cells, bool faint) {
  cells.resize(m_columns.size());
  m_rows.emplace_back(std::move(cells), faint);
}

std::string Table::render(bool colour, std::size_t indent) const {
  std::vector<std::size_t> widths;
  for (auto& c : m_columns)
    widths.push_back(display_width(c.heading));
  for (auto& [cells, faint] : m_rows)
    for (std::size_t i = 0; i < cells.size(); ++i)
      widths[i] = std::max(widths[i], display_width(cells[i]));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out(indent, ' ');
    for (std::size_t i = 0; i < cells.size(); ++i) {
      auto pad = std::string(widths[i] - display_width(cells[i]), ' ');
      if (i > 0)
        out += "  ";
      out += m_columns[i].align == Align::right ? pad + cells[i] : cells[i] + pad;
    }
    out.erase(out.find_last_not_of(' ') + 1);
    return out;
  };
  std::vector<std::string> headings;
  for (auto& c : m_columns)
    headings.push_back(c.heading);
  std::string out = bold(line(headings), colour) + "\n";
  for (auto& [cells, faint] : m_rows)
    out += (faint ? dim(line(cells), colour) : line(cells)) + "\n";
  return out;
}

} // namespace sr::util
