#include "ingest/records.h"

#include "util/error.h"
#include "util/fs.h"
#include "util/strings.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sr::ingest {

namespace {

std::vector<std::string_view> column_names(std::span<const Column> columns) {
  std::vector<std::string_view> out;
  for (auto& c : columns)
    out.push_back(c.name);
  return out;
}

std::string unknown_column(std::string_view name, std::span<const Column> columns) {
  auto names = column_names(columns);
  auto hint = util::did_you_mean(name, names);
  std::string list;
  for (auto n : names)
    list += fmt::format("{}{}", list.empty() ? "" : ", ", n);
  return fmt::format("unknown column '{}'{} (expected: {})", name,
                     hint.empty() ? "" : fmt::format(", did you mean '{}'?", hint), list);
}

} // namespace

RecordReader::RecordReader(std::filesystem::path path, std::span<const Column> columns)
    : m_path(std::move(path)), m_columns(columns), m_file(m_path) {
  m_text = m_file.view();
  auto ext = util::ascii_lower(m_path.extension().string());
  if (ext == ".jsonl" || ext == ".ndjson") {
    m_jsonl = true;
    if (std::string_view(m_text).starts_with("\xEF\xBB\xBF"))
      m_pos = 3;
    return;
  }
  if (ext != ".csv" && ext != ".txt")
    throw Error(
        fmt::format("{}: unknown file type '{}' (expected .csv or .jsonl)", m_path.string(), ext));
  m_csv = util::CsvReader(m_text, util::sniff_separator(m_text));
  if (!m_csv.next(m_fields))
    throw Error(fmt::format("{}: empty file (expected a header line)", m_path.string()));
  std::vector<bool> seen(columns.size(), false);
  for (auto field : m_fields) {
    auto name = util::ascii_lower(util::trim(field));
    auto it = std::find_if(columns.begin(), columns.end(), [&](auto& c) { return c.name == name; });
    if (it == columns.end())
      throw Error(fmt::format("{}:1: {}", m_path.string(), unknown_column(name, columns)));
    auto index = std::size_t(it - columns.begin());
    if (seen[index])
      throw Error(fmt::format("{}:1: column '{}' appears twice", m_path.string(), name));
    seen[index] = true;
    m_map.push_back(int(index));
  }
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].required && !seen[i])
      throw Error(
          fmt::format("{}:1: missing required column '{}'", m_path.string(), columns[i].name));
}

bool RecordReader::next(Record& record) {
  return m_jsonl ? next_jsonl(record) : next_csv(record);
}

bool RecordReader::next_csv(Record& record) {
  if (!m_csv.next(m_fields))
    return false;
  record.line = m_csv.line();
  record.error = m_csv.error();
  record.values.assign(m_columns.size(), std::string_view());
  if (record.error.empty() && m_fields.size() != m_map.size())
    record.error =
        fmt::format("expected {} fields as in the header, found {}", m_map.size(), m_fields.size());
  if (!record.error.empty())
    return true;
  for (std::size_t i = 0; i < m_fields.size(); ++i)
    record.values[std::size_t(m_map[i])] = util::trim(m_fields[i]);
  return true;
}

bool RecordReader::next_jsonl(Record& record) {
  std::string_view text = m_text;
  std::string_view line;
  do {
    if (m_pos >= text.size())
      return false;
    auto end = text.find('\n', m_pos);
    if (end == std::string_view::npos)
      end = text.size();
    line = util::trim(text.substr(m_pos, end - m_pos));
    m_pos = end + 1;
    ++m_line;
  } while (line.empty());
  record.line = m_line;
  record.error.clear();
  record.values.assign(m_columns.size(), std::string_view());
  m_storage.assign(m_columns.size(), std::string());
  auto doc = nlohmann::json::parse(line, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    record.error = doc.is_discarded() ? "not valid JSON" : "expected a JSON object";
    return true;
  }
  for (auto& [key, value] : doc.items()) {
    auto it =
        std::find_if(m_columns.begin(), m_columns.end(), [&](auto& c) { return c.name == key; });
    if (it == m_columns.end()) {
      record.error = unknown_column(key, m_columns);
      return true;
    }
    auto& out = m_storage[std::size_t(it - m_columns.begin())];
    if (value.is_string())
      out = value.get<std::string>();
    else if (value.is_boolean())
      out = value.get<bool>() ? "1" : "0";
    else if (value.is_number())
      out = value.dump();
    else if (value.is_array()) { // a list of phones
      for (auto& item : value) {
        if (!item.is_string()) {
          record.error = fmt::format("field '{}': expected an array of strings", key);
          return true;
        }
        out += (out.empty() ? "" : ";") + item.get<std::string>();
      }
    } else if (!value.is_null()) {
      record.error = fmt::format("field '{}': expected a string, number or boolean", key);
      return true;
    }
  }
  for (std::size_t i = 0; i < m_columns.size(); ++i)
    record.values[i] = util::trim(m_storage[i]);
  return true;
}

} // namespace sr::ingest
