#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace sr::util {

// Reads RFC 4180 CSV from a buffer the caller keeps alive: quoted fields, doubled quotes,
// line breaks inside quotes, CRLF or LF, an optional UTF-8 BOM. Separator ',' or ';'.
class CsvReader {
public:
  explicit CsvReader(std::string_view text, char separator = ',');

  // Reads the next record into `fields`; false at the end of input. Views point into the
  // buffer or into storage owned by the reader (quoted fields), valid until the next call.
  bool next(std::vector<std::string_view>& fields);

  // The 1-based line on which the last record started.
  std::size_t line() const { return m_record_line; }

  // Non-empty when the last record was malformed (an unterminated quote).
  const std::string& error() const { return m_error; }

private:
  std::string_view m_text;
  std::size_t m_pos = 0;
  std::size_t m_line = 1;
  std::size_t m_record_line = 0;
  char m_sep;
  std::string m_error;
  std::deque<std::string> m_unquoted; // a deque: growing it never moves earlier fields
};

// Guesses the separator of a CSV file from its first line: ';' when it has more ';' than ','.
char sniff_separator(std::string_view text);

} // namespace sr::util
