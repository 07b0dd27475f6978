#include "ami/protocol.h"

#include "util/error.h"
#include "util/strings.h"

#include <fmt/format.h>

namespace sr::ami {

namespace {

// Bounds on what a peer may send: Asterisk's longest lines (a variable dump) stay far below.
constexpr std::size_t k_max_line = 64 * 1024;
constexpr std::size_t k_max_message = 1024 * 1024;

bool same_key(std::string_view a, std::string_view b) {
  return util::ascii_lower(a) == util::ascii_lower(b);
}

} // namespace

std::string Message::get(std::string_view key) const {
  for (auto& [k, v] : fields)
    if (same_key(k, key))
      return v;
  return {};
}

bool Message::has(std::string_view key) const {
  for (auto& [k, v] : fields)
    if (same_key(k, key))
      return true;
  return false;
}

Message& Message::add(std::string key, std::string value) {
  fields.emplace_back(std::move(key), std::move(value));
  return *this;
}

std::string format(const Message& action) {
  std::string out;
  for (auto& [k, v] : action.fields) {
    if (k.empty() || k.find_first_of("\r\n:") != std::string::npos)
      throw Error(fmt::format("ami: invalid key '{}' in an action", k));
    if (v.find_first_of("\r\n") != std::string::npos)
      throw Error(fmt::format("ami: the value of {} holds a line break", k));
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

void Reader::feed(std::string_view data) {
  if (m_pos > 0) {
    m_buffer.erase(0, m_pos);
    m_pos = 0;
  }
  m_buffer.append(data);
}

std::optional<std::string_view> Reader::next_line() {
  auto nl = m_buffer.find('\n', m_pos);
  if (nl == std::string::npos) {
    if (m_buffer.size() - m_pos > k_max_line)
      m_error = fmt::format("a line longer than {} bytes", k_max_line);
    return std::nullopt;
  }
  std::string_view line(m_buffer.data() + m_pos, nl - m_pos);
  m_pos = nl + 1;
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  if (line.size() > k_max_line)
    m_error = fmt::format("a line longer than {} bytes", k_max_line);
  return line;
}

std::optional<Message> Reader::take() {
  if (!m_error.empty())
    return std::nullopt;
  if (!m_banner) {
    auto line = next_line();
    if (!line || !m_error.empty())
      return std::nullopt;
    m_banner = std::string(*line);
  }
  for (;;) {
    auto line = next_line();
    if (!line || !m_error.empty())
      return std::nullopt;
    if (line->empty()) {
      if (m_current.fields.empty())
        continue; // a stray blank line between messages
      Message done = std::move(m_current);
      m_current = {};
      m_current_size = 0;
      return done;
    }
    m_current_size += line->size();
    if (m_current_size > k_max_message) {
      m_error = fmt::format("a message longer than {} bytes", k_max_message);
      return std::nullopt;
    }
    auto colon = line->find(':');
    if (colon == std::string_view::npos) {
      m_current.add("", std::string(*line)); // free text, as old "Response: Follows" output
      continue;
    }
    auto value = line->substr(colon + 1);
    if (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
    m_current.add(std::string(line->substr(0, colon)), std::string(value));
  }
}

std::optional<std::string> banner_version(std::string_view banner) {
  constexpr std::string_view k_prefix = "Asterisk Call Manager/";
  if (!banner.starts_with(k_prefix) || banner.size() == k_prefix.size())
    return std::nullopt;
  return std::string(banner.substr(k_prefix.size()));
}

} // namespace sr::ami
