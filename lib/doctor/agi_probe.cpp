// "agi": what listens on agi.listen:agi.port. When it is serve-agi, one test call from an
// unknown caller, answered like Asterisk in strict lock-step (every prompt "played", no
// digit), must end with a target; the time to its first command is the decision latency.
#include "doctor/agi_probe.h"

#include "agi/server.h"
#include "doctor/checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sr::doctor {

using Clock = std::chrono::steady_clock;

std::vector<std::string> split_command(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false, escaped = false, in_word = false;
  for (char c : line) {
    if (escaped) {
      word += c;
      escaped = false;
    } else if (c == '\\') {
      escaped = in_word = true;
    } else if (c == '"') {
      quoted = !quoted;
      in_word = true;
    } else if ((c == ' ' || c == '\t') && !quoted) {
      if (in_word)
        words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word)
    words.push_back(std::move(word));
  return words;
}

std::string probe_header(std::string_view host, int port, std::string_view uniqueid) {
  return fmt::format("agi_network: yes\n"
                     "agi_network_script: smartroute\n"
                     "agi_request: agi://{}:{}/smartroute\n"
                     "agi_channel: Local/s@smartroute-doctor-00000000;2\n"
                     "agi_language: ru\n"
                     "agi_type: Local\n"
                     "agi_uniqueid: {}\n"
                     "agi_version: 22.10.1\n"
                     "agi_callerid: unknown\n"
                     "agi_calleridname: smartroute doctor\n"
                     "agi_callingpres: 0\n"
                     "agi_callingani2: 0\n"
                     "agi_callington: 0\n"
                     "agi_callingtns: 0\n"
                     "agi_dnid: unknown\n"
                     "agi_rdnis: unknown\n"
                     "agi_context: smartroute-doctor\n"
                     "agi_extension: s\n"
                     "agi_priority: 1\n"
                     "agi_enhanced: 0.0\n"
                     "agi_accountcode: \n"
                     "agi_threadid: 0\n"
                     "\n",
                     host, port, uniqueid);
}

namespace {

class Fd {
public:
  explicit Fd(int fd = -1) : m_fd(fd) {}
  ~Fd() {
    if (m_fd >= 0)
      ::close(m_fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : m_fd(o.m_fd) { o.m_fd = -1; }
  Fd& operator=(Fd&& o) noexcept {
    std::swap(m_fd, o.m_fd);
    return *this;
  }
  int get() const { return m_fd; }

private:
  int m_fd;
};

int millis_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return int(std::max<long>(0, left.count()));
}

struct Connected {
  Fd fd;
  int error = 0; // errno of the last attempt when not connected; ETIMEDOUT for the deadline
};

Connected connect_to(const std::string& host, int port, Clock::time_point deadline) {
  Connected c;
  addrinfo hints{}, *found = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc) {
    c.error = EHOSTUNREACH;
    return c;
  }
  c.error = ECONNREFUSED;
  for (auto* a = found; a; a = a->ai_next) {
    Fd fd(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (fd.get() < 0)
      continue;
    if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        c.error = errno;
        continue;
      }
      pollfd p{fd.get(), POLLOUT, 0};
      if (::poll(&p, 1, millis_until(deadline)) <= 0) {
        c.error = ETIMEDOUT;
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err) {
        c.error = err;
        continue;
      }
    }
    c.fd = std::move(fd);
    c.error = 0;
    break;
  }
  ::freeaddrinfo(found);
  return c;
}

bool send_all(int fd, std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(std::size_t(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return false;
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, millis_until(deadline)) <= 0)
      return false;
  }
  return true;
}

// What the test call saw.
struct Session {
  enum class End { closed, timeout, error } end = End::closed;
  std::vector<std::string> commands;
  std::map<std::string, std::string> variables;
  bool foreign = false;    // its first command was not serve-agi's
  std::string first_bytes; // for a peer that is not serve-agi
  double first_ms = -1;    // header sent → first command
  double total_ms = 0;
};

// Asterisk's answer to a command, for a caller who listens to everything and presses nothing.
std::string answer(const std::vector<std::string>& words, Session& s) {
  auto verb = [&](std::size_t n) {
    std::string v;
    for (std::size_t i = 0; i < n && i < words.size(); ++i)
      v += (i ? " " : "") + words[i];
    return v;
  };
  if (verb(2) == "SET VARIABLE" && words.size() == 4) {
    s.variables[words[2]] = words[3];
    return "200 result=1\n";
  }
  if (verb(1) == "EXEC" && words.size() == 3 && words[1] == "MSet") {
    std::string_view list = words[2]; // NAME=value,NAME=value
    while (!list.empty()) {
      auto pair = list.substr(0, list.find(','));
      list.remove_prefix(std::min(list.size(), pair.size() + 1));
      if (auto eq = pair.find('='); eq != std::string_view::npos)
        s.variables[std::string(pair.substr(0, eq))] = std::string(pair.substr(eq + 1));
    }
    return "200 result=0\n";
  }
  if (verb(2) == "STREAM FILE")
    return "200 result=0 endpos=8000\n";
  if (verb(3) == "WAIT FOR DIGIT")
    return "200 result=0\n";
  return "510 Invalid or unknown command\n";
}

Session talk(int fd, const std::string& header, Clock::time_point deadline) {
  Session s;
  auto started = Clock::now();
  if (!send_all(fd, header, deadline)) {
    s.end = Session::End::error;
    return s;
  }
  std::string buffer;
  char chunk[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, millis_until(deadline));
    if (ready <= 0) {
      s.end = Session::End::timeout;
      break;
    }
    auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      continue;
    if (n <= 0) {
      s.end = n == 0 ? Session::End::closed : Session::End::error;
      break;
    }
    if (s.first_bytes.size() < 80)
      s.first_bytes.append(chunk, std::size_t(std::min<long>(n, 80)));
    buffer.append(chunk, std::size_t(n));
    if (buffer.size() > 64 * 1024) { // no AGI command is that long
      s.end = Session::End::error;
      break;
    }
    for (auto eol = buffer.find('\n'); eol != std::string::npos; eol = buffer.find('\n')) {
      auto line = buffer.substr(0, eol);
      buffer.erase(0, eol + 1);
      if (!line.empty() && line.back() == '\r')
        line.pop_back();
      if (s.commands.empty())
        s.first_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
      s.commands.push_back(line);
      auto words = split_command(line);
      if (s.commands.size() == 1 && !(words.size() == 4 && words[0] == "SET" &&
                                      words[1] == "VARIABLE" && words[2] == "SMARTROUTE_TARGET")) {
        s.end = Session::End::error; // not serve-agi: answer nothing
        s.foreign = true;
        s.total_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
        return s;
      }
      if (!send_all(fd, answer(words, s), deadline)) {
        s.end = Session::End::error;
        break;
      }
    }
  }
  s.total_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return s;
}

std::string printable(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes.substr(0, 60))
    out += c >= 0x20 && c < 0x7f ? char(c) : c == '\n' ? '|' : '?';
  return out;
}

// Where the test call went and what it found there.
struct TestCall {
  std::string host;
  std::string where; // "127.0.0.1:4574", for messages
  std::string owner; // "smartroute (pid 812)", "" when unknown
  std::string uniqueid;
  std::chrono::milliseconds timeout;
};

// The verdict on a peer that never behaved like serve-agi.
Result not_serve_agi(const TestCall& p, const Session& s) {
  auto foreign = [&](std::string what) {
    return Result{"agi", Status::fail,
                  fmt::format("{} on {} is not serve-agi: {}",
                              p.owner.empty() ? "the program" : p.owner, p.where, what),
                  "stop it, or give serve-agi another agi.port (FreePBX's own FastAGI uses "
                  "4573)"};
  };
  bool silent = s.end == Session::End::timeout;
  if (!s.commands.empty())
    return foreign(fmt::format("its first command was '{}'", printable(s.commands[0])));
  if (p.owner.starts_with("smartroute "))
    return {"agi", Status::fail,
            fmt::format("serve-agi ({}) on {} {} without a command", p.owner, p.where,
                        silent ? "stayed silent" : "closed the test call"),
            silent
                ? "look at its log; restart it"
                : fmt::format("add {} to agi.allow, or look at its log (event=refused)", p.host)};
  if (s.first_bytes.empty())
    return foreign(silent ? "it sent no AGI command" : "it closed the connection without a word");
  return foreign(fmt::format("it answered '{}'", printable(s.first_bytes)));
}

// The verdict on a test call that serve-agi took: it must end with a target.
Result judge(const TestCall& p, const Session& s) {
  auto get = [&](const char* name) {
    auto it = s.variables.find(name);
    return it == s.variables.end() ? std::string() : it->second;
  };
  auto target = get("SMARTROUTE_TARGET");
  auto result = get("SMARTROUTE_RESULT");
  auto fail = [](std::string message, std::string fix) {
    return Result{"agi", Status::fail, std::move(message), std::move(fix)};
  };
  if (s.end == Session::End::timeout)
    return fail(fmt::format("serve-agi on {} did not end a test call within {} ms ({} commands)",
                            p.where, p.timeout.count(), s.commands.size()),
                "look at its log; check routing.repeats and routing.digit_timeout");
  if (result.empty())
    return fail(fmt::format("serve-agi on {} ended a test call without SMARTROUTE_RESULT "
                            "(target '{}')",
                            p.where, target),
                "look at its log (event=overloaded? raise agi.max_sessions)");
  if (target.empty())
    return fail(fmt::format("serve-agi on {} answered a test call with an empty target ({})",
                            p.where, result),
                "set routing.default_number and routing.emergency_number");
  if (result == "emergency")
    return fail(fmt::format("serve-agi on {} answered a test call with the emergency target {}",
                            p.where, target),
                fmt::format("its log line for uniqueid={} gives the reason", p.uniqueid));
  return {"agi", Status::ok,
          fmt::format("serve-agi on {} answered a test call in {:.1f} ms: target {} ({}), {} "
                      "commands in {:.1f} ms",
                      p.where, s.first_ms, target, result, s.commands.size(), s.total_ms),
          ""};
}

} // namespace

Result check_agi(const config::Config& config, std::chrono::milliseconds timeout) {
  TestCall p;
  p.host = config.agi.listen;
  if (p.host == "0.0.0.0" || p.host.empty())
    p.host = "127.0.0.1";
  else if (p.host == "::")
    p.host = "::1";
  int port = int(config.agi.port);
  p.where = fmt::format("{}:{}",
                        p.host.find(':') != std::string::npos ? "[" + p.host + "]" : p.host, port);
  p.timeout = timeout;
  auto deadline = Clock::now() + timeout;
  auto c = connect_to(p.host, port, deadline);
  if (c.error == ECONNREFUSED)
    return {"agi", Status::warn,
            fmt::format("nothing listens on {}: serve-agi is not running", p.where),
            "start it (systemctl start smartroute-agi, or 'smartroute serve-agi'), or "
            "correct agi.listen / agi.port"};
  if (c.error)
    return {
        "agi", Status::fail,
        fmt::format("cannot connect to {}: {}", p.where,
                    c.error == ETIMEDOUT ? "no answer within the timeout" : std::strerror(c.error)),
        "check agi.listen and any firewall on this machine"};
  p.owner = port_owner(port);
  p.uniqueid = fmt::format("{}{}.{}", agi::k_probe_uniqueid_prefix, ::getpid(),
                           std::chrono::system_clock::now().time_since_epoch().count() % 1000000);
  auto s = talk(c.fd.get(), probe_header(p.host, port, p.uniqueid), deadline);
  return s.commands.empty() || s.foreign ? not_serve_agi(p, s) : judge(p, s);
}

} // namespace sr::doctor
