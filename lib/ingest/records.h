#pragma once

#include "util/csv.h"
#include "util/fs.h"

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sr::ingest {

// One column an input file may have.
struct Column {
  std::string_view name;
  bool required;
};

// One record, its fields in the order of the column list ("" when absent).
struct Record {
  std::size_t line = 0;
  std::vector<std::string_view> values;
  std::string error; // non-empty when the record is malformed
};

// Reads CSV (with a header) or JSON Lines by file extension, mapping both onto one column list.
// Header problems (unknown or missing columns) throw sr::Error as "file:1: ...".
class RecordReader {
public:
  RecordReader(std::filesystem::path path, std::span<const Column> columns);
  bool next(Record& record);
  const std::filesystem::path& path() const { return m_path; }
  std::span<const Column> columns() const { return m_columns; }

private:
  bool next_csv(Record& record);
  bool next_jsonl(Record& record);

  std::filesystem::path m_path;
  std::span<const Column> m_columns;
  util::MappedFile m_file;
  std::string_view m_text;
  bool m_jsonl = false;
  util::CsvReader m_csv{std::string_view()};
  std::vector<int> m_map; // CSV field index -> column index (-1 never: unknown is an error)
  std::vector<std::string_view> m_fields;
  std::size_t m_pos = 0, m_line = 0;  // JSONL position
  std::vector<std::string> m_storage; // JSONL values converted to text
};

} // namespace sr::ingest
