#include "util/csv.h"

#include <algorithm>

namespace sr::util {

CsvReader::CsvReader(std::string_view text, char separator) : m_text(text), m_sep(separator) {
  if (m_text.starts_with("\xEF\xBB\xBF"))
    m_pos = 3;
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
  fields.clear();
  m_error.clear();
  std::size_t used = 0; // unquoted buffers in use by this record
  // Skip blank lines between records.
  while (m_pos < m_text.size() && (m_text[m_pos] == '\n' || m_text[m_pos] == '\r')) {
    if (m_text[m_pos] == '\n')
      ++m_line;
    ++m_pos;
  }
  if (m_pos >= m_text.size())
    return false;
  m_record_line = m_line;
  const char* data = m_text.data();
  const std::size_t size = m_text.size();
  for (;;) {
    if (m_pos < size && data[m_pos] == '"') {
      if (used == m_unquoted.size())
        m_unquoted.emplace_back();
      std::string& buf = m_unquoted[used++];
      buf.clear();
      ++m_pos;
      for (;;) {
        if (m_pos >= size) {
          m_error = "unterminated quoted field";
          fields.emplace_back(buf);
          return true;
        }
        char c = data[m_pos++];
        if (c == '"') {
          if (m_pos < size && data[m_pos] == '"') {
            buf.push_back('"');
            ++m_pos;
            continue;
          }
          break;
        }
        if (c == '\n')
          ++m_line;
        buf.push_back(c);
      }
      // Text after the closing quote up to the separator is kept, as spreadsheets do.
      std::size_t start = m_pos;
      while (m_pos < size && data[m_pos] != m_sep && data[m_pos] != '\n' && data[m_pos] != '\r')
        ++m_pos;
      buf.append(data + start, m_pos - start);
      fields.emplace_back(buf);
    } else {
      std::size_t start = m_pos;
      while (m_pos < size && data[m_pos] != m_sep && data[m_pos] != '\n' && data[m_pos] != '\r')
        ++m_pos;
      fields.emplace_back(data + start, m_pos - start);
    }
    if (m_pos >= size)
      return true;
    char c = data[m_pos++];
    if (c == m_sep)
      continue;
    if (c == '\r' && m_pos < size && data[m_pos] == '\n')
      ++m_pos;
    ++m_line;
    return true;
  }
}

char sniff_separator(std::string_view text) {
  auto end = text.find('\n');
  auto first = text.substr(0, end);
  auto semicolons = std::count(first.begin(), first.end(), ';');
  auto commas = std::count(first.begin(), first.end(), ',');
  return semicolons > commas ? ';' : ',';
}

} // namespace sr::util
