#include "agi/protocol.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace sr::agi {

std::size_t HeaderParser::feed(std::string_view data) {
  std::size_t used = 0;
  while (used < data.size() && m_state == State::more) {
    auto rest = data.substr(used);
    auto eol = rest.find('\n');
    auto take = eol == std::string_view::npos ? rest.size() : eol + 1;
    if (m_bytes + take > k_max_bytes) { // the byte past the limit is taken, then refused
      used += k_max_bytes - m_bytes + 1;
      m_bytes = k_max_bytes + 1;
      m_state = State::error;
      m_error = "header larger than 16 KiB";
      break;
    }
    m_bytes += take;
    used += take;
    if (eol == std::string_view::npos) { // the rest of the line comes with the next bytes
      m_line.append(rest);
      break;
    }
    std::string_view line = rest.substr(0, eol);
    if (!m_line.empty()) {
      m_line.append(line);
      line = m_line;
    }
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    take_line(line);
    m_line.clear();
  }
  return used;
}

void HeaderParser::take_line(std::string_view line) {
  if (line.empty()) {
    m_state = m_has_request ? State::done : State::error;
    if (m_state == State::error)
      m_error = "header without agi_request or agi_channel";
    return;
  }
  if (++m_lines > k_max_lines) {
    m_state = State::error;
    m_error = "header with more than 200 lines";
    return;
  }
  // Split on the first ": " only: values may hold colons ("John: Smith").
  auto sep = line.find(": ");
  auto key = line.substr(0, sep == std::string_view::npos ? line.find(':') : sep);
  if (!key.starts_with("agi_") || key.find(' ') != std::string_view::npos) {
    m_state = State::error;
    m_error = "not an AGI header line";
    return;
  }
  if (key == "agi_request" || key == "agi_channel")
    m_has_request = true;
  if (!m_keep.empty() && std::find(m_keep.begin(), m_keep.end(), key) == m_keep.end())
    return;
  auto value = sep == std::string_view::npos ? std::string_view() : line.substr(sep + 2);
  m_values.insert_or_assign(std::string(key), std::string(value));
}

std::string HeaderParser::get(const std::string& key) const {
  auto it = m_values.find(key);
  if (it == m_values.end() || it->second == "unknown")
    return {};
  return it->second;
}

long Reply::number(long fallback) const {
  long v = 0;
  auto [end, ec] = std::from_chars(result.data(), result.data() + result.size(), v);
  return ec == std::errc() && end == result.data() + result.size() && !result.empty() ? v
                                                                                      : fallback;
}

Reply parse_reply(std::string_view line) {
  Reply r;
  r.text = line;
  if (line.size() >= 3 && std::isdigit((unsigned char)line[0]) &&
      std::isdigit((unsigned char)line[1]) && std::isdigit((unsigned char)line[2]))
    r.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  auto res = line.find("result=");
  if (res == std::string_view::npos)
    return r;
  auto rest = line.substr(res + 7);
  auto space = rest.find(' ');
  r.result = rest.substr(0, space);
  if (space == std::string_view::npos)
    return r;
  rest = rest.substr(space + 1);
  // Data runs from the first "(" to the last ")": a variable's value may hold parentheses.
  if (rest.starts_with("(")) {
    auto close = rest.rfind(')');
    if (close != std::string_view::npos) {
      r.data = rest.substr(1, close - 1);
      rest = rest.substr(close + 1);
    }
  }
  auto endpos = rest.find("endpos=");
  if (endpos != std::string_view::npos) {
    auto digits = rest.substr(endpos + 7);
    long v = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc())
      r.endpos = v;
    (void)p;
  }
  return r;
}

void ReplyReader::feed(std::string_view data) {
  if (!m_error.empty())
    return; // the stream is broken: keep nothing more
  m_buffer.append(data);
  std::string line;
  while (m_error.empty() && next_line(line)) {
    if (line == "HANGUP") { // unsolicited, anywhere: the caller has gone
      m_hung_up = true;
      continue;
    }
    if (m_in_block) { // "520-Invalid command syntax." … "520 End of proper usage."
      if (line.starts_with("520 ")) {
        m_in_block = false;
        m_ready.push_back(parse_reply(line));
      } else if (++m_block_lines > k_max_block_lines) {
        m_error = "520 usage block without an end";
      }
      continue;
    }
    if (line.starts_with("520-")) {
      m_in_block = true;
      m_block_lines = 0;
      continue;
    }
    if (line.starts_with("100 ")) // "100 result=0 Trying...": the real reply follows
      continue;
    m_ready.push_back(parse_reply(line));
  }
  // Drop what was consumed so the buffer does not grow over a long session.
  if (m_pos > 0) {
    m_buffer.erase(0, m_pos);
    m_pos = 0;
  }
  if (m_buffer.size() > k_max_line)
    m_error = "reply line longer than 16 KiB";
}

bool ReplyReader::next_line(std::string& line) {
  auto eol = m_buffer.find('\n', m_pos);
  if (eol == std::string::npos)
    return false;
  if (eol - m_pos > k_max_line) { // the same cap whether the line came in one read or many
    m_error = "reply line longer than 16 KiB";
    return false;
  }
  line.assign(m_buffer, m_pos, eol - m_pos);
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  m_pos = eol + 1;
  return true;
}

std::optional<Reply> ReplyReader::take() {
  if (m_next_ready >= m_ready.size()) {
    m_ready.clear();
    m_next_ready = 0;
    return std::nullopt;
  }
  return std::move(m_ready[m_next_ready++]);
}

std::string command(std::string_view verb, std::span<const std::string_view> args) {
  std::string out;
  std::size_t size = verb.size() + 1;
  for (auto& a : args)
    size += a.size() + 3;
  out.reserve(std::min(size, k_max_line));
  for (unsigned char c : verb)
    if (c >= 0x20 && c != 0x7F) // the verb too must stay on one line
      out.push_back(char(c));
  if (out.size() >= k_max_line)
    out.resize(k_max_line - 1);
  std::size_t count = 0;
  for (auto& a : args) {
    // Each argument needs ` "`, `"` and room for the final "\n".
    if (++count > k_max_args || out.size() + 4 > k_max_line)
      break;
    std::size_t room = k_max_line - out.size() - 4;
    out += " \"";
    auto start = out.size();
    // Most arguments need neither escaping nor cutting: copied at once.
    if (a.size() <= room && std::none_of(a.begin(), a.end(), [](unsigned char c) {
          return c < 0x20 || c == 0x7F || c == '"' || c == '\\';
        })) {
      out.append(a);
      out.push_back('"');
      continue;
    }
    bool cut = false;
    for (unsigned char c : a) {
      if (c < 0x20 || c == 0x7F)
        continue; // CR, LF and friends would end or corrupt the command
      bool escape = c == '"' || c == '\\';
      if (out.size() - start + (escape ? 2 : 1) > room) {
        cut = true; // never split `\"` or `\\`: a lone backslash would escape the closing quote
        break;
      }
      if (escape)
        out.push_back('\\');
      out.push_back(char(c));
    }
    if (cut) { // do not leave half a UTF-8 character behind
      auto lead = out.size();
      while (lead > start && (static_cast<unsigned char>(out[lead - 1]) & 0xC0) == 0x80)
        --lead;
      if (lead > start) {
        auto b = static_cast<unsigned char>(out[lead - 1]);
        std::size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        if (b >= 0xC0 && out.size() - (lead - 1) < len)
          out.resize(lead - 1);
      }
    }
    out.push_back('"');
    if (cut)
      break;
  }
  out.push_back('\n');
  return out;
}

std::string command(std::string_view verb, const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  return command(verb, views);
}

namespace {
bool plain(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           c == '-' || c == '.' || c == '+' || c == '*' || c == '#' || c == '@' || c == ':' ||
           c == '/';
  });
}
} // namespace

std::optional<std::string> set_variables(std::span<const Variable> vars) {
  std::string list;
  for (auto& v : vars) {
    if (v.name.empty() || !plain(v.name) || !plain(v.value))
      return std::nullopt;
    if (!list.empty())
      list += ',';
    list.append(v.name).append("=").append(v.value);
  }
  if (list.empty() || list.size() + 16 > k_max_line)
    return std::nullopt;
  std::array<std::string_view, 2> args = {"MSet", list};
  return command("EXEC", args);
}

} // namespace sr::agi
