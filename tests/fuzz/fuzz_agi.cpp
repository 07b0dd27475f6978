// libFuzzer target for the AGI protocol layer (lib/agi/protocol.h). Built and run by
// tests/fuzz/run.sh with clang's -fsanitize=fuzzer,address,undefined. Each input goes
//   1. to HeaderParser (whole and byte by byte), the bytes it leaves to a ReplyReader;
//   2. to ReplyReader whole and in pseudo-random chunk sizes: both must agree;
//   3. to command() as arguments (split on NUL, and whole as one argument), and to
//      set_variables() as name, value pairs.
// Invariants: no crash or sanitizer report; every cap holds; reply text never exceeds the
// input; a command is one line ending in "\n" that Asterisk tokenises back into a prefix
// of the arguments (agi.md §1.3) and that never starts with "failure".

#include "agi/protocol.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace sr::agi;

namespace {

#define EXPECT(cond)                                                                               \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      std::fprintf(stderr, "fuzz_agi: invariant failed at line %d: %s\n", __LINE__, #cond);        \
      std::abort();                                                                                \
    }                                                                                              \
  } while (0)

struct Replies {
  std::vector<Reply> replies;
  bool hung_up = false;
  bool error = false;
};

Replies drain(ReplyReader& r, Replies out = {}) {
  while (auto reply = r.take())
    out.replies.push_back(std::move(*reply));
  out.hung_up = r.hung_up();
  out.error = !r.error().empty();
  return out;
}

void check_replies(const Replies& got, std::string_view input) {
  std::size_t total = 0;
  for (auto& r : got.replies) {
    EXPECT(r.text.size() <= input.size());
    EXPECT(r.text.size() <= ReplyReader::k_max_line);
    EXPECT(r.text.find('\n') == std::string::npos);
    EXPECT(r.result.size() <= r.text.size());
    EXPECT(r.data.size() <= r.text.size());
    EXPECT(r.code >= 0 && r.code <= 999);
    total += r.text.size() + 1;
  }
  EXPECT(total <= input.size());
}

void same_replies(const Replies& a, const Replies& b) {
  EXPECT(a.replies.size() == b.replies.size());
  for (std::size_t i = 0; i < a.replies.size(); ++i) {
    EXPECT(a.replies[i].text == b.replies[i].text);
    EXPECT(a.replies[i].code == b.replies[i].code);
    EXPECT(a.replies[i].result == b.replies[i].result);
    EXPECT(a.replies[i].data == b.replies[i].data);
    EXPECT(a.replies[i].endpos == b.replies[i].endpos);
  }
  EXPECT(a.hung_up == b.hung_up);
  EXPECT(a.error == b.error);
}

void check_header(const HeaderParser& p, std::size_t used, std::string_view input) {
  EXPECT(used <= input.size());
  EXPECT(used <= HeaderParser::k_max_bytes + 1); // the byte that broke the cap, at most
  EXPECT(p.values().size() <= HeaderParser::k_max_lines);
  std::size_t bytes = 0;
  for (auto& [key, value] : p.values()) {
    EXPECT(key.starts_with("agi_"));
    EXPECT(key.find_first_of(" \n") == std::string::npos);
    EXPECT(value.find('\n') == std::string::npos);
    bytes += key.size() + value.size();
  }
  EXPECT(bytes <= used);
  switch (p.state()) {
  case HeaderParser::State::more:
    EXPECT(used == input.size());
    EXPECT(p.error().empty());
    break;
  case HeaderParser::State::done:
    EXPECT(p.error().empty());
    EXPECT(used >= 1 && input[used - 1] == '\n');
    EXPECT(p.values().count("agi_request") || p.values().count("agi_channel"));
    break;
  case HeaderParser::State::error:
    EXPECT(!p.error().empty());
    break;
  }
}

// Asterisk's parse_args (res_agi.c), without its MAX_ARGS cut.
std::vector<std::string> asterisk_parse_args(std::string_view s, bool& open) {
  std::vector<std::string> words;
  bool quoted = false, escaped = false, whitespace = true;
  for (char c : s) {
    bool normal = false;
    if (c == '"') {
      if (escaped) {
        normal = true;
      } else {
        quoted = !quoted;
        if (quoted && whitespace) {
          words.emplace_back();
          whitespace = false;
        }
        escaped = false;
      }
    } else if (c == ' ' || c == '\t') {
      if (!quoted && !escaped)
        whitespace = true;
      else
        normal = true;
    } else if (c == '\\') {
      if (escaped)
        normal = true;
      else
        escaped = true;
    } else {
      normal = true;
    }
    if (normal) {
      if (whitespace) {
        words.emplace_back();
        whitespace = false;
      }
      words.back().push_back(c);
      escaped = false;
    }
  }
  open = quoted || escaped;
  return words;
}

std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s)
    if (c >= 0x20 && c != 0x7F)
      out.push_back(char(c));
  return out;
}

void check_command(std::string_view verb, const std::vector<std::string>& args) {
  auto line = command(verb, args);
  EXPECT(!line.empty() && line.back() == '\n');
  EXPECT(line.find('\n') == line.size() - 1);
  EXPECT(line.size() <= k_max_line);
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    EXPECT(c >= 0x20 && c != 0x7F);
  }
  if (line.size() >= 7) {
    std::string head = line.substr(0, 7);
    for (auto& c : head)
      if (c >= 'A' && c <= 'Z')
        c = char(c - 'A' + 'a');
    EXPECT(head != "failure");
  }
  bool open = false;
  auto words = asterisk_parse_args(std::string_view(line).substr(0, line.size() - 1), open);
  EXPECT(!open);
  EXPECT(words.size() < 128);
  // The verb's words first, then a prefix of the arguments; only the last may be cut.
  bool open_verb = false;
  auto verb_words = asterisk_parse_args(printable(verb), open_verb);
  EXPECT(words.size() >= verb_words.size());
  std::size_t n = words.size() - verb_words.size();
  EXPECT(n <= args.size() && n <= k_max_args);
  for (std::size_t i = 0; i < n; ++i) {
    auto want = printable(args[i]);
    auto& got = words[verb_words.size() + i];
    if (i + 1 < n)
      EXPECT(got == want);
    else
      EXPECT(std::string_view(want).starts_with(got));
  }
  // Nothing is dropped while there is room: a short line carries every argument.
  if (line.size() + 8 < k_max_line)
    EXPECT(n == std::min(args.size(), k_max_args));
}

// set_variables(): the arguments as name, value pairs. When it builds a line, Asterisk reads
// `EXEC MSet <list>` from it, and MSet's split of the list (on ',' then on the first '=') gives
// back exactly those pairs: nothing it sets differs from what was meant.
void check_set_variables(const std::vector<std::string>& args) {
  std::vector<sr::agi::Variable> vars;
  for (std::size_t i = 0; i + 1 < args.size() && vars.size() < 8; i += 2)
    vars.push_back({args[i], args[i + 1]});
  auto line = sr::agi::set_variables(vars);
  if (!line)
    return;
  EXPECT(line->back() == '\n' && line->find('\n') == line->size() - 1);
  bool open = false;
  auto words = asterisk_parse_args(std::string_view(*line).substr(0, line->size() - 1), open);
  EXPECT(!open && words.size() == 3 && words[0] == "EXEC" && words[1] == "MSet");
  std::vector<std::pair<std::string, std::string>> got;
  std::string_view list = words[2];
  for (;;) {
    auto pair = list.substr(0, list.find(','));
    auto eq = pair.find('=');
    EXPECT(eq != std::string_view::npos);
    got.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
    if (pair.size() == list.size())
      break;
    list.remove_prefix(pair.size() + 1);
  }
  EXPECT(got.size() == vars.size());
  for (std::size_t i = 0; i < vars.size(); ++i)
    EXPECT(got[i].first == vars[i].name && got[i].second == vars[i].value);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(bytes), size);

  // 1. A session: the header, then what it leaves to the replies.
  {
    HeaderParser whole;
    auto used = whole.feed(input);
    check_header(whole, used, input);
    if (whole.state() != HeaderParser::State::more)
      EXPECT(whole.feed(input) == 0); // done and error are final

    HeaderParser bytewise; // the same, a byte at a time as a slow peer sends it
    std::size_t used_bytewise = 0;
    for (std::size_t i = 0; i < size && bytewise.state() == HeaderParser::State::more; ++i)
      used_bytewise += bytewise.feed(input.substr(i, 1));
    EXPECT(used_bytewise == used);
    EXPECT(bytewise.state() == whole.state());
    EXPECT(bytewise.values() == whole.values());
    EXPECT(bytewise.error() == whole.error());

    if (whole.state() == HeaderParser::State::done) {
      auto rest = input.substr(used);
      ReplyReader r;
      r.feed(rest);
      check_replies(drain(r), rest);
    }
  }

  // 2. Replies whole, and in chunk sizes drawn from the input itself.
  Replies once;
  {
    ReplyReader r;
    r.feed(input);
    once = drain(r);
    check_replies(once, input);
  }
  {
    std::uint32_t seed = 2166136261u; // FNV-1a of the input: deterministic per input
    for (unsigned char c : input)
      seed = (seed ^ c) * 16777619u;
    ReplyReader r;
    Replies chunked;
    for (std::size_t at = 0; at < size;) {
      seed = seed * 1664525u + 1013904223u;
      std::size_t max = (seed >> 28) < 4 ? 4 : (seed >> 28) < 12 ? 64 : 20000;
      std::size_t n = 1 + (seed >> 8) % max;
      n = std::min(n, size - at);
      r.feed(input.substr(at, n));
      at += n;
      if ((seed & 3) == 0) // take as the session does, now and then
        chunked = drain(r, std::move(chunked));
    }
    chunked = drain(r, std::move(chunked));
    check_replies(chunked, input);
    same_replies(once, chunked);
  }

  // Each line on its own through parse_reply.
  for (std::size_t at = 0; at < size;) {
    auto eol = input.find('\n', at);
    auto line = input.substr(at, eol == std::string_view::npos ? std::string_view::npos : eol - at);
    auto reply = parse_reply(line);
    EXPECT(reply.text == line);
    EXPECT(reply.result.size() <= line.size() && reply.data.size() <= line.size());
    if (eol == std::string_view::npos)
      break;
    at = eol + 1;
  }

  // 3. command(): the input split on NUL into arguments, and whole as one argument.
  {
    std::vector<std::string> args;
    std::size_t at = 0;
    for (;;) {
      auto nul = input.find('\0', at);
      args.emplace_back(
          input.substr(at, nul == std::string_view::npos ? std::string_view::npos : nul - at));
      if (nul == std::string_view::npos || args.size() > 300)
        break;
      at = nul + 1;
    }
    check_command("SET VARIABLE", args);
    check_command("EXEC", args);
    check_command("NOOP", {});
    check_command("SET VARIABLE", {"SMARTROUTE_TARGET", std::string(input)});
    check_set_variables(args);
    // The first argument as the verb: a verb never escapes its line either.
    if (!args.empty() && args[0].size() < 64 && !printable(args[0]).starts_with(' ')) {
      auto verb = printable(args[0]);
      std::string low = verb.substr(0, 7);
      for (auto& c : low)
        if (c >= 'A' && c <= 'Z')
          c = char(c - 'A' + 'a');
      bool plain = low != "failure" && verb.find_first_of("\"\\") == std::string::npos;
      if (plain)
        check_command(args[0], std::vector<std::string>(args.begin() + 1, args.end()));
    }
  }
  return 0;
}
