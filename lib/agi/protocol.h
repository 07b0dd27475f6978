#pragma once

// The AGI wire protocol as Asterisk 22 speaks it (shared/reference/agi.md §1): the header
// block, replies, and commands. Pure: byte buffers in, values out, no sockets.

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sr::agi {

// Reads the `agi_*: value` block that opens every session, up to its empty line.
class HeaderParser {
public:
  static constexpr std::size_t k_max_bytes = 16 * 1024;
  static constexpr std::size_t k_max_lines = 200;

  enum class State { more, done, error };

  // Keeps only the values of `keep` (every key when empty; it must outlive the parser);
  // every line is checked anyway.
  explicit HeaderParser(std::span<const std::string_view> keep = {}) : m_keep(keep) {}

  // Consumes bytes from `data`; returns how many were used (the rest belongs to replies).
  std::size_t feed(std::string_view data);
  State state() const { return m_state; }
  const std::string& error() const { return m_error; }
  const std::map<std::string, std::string>& values() const { return m_values; }
  // The value of a key, "" when absent or "unknown" (Asterisk's word for "no caller id").
  std::string get(const std::string& key) const;

private:
  void take_line(std::string_view line);
  State m_state = State::more;
  std::string m_error;
  std::string m_line; // a line split across reads
  std::size_t m_bytes = 0, m_lines = 0;
  bool m_has_request = false; // agi_request or agi_channel seen
  std::span<const std::string_view> m_keep;
  std::map<std::string, std::string> m_values;
};

// One reply to a command.
struct Reply {
  int code = 0;       // 200, 510, 511, 520…
  std::string result; // the text after "result=" up to the next space: "-1", "50", "12", ""
  std::string data;   // the "(…)" part: a variable's value, "timeout"
  long endpos = -1;   // STREAM FILE and friends
  std::string text;   // the whole line, for logs

  bool ok() const { return code == 200; }
  // The result as a number; `fallback` when it is not one.
  long number(long fallback = -1) const;
};

// Splits incoming bytes into replies: skips "HANGUP" lines anywhere (remembering them),
// "100 Trying" interim lines, and folds a "520-…" usage block into one reply.
class ReplyReader {
public:
  static constexpr std::size_t k_max_line = 16 * 1024;
  static constexpr std::size_t k_max_block_lines = 200;

  // Adds bytes; then take() yields complete replies in order.
  void feed(std::string_view data);
  std::optional<Reply> take();
  bool hung_up() const { return m_hung_up; }
  // Non-empty when the peer sent something no Asterisk sends (an endless line…).
  const std::string& error() const { return m_error; }

private:
  bool next_line(std::string& line);
  std::string m_buffer;
  std::size_t m_pos = 0;
  bool m_hung_up = false;
  bool m_in_block = false;
  std::size_t m_block_lines = 0;
  std::string m_error;
  std::vector<Reply> m_ready;
  std::size_t m_next_ready = 0;
};

// Parses one reply line ("200 result=50 endpos=9760", "200 result=1 (10"5 x)").
Reply parse_reply(std::string_view line);

// Builds one command line: the verb as is (less control characters), every argument quoted
// with `"` and `\` escaped, CR/LF and other control characters dropped, at most k_max_args
// arguments and k_max_line bytes (the argument that would overflow is cut, never inside an
// escape or a UTF-8 character, and later ones are dropped). Ends with "\n".
inline constexpr std::size_t k_max_args = 16;
inline constexpr std::size_t k_max_line = 4096;
std::string command(std::string_view verb, std::span<const std::string_view> args);
std::string command(std::string_view verb, const std::vector<std::string>& args = {});

// Several channel variables in one round trip: `EXEC MSet "A=1,B=2"`, which Asterisk answers
// "200 result=0" ("200 result=-2" when the application is missing). MSet's argument parser
// gives meaning to commas, quotes, brackets, backslashes and '=' and the AGI parser to spaces,
// so only plain values go this way: nullopt when a value (or name) is not plain, and the
// variables must then be set one by one with SET VARIABLE.
struct Variable {
  std::string_view name, value;
};
std::optional<std::string> set_variables(std::span<const Variable> vars);

} // namespace sr::agi
