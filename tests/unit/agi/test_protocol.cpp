// The AGI wire protocol layer against the facts in shared/reference/agi.md §1.2–1.5: the
// header block, replies (HANGUP anywhere, 100 Trying, 520 usage blocks, GET VARIABLE data
// with parentheses) and the command writer (quoting, escaping, caps).

#include "agi/protocol.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using sr::agi::command;
using sr::agi::HeaderParser;
using sr::agi::parse_reply;
using sr::agi::Reply;
using sr::agi::ReplyReader;
using sr::agi::set_variables;
using sr::agi::Variable;

namespace Catch {
template <> struct StringMaker<HeaderParser::State> {
  static std::string convert(HeaderParser::State s) {
    return s == HeaderParser::State::more   ? "more"
           : s == HeaderParser::State::done ? "done"
                                            : "error";
  }
};
} // namespace Catch

namespace {

using namespace std::string_literals;

// The exact capture from Asterisk 22.10.1 (agi.md §1.2):
// AGI(agi://127.0.0.1:4573/smartroute?did=5551000&mode=normal,argA,arg B) on a Local channel.
// Note "agi_accountcode: " with an empty value (the space is on the wire).
const std::string k_asterisk22_header =
    "agi_network: yes\n"
    "agi_network_script: smartroute?did=5551000&mode=normal\n"
    "agi_request: agi://127.0.0.1:4573/smartroute?did=5551000&mode=normal\n"
    "agi_channel: Local/normal@agi-test-00000000;2\n"
    "agi_language: en\n"
    "agi_type: Local\n"
    "agi_uniqueid: 1795683658.1\n"
    "agi_version: 22.10.1\n"
    "agi_callerid: unknown\n"
    "agi_calleridname: unknown\n"
    "agi_callingpres: 67\n"
    "agi_callingani2: 0\n"
    "agi_callington: 0\n"
    "agi_callingtns: 0\n"
    "agi_dnid: unknown\n"
    "agi_rdnis: unknown\n"
    "agi_context: agi-test\n"
    "agi_extension: normal\n"
    "agi_priority: 4\n"
    "agi_enhanced: 0.0\n"
    "agi_accountcode: \n"
    "agi_threadid: 139818202347200\n"
    "agi_arg_1: argA\n"
    "agi_arg_2: arg B\n"
    "\n";

const std::map<std::string, std::string> k_asterisk22_values = {
    {"agi_network", "yes"},
    {"agi_network_script", "smartroute?did=5551000&mode=normal"},
    {"agi_request", "agi://127.0.0.1:4573/smartroute?did=5551000&mode=normal"},
    {"agi_channel", "Local/normal@agi-test-00000000;2"},
    {"agi_language", "en"},
    {"agi_type", "Local"},
    {"agi_uniqueid", "1795683658.1"},
    {"agi_version", "22.10.1"},
    {"agi_callerid", "unknown"},
    {"agi_calleridname", "unknown"},
    {"agi_callingpres", "67"},
    {"agi_callingani2", "0"},
    {"agi_callington", "0"},
    {"agi_callingtns", "0"},
    {"agi_dnid", "unknown"},
    {"agi_rdnis", "unknown"},
    {"agi_context", "agi-test"},
    {"agi_extension", "normal"},
    {"agi_priority", "4"},
    {"agi_enhanced", "0.0"},
    {"agi_accountcode", ""},
    {"agi_threadid", "139818202347200"},
    {"agi_arg_1", "argA"},
    {"agi_arg_2", "arg B"},
};

// Feeds `data` in pieces of `chunk` bytes (0: all at once) the way a socket loop does:
// stops as soon as the parser leaves State::more. Returns the total bytes used.
std::size_t feed_header(HeaderParser& p, std::string_view data, std::size_t chunk = 0) {
  if (chunk == 0)
    chunk = data.size() ? data.size() : 1;
  std::size_t used = 0;
  for (std::size_t at = 0; at < data.size() && p.state() == HeaderParser::State::more;
       at += chunk) {
    auto piece = data.substr(at, chunk);
    auto n = p.feed(piece);
    REQUIRE(n <= piece.size());
    used += n;
    if (p.state() == HeaderParser::State::more)
      REQUIRE(n == piece.size()); // while more is needed, every byte is taken
  }
  return used;
}

std::string header_with(const std::vector<std::string>& lines) {
  std::string s;
  for (auto& l : lines)
    s += l + "\n";
  return s + "\n";
}

// Asterisk's parse_args (res_agi.c): how Asterisk tokenises the command line we write.
// Returns the tokens and whether the line ended inside a quote or an escape.
struct Tokens {
  std::vector<std::string> words;
  bool open = false;
};
Tokens asterisk_parse_args(std::string_view s) {
  Tokens t;
  bool quoted = false, escaped = false, whitespace = true;
  for (char c : s) {
    bool normal = false;
    switch (c) {
    case '"':
      if (escaped) {
        normal = true;
        break;
      }
      quoted = !quoted;
      if (quoted && whitespace) {
        t.words.emplace_back();
        whitespace = false;
      }
      escaped = false;
      break;
    case ' ':
    case '\t':
      if (!quoted && !escaped)
        whitespace = true;
      else
        normal = true;
      break;
    case '\\':
      if (escaped)
        normal = true;
      else
        escaped = true;
      break;
    default:
      normal = true;
    }
    if (normal) {
      if (whitespace) {
        t.words.emplace_back();
        whitespace = false;
      }
      t.words.back().push_back(c);
      escaped = false;
    }
  }
  t.open = quoted || escaped;
  return t;
}

// What command() promises to keep of an argument: everything but control characters.
std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s)
    if (c >= 0x20 && c != 0x7F)
      out.push_back(char(c));
  return out;
}

bool valid_utf8_end(std::string_view s) {
  // The last sequence is complete (the cut never leaves half a character).
  std::size_t i = s.size();
  std::size_t cont = 0;
  while (i > 0 && (static_cast<unsigned char>(s[i - 1]) & 0xC0) == 0x80 && cont < 4) {
    --i;
    ++cont;
  }
  if (i == 0)
    return cont == 0;
  unsigned char lead = static_cast<unsigned char>(s[i - 1]);
  std::size_t want = lead < 0x80 ? 0 : lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
  return lead < 0x80 ? cont == 0 : cont == want;
}

// The invariants every command line keeps, whatever the arguments.
void check_line(const std::string& line) {
  INFO("line: " << line.substr(0, 200));
  REQUIRE(!line.empty());
  CHECK(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
  CHECK(line.find('\r') == std::string::npos);
  CHECK(line.size() <= sr::agi::k_max_line);
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c < 0x20 || c == 0x7F)
      FAIL("control character " << int(c) << " at " << i);
  }
  std::string head = line.substr(0, 7);
  for (auto& c : head)
    c = char(std::tolower(static_cast<unsigned char>(c)));
  CHECK(head != "failure");
  auto t = asterisk_parse_args(line.substr(0, line.size() - 1));
  CHECK_FALSE(t.open);
  CHECK(t.words.size() < 128); // Asterisk's MAX_ARGS
}

std::vector<Reply> drain(ReplyReader& r) {
  std::vector<Reply> out;
  while (auto reply = r.take())
    out.push_back(*reply);
  return out;
}

struct Want {
  int code;
  std::string result;
  std::string data = {};
  long endpos = -1;
};

} // namespace

// ---------------------------------------------------------------------------------------
// HeaderParser
// ---------------------------------------------------------------------------------------

TEST_CASE("header: the Asterisk 22 capture in one chunk", "[agi]") {
  HeaderParser p;
  auto used = p.feed(k_asterisk22_header);
  CHECK(used == k_asterisk22_header.size());
  REQUIRE(p.state() == HeaderParser::State::done);
  CHECK(p.error().empty());
  CHECK(p.values() == k_asterisk22_values);
  CHECK(p.values().size() == 24);
  // "unknown" reads as absent; the raw value stays in values().
  CHECK(p.get("agi_callerid").empty());
  CHECK(p.get("agi_calleridname").empty());
  CHECK(p.get("agi_dnid").empty());
  CHECK(p.get("agi_rdnis").empty());
  CHECK(p.get("agi_accountcode").empty());
  CHECK(p.get("agi_nosuchkey").empty());
  CHECK(p.get("agi_channel") == "Local/normal@agi-test-00000000;2");
  CHECK(p.get("agi_network_script") == "smartroute?did=5551000&mode=normal");
  CHECK(p.get("agi_arg_2") == "arg B");
  // Once done, nothing more is taken.
  CHECK(p.feed("200 result=1\n") == 0);
  CHECK(p.state() == HeaderParser::State::done);
}

TEST_CASE("header: the Asterisk 22 capture byte by byte and in every chunk size", "[agi]") {
  for (std::size_t chunk = 1; chunk <= k_asterisk22_header.size(); ++chunk) {
    INFO("chunk " << chunk);
    HeaderParser p;
    auto used = feed_header(p, k_asterisk22_header, chunk);
    CHECK(used == k_asterisk22_header.size());
    REQUIRE(p.state() == HeaderParser::State::done);
    CHECK(p.values() == k_asterisk22_values);
  }
  // Byte by byte: each byte is taken and the state stays `more` until the empty line.
  HeaderParser p;
  for (std::size_t i = 0; i < k_asterisk22_header.size(); ++i) {
    REQUIRE(p.state() == HeaderParser::State::more);
    REQUIRE(p.feed(std::string_view(&k_asterisk22_header[i], 1)) == 1);
  }
  CHECK(p.state() == HeaderParser::State::done);
}

TEST_CASE("header: CRLF line ends", "[agi]") {
  std::string crlf;
  for (char c : k_asterisk22_header) {
    if (c == '\n')
      crlf += '\r';
    crlf += c;
  }
  HeaderParser p;
  CHECK(p.feed(crlf) == crlf.size());
  REQUIRE(p.state() == HeaderParser::State::done);
  CHECK(p.values() == k_asterisk22_values);
}

TEST_CASE("header: bytes after the empty line are left for the replies", "[agi]") {
  const std::string replies = "200 result=1\nHANGUP\n200 result=-1 endpos=0\n";
  const std::string wire = k_asterisk22_header + replies;
  for (std::size_t chunk :
       {std::size_t(0), std::size_t(1), std::size_t(7), std::size_t(64), std::size_t(4096)}) {
    INFO("chunk " << chunk);
    HeaderParser p;
    ReplyReader r;
    std::size_t at = 0;
    std::size_t step = chunk ? chunk : wire.size();
    // The session loop of server.cpp: header first, the rest of the same read to the replies.
    for (; at < wire.size(); at += step) {
      auto piece = std::string_view(wire).substr(at, step);
      if (p.state() == HeaderParser::State::more) {
        auto used = p.feed(piece);
        if (p.state() == HeaderParser::State::done)
          r.feed(piece.substr(used));
      } else {
        r.feed(piece);
      }
    }
    REQUIRE(p.state() == HeaderParser::State::done);
    auto got = drain(r);
    REQUIRE(got.size() == 2);
    CHECK(got[0].code == 200);
    CHECK(got[0].result == "1");
    CHECK(got[1].result == "-1");
    CHECK(got[1].endpos == 0);
    CHECK(r.hung_up());
    CHECK(r.error().empty());
  }
  HeaderParser p;
  CHECK(p.feed(wire) == k_asterisk22_header.size());
}

TEST_CASE("header: values split on the first \": \" only", "[agi]") {
  struct Case {
    std::string line;
    std::string key;
    std::string value;
  };
  const Case cases[] = {
      {"agi_calleridname: John: Smith", "agi_calleridname", "John: Smith"},
      {"agi_calleridname: a: b: c", "agi_calleridname", "a: b: c"},
      {"agi_calleridname: : x", "agi_calleridname", ": x"},
      {"agi_calleridname: 12:30", "agi_calleridname", "12:30"},
      {"agi_calleridname: Smith, John", "agi_calleridname", "Smith, John"},
      {"agi_calleridname: Иван Петров", "agi_calleridname", "Иван Петров"},
      {"agi_calleridname:  two leading spaces", "agi_calleridname", " two leading spaces"},
      {"agi_calleridname: trailing ", "agi_calleridname", "trailing "},
      {"agi_accountcode: ", "agi_accountcode", ""},
      {"agi_accountcode:", "agi_accountcode", ""},
      {"agi_network_script: smartroute?a=1&b=http://x:80/y", "agi_network_script",
       "smartroute?a=1&b=http://x:80/y"},
      {"agi_arg_1: \"quoted\" (paren) \\back", "agi_arg_1", "\"quoted\" (paren) \\back"},
  };
  for (auto& c : cases) {
    INFO(c.line);
    HeaderParser p;
    auto text = header_with({"agi_request: agi://127.0.0.1/x", c.line});
    CHECK(p.feed(text) == text.size());
    REQUIRE(p.state() == HeaderParser::State::done);
    REQUIRE(p.values().count(c.key) == 1);
    CHECK(p.values().at(c.key) == c.value);
  }
  // A later duplicate wins; agi_channel alone also identifies an AGI session.
  HeaderParser p;
  p.feed(header_with({"agi_channel: SIP/1", "agi_arg_1: a", "agi_arg_1: b"}));
  REQUIRE(p.state() == HeaderParser::State::done);
  CHECK(p.get("agi_arg_1") == "b");
}

TEST_CASE("header: 127 arguments (Asterisk's maximum) fit", "[agi]") {
  std::string text = k_asterisk22_header.substr(0, k_asterisk22_header.size() - 1);
  for (int i = 3; i <= 127; ++i)
    text += "agi_arg_" + std::to_string(i) + ": value " + std::to_string(i) + "\n";
  text += "\n";
  HeaderParser p;
  CHECK(feed_header(p, text, 1) == text.size());
  REQUIRE(p.state() == HeaderParser::State::done);
  CHECK(p.values().size() == 24 + 125);
  CHECK(p.get("agi_arg_127") == "value 127");
}

TEST_CASE("header: garbage, over-size and incomplete headers", "[agi]") {
  struct Case {
    const char* name;
    std::string data;
    HeaderParser::State state;
  };
  std::string many_lines;
  many_lines += "agi_request: agi://h/x\n";
  for (std::size_t i = 0; i < HeaderParser::k_max_lines; ++i)
    many_lines += "agi_arg_" + std::to_string(i) + ": v\n";
  many_lines += "\n";
  std::string max_lines = "agi_request: agi://h/x\n";
  for (std::size_t i = 1; i < HeaderParser::k_max_lines; ++i)
    max_lines += "agi_arg_" + std::to_string(i) + ": v\n";
  max_lines += "\n";
  std::string long_value = "agi_request: " + std::string(HeaderParser::k_max_bytes, 'x') + "\n\n";
  std::string endless_line(100000, 'a');
  std::string exact = "agi_request: ";
  exact += std::string(HeaderParser::k_max_bytes - exact.size() - 2, 'x') + "\n\n";
  REQUIRE(exact.size() == HeaderParser::k_max_bytes);
  std::string one_over = "agi_request: ";
  one_over += std::string(HeaderParser::k_max_bytes - one_over.size() - 1, 'x') + "\n\n";
  REQUIRE(one_over.size() == HeaderParser::k_max_bytes + 1);

  const Case cases[] = {
      {"empty line only", "\n", HeaderParser::State::error},
      {"CRLF only", "\r\n", HeaderParser::State::error},
      {"no agi_request or agi_channel", header_with({"agi_network: yes", "agi_language: en"}),
       HeaderParser::State::error},
      {"HTTP request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", HeaderParser::State::error},
      {"TLS client hello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"s,
       HeaderParser::State::more},
      {"binary then newline", "\x16\x03\x01\x00\xff\n"s, HeaderParser::State::error},
      {"NUL bytes", std::string(10, '\0') + "\n", HeaderParser::State::error},
      {"reply instead of header", "200 result=0\n", HeaderParser::State::error},
      {"key without agi_ prefix", header_with({"agi_request: a", "request: b"}),
       HeaderParser::State::error},
      {"key with a space", header_with({"agi_request: a", "agi request: b"}),
       HeaderParser::State::error},
      {"uppercase key", header_with({"AGI_REQUEST: a"}), HeaderParser::State::error},
      {"more lines than the cap", many_lines, HeaderParser::State::error},
      {"exactly the line cap", max_lines, HeaderParser::State::done},
      {"value past the byte cap", long_value, HeaderParser::State::error},
      {"endless line", endless_line, HeaderParser::State::error},
      {"exactly the byte cap", exact, HeaderParser::State::done},
      {"one byte over the byte cap", one_over, HeaderParser::State::error},
      {"truncated header", k_asterisk22_header.substr(0, 300), HeaderParser::State::more},
      {"header without its empty line",
       k_asterisk22_header.substr(0, k_asterisk22_header.size() - 1), HeaderParser::State::more},
      {"nothing", "", HeaderParser::State::more},
  };
  for (auto& c : cases) {
    for (std::size_t chunk : {std::size_t(0), std::size_t(1), std::size_t(13)}) {
      INFO(c.name << ", chunk " << chunk);
      HeaderParser p;
      auto used = feed_header(p, c.data, chunk);
      CHECK(p.state() == c.state);
      CHECK(used <= c.data.size());
      CHECK(used <= HeaderParser::k_max_bytes + 1); // never reads past its cap
      CHECK(p.values().size() <= HeaderParser::k_max_lines);
      if (c.state == HeaderParser::State::error) {
        CHECK_FALSE(p.error().empty());
        // An error is final: nothing more is taken.
        CHECK(p.feed(k_asterisk22_header) == 0);
        CHECK(p.state() == HeaderParser::State::error);
      } else {
        CHECK(p.error().empty());
      }
      if (c.state == HeaderParser::State::more)
        CHECK(used == c.data.size());
    }
  }
}

// ---------------------------------------------------------------------------------------
// parse_reply
// ---------------------------------------------------------------------------------------

TEST_CASE("parse_reply: the reply forms of agi.md §1.4 and §1.6", "[agi]") {
  struct Case {
    std::string line;
    int code;
    std::string result;
    std::string data;
    long endpos;
    long number; // number(-999)
  };
  const Case cases[] = {
      // generic
      {"200 result=0", 200, "0", "", -1, 0},
      {"200 result=1", 200, "1", "", -1, 1},
      {"200 result=-2", 200, "-2", "", -1, -2}, // EXEC: application not found
      {"200 result=6", 200, "6", "", -1, 6},    // CHANNEL STATUS: up
      // STREAM FILE
      {"200 result=50 endpos=9760", 200, "50", "", 9760, 50},
      {"200 result=0 endpos=40000", 200, "0", "", 40000, 0},
      {"200 result=-1 endpos=0", 200, "-1", "", 0, -1},
      {"200 result=-1 endpos=8000", 200, "-1", "", 8000, -1},
      {"200 result=35 endpos=123", 200, "35", "", 123, 35},
      // GET DATA
      {"200 result=12", 200, "12", "", -1, 12},
      {"200 result=12 (timeout)", 200, "12", "timeout", -1, 12},
      {"200 result= (timeout)", 200, "", "timeout", -1, -999},
      {"200 result=", 200, "", "", -1, -999},
      {"200 result=-1", 200, "-1", "", -1, -1},
      {"200 result=0123", 200, "0123", "", -1, 123},
      // GET VARIABLE / GET FULL VARIABLE: data runs to the last ")"
      {"200 result=1 (103)", 200, "1", "103", -1, 1},
      {"200 result=1 (10\"5 x)", 200, "1", "10\"5 x", -1, 1},
      {"200 result=1 (a (b) c)", 200, "1", "a (b) c", -1, 1},
      {"200 result=1 ((x)", 200, "1", "(x", -1, 1},
      {"200 result=1 (x))", 200, "1", "x)", -1, 1},
      {"200 result=1 ()", 200, "1", "", -1, 1},
      {"200 result=1 ( )", 200, "1", " ", -1, 1},
      {"200 result=1 (a endpos=5 b)", 200, "1", "a endpos=5 b", -1, 1},
      {"200 result=1 (result=7)", 200, "1", "result=7", -1, 1},
      {"200 result=1 (Иван)", 200, "1", "Иван", -1, 1},
      {"200 result=0", 200, "0", "", -1, 0}, // unset variable
      // GOSUB
      {"100 result=0 Trying...", 100, "0", "", -1, 0},
      {"200 result=0 Gosub complete", 200, "0", "", -1, 0},
      {"503 result=-2 Memory allocation failure", 503, "-2", "", -1, -2},
      // errors
      {"510 Invalid or unknown command", 510, "", "", -1, -999},
      {"511 Command Not Permitted on a dead channel or intercept routine", 511, "", "", -1, -999},
      {"520 End of proper usage.", 520, "", "", -1, -999},
      {"520 Invalid command syntax.  Proper usage not available.", 520, "", "", -1, -999},
      // not replies at all
      {"", 0, "", "", -1, -999},
      {"HANGUP", 0, "", "", -1, -999},
      {"20", 0, "", "", -1, -999},
      {"2x0 result=1", 0, "1", "", -1, 1},
      {"result=5", 0, "5", "", -1, 5},
      {"200 result=1x", 200, "1x", "", -1, -999},
      {"200 result=99999999999999999999999", 200, "99999999999999999999999", "", -1, -999},
      {"200 result=0 endpos=", 200, "0", "", -1, 0},
      {"200 result=0 endpos=x", 200, "0", "", -1, 0},
      {"200 result=0 endpos=99999999999999999999999", 200, "0", "", -1, 0},
  };
  for (auto& c : cases) {
    INFO(c.line);
    auto r = parse_reply(c.line);
    CHECK(r.code == c.code);
    CHECK(r.result == c.result);
    CHECK(r.data == c.data);
    CHECK(r.endpos == c.endpos);
    CHECK(r.number(-999) == c.number);
    CHECK(r.text == c.line);
    CHECK(r.ok() == (c.code == 200));
  }
  CHECK(parse_reply("200 result=").number() == -1); // default fallback
}

// ---------------------------------------------------------------------------------------
// ReplyReader
// ---------------------------------------------------------------------------------------

namespace {

// STREAM FILE with too few arguments: 5 usage lines (agi.md §1.4), XML-ish, indented.
const std::string k_usage_stream_file =
    "520-Invalid command syntax.  Proper usage follows:\n"
    " Usage: STREAM FILE <filename> <escape_digits> [sample offset]\n"
    "        Send the given file, allowing playback to be interrupted by the given digits, if "
    "any.\n"
    "        Returns <literal>0</literal> if playback completes without a digit being pressed, or\n"
    "        the ASCII numerical value of the digit if one was pressed, or <literal>-1</literal> "
    "on\n"
    "    <value>error or if the channel was disconnected.</value> result=-1 endpos=0\n"
    "520 End of proper usage.\n";

// GET DATA: 2 usage lines.
const std::string k_usage_get_data =
    "520-Invalid command syntax.  Proper usage follows:\n"
    " Usage: GET DATA <file to be streamed> [timeout] [max digits]\n"
    "        Stream the given file, and receive DTMF data.\n"
    "520 End of proper usage.\n";

struct Transcript {
  const char* name;
  std::string wire;
  std::vector<Want> replies;
  bool hung_up;
};

std::vector<Transcript> transcripts() {
  return {
      {"one reply", "200 result=1\n", {{200, "1"}}, false},
      {"HANGUP before a reply",
       "HANGUP\n200 result=-1 endpos=8000\n",
       {{200, "-1", "", 8000}},
       true},
      {"HANGUP after a reply",
       "200 result=-1 endpos=8000\nHANGUP\n",
       {{200, "-1", "", 8000}},
       true},
      // The verified dead-channel sequence of agi.md §1.5.
      {"HANGUP between replies",
       "200 result=-1 endpos=8000\nHANGUP\n"
       "511 Command Not Permitted on a dead channel or intercept routine\n"
       "200 result=1\n200 result=1 (103)\nHANGUP\n",
       {{200, "-1", "", 8000}, {511, ""}, {200, "1"}, {200, "1", "103"}},
       true},
      {"HANGUP only", "HANGUP\n", {}, true},
      {"HANGUP twice", "HANGUP\nHANGUP\n", {}, true},
      {"520 block of 5 usage lines then 200",
       k_usage_stream_file + "200 result=0 endpos=40000\n",
       {{520, ""}, {200, "0", "", 40000}},
       false},
      {"520 block of 2 usage lines",
       k_usage_get_data + "200 result=12 (timeout)\n",
       {{520, ""}, {200, "12", "timeout"}},
       false},
      {"HANGUP inside a 520 block",
       "520-Invalid command syntax.  Proper usage follows:\n Usage: X\nHANGUP\n"
       "520 End of proper usage.\n200 result=1\n",
       {{520, ""}, {200, "1"}},
       true},
      {"520 without usage",
       "520 Invalid command syntax.  Proper usage not available.\n",
       {{520, ""}},
       false},
      {"100 Trying then 200",
       "100 result=0 Trying...\n200 result=0 Gosub complete\n",
       {{200, "0"}},
       false},
      {"100 Trying, HANGUP, 200",
       "100 result=0 Trying...\nHANGUP\n200 result=0 Gosub complete\n",
       {{200, "0"}},
       true},
      {"GET DATA forms",
       "200 result=12\n200 result=12 (timeout)\n200 result= (timeout)\n200 result=\n200 "
       "result=-1\n",
       {{200, "12"}, {200, "12", "timeout"}, {200, "", "timeout"}, {200, ""}, {200, "-1"}},
       false},
      {"GET VARIABLE data with quote and parentheses",
       "200 result=1 (10\"5 x)\n200 result=1 (a (b) c)\n200 result=0\n",
       {{200, "1", "10\"5 x"}, {200, "1", "a (b) c"}, {200, "0"}},
       false},
      {"CRLF line ends",
       "HANGUP\r\n200 result=50 endpos=9760\r\n510 Invalid or unknown command\r\n",
       {{200, "50", "", 9760}, {510, ""}},
       true},
      {"unfinished last line waits", "200 result=1\n200 result=", {{200, "1"}}, false},
      {"HANGUP prefix is not HANGUP", "HANGUPX\n", {{0, ""}}, false},
  };
}

// Splits `wire` into pieces at random points, deterministic per seed.
std::vector<std::string_view> random_chunks(std::string_view wire, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> len(1, 9);
  std::vector<std::string_view> out;
  for (std::size_t at = 0; at < wire.size();) {
    auto n = std::min(len(rng), wire.size() - at);
    out.push_back(wire.substr(at, n));
    at += n;
  }
  return out;
}

void check_replies(const std::vector<Reply>& got, const std::vector<Want>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("reply " << i << ": " << got[i].text);
    CHECK(got[i].code == want[i].code);
    CHECK(got[i].result == want[i].result);
    CHECK(got[i].data == want[i].data);
    CHECK(got[i].endpos == want[i].endpos);
  }
}

} // namespace

TEST_CASE("replies: transcripts in one chunk, byte by byte, at every split and at random",
          "[agi]") {
  for (auto& t : transcripts()) {
    INFO(t.name);
    {
      ReplyReader r;
      r.feed(t.wire);
      check_replies(drain(r), t.replies);
      CHECK(r.hung_up() == t.hung_up);
      CHECK(r.error().empty());
    }
    {
      // One byte at a time, taking replies as soon as they are complete.
      ReplyReader r;
      std::vector<Reply> got;
      for (char c : t.wire) {
        r.feed(std::string_view(&c, 1));
        for (auto& reply : drain(r))
          got.push_back(reply);
      }
      check_replies(got, t.replies);
      CHECK(r.hung_up() == t.hung_up);
      CHECK(r.error().empty());
    }
    for (std::size_t split = 0; split <= t.wire.size(); ++split) {
      INFO("split at " << split);
      ReplyReader r;
      r.feed(std::string_view(t.wire).substr(0, split));
      auto got = drain(r);
      r.feed(std::string_view(t.wire).substr(split));
      for (auto& reply : drain(r))
        got.push_back(reply);
      check_replies(got, t.replies);
      CHECK(r.hung_up() == t.hung_up);
    }
    for (unsigned seed = 1; seed <= 20; ++seed) {
      INFO("seed " << seed);
      ReplyReader r;
      for (auto piece : random_chunks(t.wire, seed))
        r.feed(piece);
      check_replies(drain(r), t.replies);
      CHECK(r.hung_up() == t.hung_up);
    }
  }
}

TEST_CASE("replies: all transcripts back to back in one stream", "[agi]") {
  std::string wire;
  std::vector<Want> want;
  for (auto& t : transcripts()) {
    if (std::string_view(t.name) == "unfinished last line waits")
      continue;
    wire += t.wire;
    want.insert(want.end(), t.replies.begin(), t.replies.end());
  }
  for (unsigned seed = 0; seed < 10; ++seed) {
    ReplyReader r;
    std::vector<Reply> got;
    for (auto piece : random_chunks(wire, seed)) {
      r.feed(piece);
      for (auto& reply : drain(r))
        got.push_back(reply);
    }
    check_replies(got, want);
    CHECK(r.hung_up());
    CHECK(r.error().empty());
  }
}

TEST_CASE("replies: take() yields each reply once, in order", "[agi]") {
  ReplyReader r;
  CHECK_FALSE(r.take());
  r.feed("200 result=1\n200 result=2\n");
  REQUIRE(r.take()->result == "1");
  r.feed("200 result=3\n");
  REQUIRE(r.take()->result == "2");
  REQUIRE(r.take()->result == "3");
  CHECK_FALSE(r.take());
  CHECK_FALSE(r.take());
  r.feed("200 result=4\n");
  REQUIRE(r.take()->result == "4");
  CHECK_FALSE(r.take());
  CHECK_FALSE(r.hung_up());
}

TEST_CASE("replies: endless lines and blocks are errors", "[agi]") {
  const auto cap = ReplyReader::k_max_line;
  SECTION("a line of exactly the cap is a reply, in any chunking") {
    std::string line = "200 result=1 (" + std::string(cap - 15, 'v') + ")";
    REQUIRE(line.size() == cap);
    for (std::size_t chunk : {std::size_t(1), std::size_t(1000), line.size() + 1}) {
      INFO("chunk " << chunk);
      ReplyReader r;
      std::string wire = line + "\n";
      for (std::size_t at = 0; at < wire.size(); at += chunk)
        r.feed(std::string_view(wire).substr(at, chunk));
      CHECK(r.error().empty());
      auto got = drain(r);
      REQUIRE(got.size() == 1);
      CHECK(got[0].data.size() == cap - 15);
    }
  }
  SECTION("a line past the cap is an error, in any chunking") {
    std::string wire = "200 result=1 (" + std::string(cap, 'v') + ")\n200 result=2\n";
    for (std::size_t chunk : {std::size_t(1), std::size_t(1000), wire.size()}) {
      INFO("chunk " << chunk);
      ReplyReader r;
      r.feed("200 result=0\n");
      for (std::size_t at = 0; at < wire.size(); at += chunk)
        r.feed(std::string_view(wire).substr(at, chunk));
      CHECK_FALSE(r.error().empty());
      // What came before the long line is still there; nothing after it.
      auto got = drain(r);
      REQUIRE(got.size() == 1);
      CHECK(got[0].result == "0");
    }
  }
  SECTION("an endless line without a newline") {
    ReplyReader r;
    std::string junk(cap + 1, 'j');
    r.feed(junk);
    CHECK_FALSE(r.error().empty());
    CHECK_FALSE(r.take());
  }
  SECTION("a 520 block without an end") {
    ReplyReader r;
    r.feed("520-Invalid command syntax.  Proper usage follows:\n");
    for (std::size_t i = 0; i < ReplyReader::k_max_block_lines; ++i)
      r.feed(" usage line\n");
    CHECK(r.error().empty());
    r.feed(" one usage line too many\n");
    CHECK_FALSE(r.error().empty());
    r.feed("520 End of proper usage.\n200 result=1\n");
    CHECK_FALSE(r.take());
  }
  SECTION("an error is final") {
    ReplyReader r;
    r.feed(std::string(cap + 10, 'j'));
    REQUIRE_FALSE(r.error().empty());
    auto error = r.error();
    for (int i = 0; i < 100; ++i)
      r.feed("\n200 result=1\nHANGUP\n");
    CHECK_FALSE(r.take());
    CHECK_FALSE(r.hung_up());
    CHECK(r.error() == error);
  }
}

TEST_CASE("replies: reply text never exceeds the input", "[agi]") {
  std::mt19937 rng(42);
  const std::string alphabet = "0125 \n\r()=-resultHANGUPendpos\"\\x";
  for (int round = 0; round < 300; ++round) {
    std::string wire;
    std::size_t n = rng() % 400;
    for (std::size_t i = 0; i < n; ++i)
      wire.push_back(alphabet[rng() % alphabet.size()]);
    ReplyReader r;
    for (auto piece : random_chunks(wire, unsigned(round)))
      r.feed(piece);
    std::size_t total = 0;
    for (auto& reply : drain(r)) {
      CHECK(reply.text.size() <= wire.size());
      CHECK(reply.text.find('\n') == std::string::npos);
      CHECK(reply.data.size() <= reply.text.size());
      CHECK(reply.result.size() <= reply.text.size());
      total += reply.text.size() + 1;
    }
    CHECK(total <= wire.size());
  }
}

// ---------------------------------------------------------------------------------------
// command()
// ---------------------------------------------------------------------------------------

TEST_CASE("command: quoting and escaping", "[agi]") {
  struct Case {
    std::string verb;
    std::vector<std::string> args;
    std::string line;
  };
  const Case cases[] = {
      {"ANSWER", {}, "ANSWER\n"},
      {"NOOP", {}, "NOOP\n"},
      {"SET VARIABLE",
       {"SMARTROUTE_TARGET", "102"},
       "SET VARIABLE \"SMARTROUTE_TARGET\" \"102\"\n"},
      {"SET VARIABLE",
       {"SMARTROUTE_TARGET", "10\"5 x"},
       "SET VARIABLE \"SMARTROUTE_TARGET\" \"10\\\"5 x\"\n"},
      {"SET VARIABLE", {"X", "a\\b"}, "SET VARIABLE \"X\" \"a\\\\b\"\n"},
      {"SET VARIABLE", {"X", "\\"}, "SET VARIABLE \"X\" \"\\\\\"\n"},
      {"SET VARIABLE", {"X", "\\\""}, "SET VARIABLE \"X\" \"\\\\\\\"\"\n"},
      {"SET VARIABLE", {"X", ""}, "SET VARIABLE \"X\" \"\"\n"},
      {"STREAM FILE",
       {"/var/cache/smartroute/ab cd", "0123456789*#"},
       "STREAM FILE \"/var/cache/smartroute/ab cd\" \"0123456789*#\"\n"},
      {"STREAM FILE", {"x", ""}, "STREAM FILE \"x\" \"\"\n"},
      {"WAIT FOR DIGIT", {"-1"}, "WAIT FOR DIGIT \"-1\"\n"},
      {"EXEC", {"Dial", "PJSIP/100,30,tT"}, "EXEC \"Dial\" \"PJSIP/100,30,tT\"\n"},
      {"VERBOSE", {"Иван Петров: «звонок»", "1"}, "VERBOSE \"Иван Петров: «звонок»\" \"1\"\n"},
      // CR, LF and every other control character are dropped.
      {"SET VARIABLE", {"X", "a\r\nb"}, "SET VARIABLE \"X\" \"ab\"\n"},
      {"SET VARIABLE", {"X", "a\nfailure"}, "SET VARIABLE \"X\" \"afailure\"\n"},
      {"SET VARIABLE",
       {"X", "\t\x01\x1f\x7f"s + "y" + std::string(1, '\0')},
       "SET VARIABLE \"X\" \"y\"\n"},
      {"SET VARIABLE", {"X", "\n\n\n"}, "SET VARIABLE \"X\" \"\"\n"},
      // Arguments that look like commands or failures stay inside quotes.
      {"VERBOSE", {"failure", "1"}, "VERBOSE \"failure\" \"1\"\n"},
      {"VERBOSE", {"\"\nHANGUP\n\"", "1"}, "VERBOSE \"\\\"HANGUP\\\"\" \"1\"\n"},
      // The verb is trusted, but control characters never get through it either.
      {"NOOP\nFAILURE", {}, "NOOPFAILURE\n"},
      {"NOOP\r", {"x"}, "NOOP \"x\"\n"},
  };
  for (auto& c : cases) {
    INFO(c.verb);
    auto line = command(c.verb, c.args);
    CHECK(line == c.line);
    check_line(line);
  }
}

TEST_CASE("command: Asterisk reads back exactly the arguments we meant", "[agi]") {
  const std::vector<std::vector<std::string>> arg_lists = {
      {"SMARTROUTE_TARGET", "10\"5 x"},
      {"a\\b", "\\\\", "\"\"", "\\\"", "x\\"},
      {"", "", ""},
      {"spaces  inside", " lead", "trail ", "\ttab"},
      {"(parens) [brackets] {braces} 'single' `back`", "$ {VAR} ${VAR}", ",;|&<>"},
      {"Иван", "日本語", "emoji 😀"},
  };
  for (auto& args : arg_lists) {
    auto line = command("SET VARIABLE", args);
    check_line(line);
    auto t = asterisk_parse_args(line.substr(0, line.size() - 1));
    std::vector<std::string> want = {"SET", "VARIABLE"};
    for (auto& a : args)
      want.push_back(printable(a));
    CHECK(t.words == want);
  }
}

TEST_CASE("command: caps on arguments and length", "[agi]") {
  SECTION("at most k_max_args arguments, 128 and more given") {
    for (std::size_t n : {sr::agi::k_max_args, sr::agi::k_max_args + 1, std::size_t(127),
                          std::size_t(128), std::size_t(129), std::size_t(1000)}) {
      INFO(n << " arguments");
      std::vector<std::string> args(n, "\"a\"");
      auto line = command("EXEC", args);
      check_line(line);
      auto t = asterisk_parse_args(line.substr(0, line.size() - 1));
      CHECK(t.words.size() == 1 + std::min(n, sr::agi::k_max_args));
      for (std::size_t i = 1; i < t.words.size(); ++i)
        CHECK(t.words[i] == "\"a\"");
    }
  }
  SECTION("a 10 KB argument is cut to fit the line, keeping the argument count") {
    const std::string prefix = "SET VARIABLE \"X\" \"";
    struct Case {
      const char* name;
      std::string value;
      std::string kept; // what Asterisk should read back
    };
    const auto room = sr::agi::k_max_line - prefix.size() - 2; // closing quote and newline
    const Case cases[] = {
        {"plain", std::string(10240, 'a'), std::string(room, 'a')},
        // Each quote takes two bytes; the cut never separates a backslash from its quote.
        {"quotes", std::string(10240, '"'), std::string(room / 2, '"')},
        {"backslashes", std::string(10240, '\\'), std::string(room / 2, '\\')},
        {"odd offset quotes", "a" + std::string(10240, '"'),
         "a" + std::string((room - 1) / 2, '"')},
        // Two-byte UTF-8: the cut never leaves half a character.
        {"cyrillic",
         [] {
           std::string s;
           for (int i = 0; i < 5120; ++i)
             s += "я";
           return s;
         }(),
         [&] {
           std::string s;
           for (std::size_t i = 0; i < room / 2; ++i)
             s += "я";
           return s;
         }()},
        {"odd offset cyrillic",
         [] {
           std::string s = "a";
           for (int i = 0; i < 5120; ++i)
             s += "я";
           return s;
         }(),
         [&] {
           std::string s = "a";
           for (std::size_t i = 0; i < (room - 1) / 2; ++i)
             s += "я";
           return s;
         }()},
        {"control characters do not count", std::string(10240, '\n') + "ok", "ok"},
    };
    for (auto& c : cases) {
      INFO(c.name);
      auto line = command("SET VARIABLE", {"X", c.value});
      check_line(line);
      if (c.kept.size() > 100) // cut: the line is full, give or take half an escape or character
        CHECK(line.size() >= sr::agi::k_max_line - 2);
      auto t = asterisk_parse_args(line.substr(0, line.size() - 1));
      REQUIRE(t.words.size() == 4);
      CHECK(t.words[3].size() == c.kept.size());
      CHECK(t.words[3] == c.kept);
      CHECK(valid_utf8_end(t.words[3]));
    }
  }
  SECTION("arguments after a cut one are dropped, the line stays whole") {
    auto line = command("EXEC", {"Dial", std::string(10000, 'x'), "after"});
    check_line(line);
    auto t = asterisk_parse_args(line.substr(0, line.size() - 1));
    REQUIRE(t.words.size() == 3);
    CHECK(t.words[1] == "Dial");
    CHECK(t.words[2].find_first_not_of('x') == std::string::npos);
  }
  SECTION("many medium arguments fill the line without overflowing it") {
    std::vector<std::string> args(sr::agi::k_max_args, std::string(1000, 'm'));
    auto line = command("EXEC", args);
    check_line(line);
  }
  SECTION("an over-long verb is cut") {
    auto line = command(std::string(10000, 'V'), {"x"});
    check_line(line);
  }
}

TEST_CASE("command: random arguments keep the line invariants", "[agi]") {
  std::mt19937 rng(20260806);
  for (int round = 0; round < 500; ++round) {
    std::vector<std::string> args(rng() % 140);
    for (auto& a : args) {
      std::size_t len = rng() % 8 == 0 ? rng() % 10240 : rng() % 40;
      for (std::size_t i = 0; i < len; ++i) {
        // Bias toward the characters that matter: quotes, backslashes, CR, LF, spaces.
        switch (rng() % 8) {
        case 0:
          a.push_back('"');
          break;
        case 1:
          a.push_back('\\');
          break;
        case 2:
          a.push_back(rng() % 2 ? '\n' : '\r');
          break;
        case 3:
          a.push_back(' ');
          break;
        default:
          a.push_back(char(rng() % 256));
        }
      }
    }
    auto line = command("SET VARIABLE", args);
    check_line(line);
    // Asterisk reads back a prefix of the printable arguments; only the last may be cut.
    auto t = asterisk_parse_args(line.substr(0, line.size() - 1));
    REQUIRE(t.words.size() >= 2);
    std::size_t got = t.words.size() - 2;
    REQUIRE(got <= std::min(args.size(), sr::agi::k_max_args));
    for (std::size_t i = 0; i < got; ++i) {
      auto want = printable(args[i]);
      if (i + 1 < got)
        CHECK(t.words[2 + i] == want);
      else
        CHECK(want.starts_with(t.words[2 + i]));
    }
    if (args.size() > 0 && got == 0)
      FAIL("no argument survived");
  }
}

TEST_CASE("header: keeping only some keys checks every line all the same", "[agi]") {
  static constexpr std::string_view keep[] = {"agi_uniqueid", "agi_arg_1"};
  HeaderParser p(keep);
  CHECK(p.feed(k_asterisk22_header) == k_asterisk22_header.size());
  REQUIRE(p.state() == HeaderParser::State::done);
  CHECK(p.values().size() == 2);
  CHECK(p.get("agi_uniqueid") == "1795683658.1");
  CHECK(p.get("agi_channel").empty());
  // agi_request is required even when it is not kept; a bad line is refused even when its
  // key would not be kept.
  HeaderParser missing(keep);
  missing.feed("agi_uniqueid: 1.2\n\n");
  CHECK(missing.state() == HeaderParser::State::error);
  HeaderParser bad(keep);
  bad.feed("agi_network: yes\nGET / HTTP/1.1\n\n");
  CHECK(bad.state() == HeaderParser::State::error);
}

TEST_CASE("set_variables: plain values in one EXEC MSet, anything else refused", "[agi]") {
  std::array<Variable, 4> outcome = {
      {{"SMARTROUTE_TARGET", "102"},
       {"SMARTROUTE_RESULT", "selected"},
       {"SMARTROUTE_EMPLOYEE", ""},
       {"SMARTROUTE_CLIENT", "6f1c2a3e-0b1d-11ee-8c90-0242ac120002"}}};
  auto line = set_variables(outcome);
  REQUIRE(line);
  CHECK(*line == "EXEC \"MSet\" \"SMARTROUTE_TARGET=102,SMARTROUTE_RESULT=selected,"
                 "SMARTROUTE_EMPLOYEE=,SMARTROUTE_CLIENT=6f1c2a3e-0b1d-11ee-8c90-0242ac120002\"\n");
  // What MSet's or AGI's parser would change or split: the caller must use SET VARIABLE.
  for (std::string_view bad : {"a,b", "a=b", "a b", "a\"b", "a\\b", "a(b)", "a[b]", "a$b", "a{b}",
                               "a|b", "a;b", "Иванов", "a\nb"}) {
    std::array<Variable, 2> vars = {{{"SMARTROUTE_TARGET", "102"}, {"SMARTROUTE_CLIENT", bad}}};
    CHECK_FALSE(set_variables(vars));
  }
  std::array<Variable, 1> unnamed = {{{"", "1"}}};
  CHECK_FALSE(set_variables(unnamed));
  CHECK_FALSE(set_variables({}));
  // Numbers as dialled and keys as 1C and CSV files give them stay plain.
  std::array<Variable, 2> plain = {{{"SMARTROUTE_TARGET", "+7(495)"}, {"X", "*8#@a:b/c.d_e"}}};
  CHECK_FALSE(set_variables(plain)); // brackets: no
  plain[0].value = "+74951234567";
  CHECK(set_variables(plain));
}
