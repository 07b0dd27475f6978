// Any external synthesiser (RHVoice, piper, festival…) run with an argv template: no shell,
// so no quoting problems and no injection through phrase texts.
#include "tts/engines.h"
#include "util/fs.h"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace sr::tts {

namespace {

std::string replace_all(std::string s, std::string_view what, std::string_view with) {
  for (auto pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + with.size()))
    s.replace(pos, what.size(), with);
  return s;
}

struct Output {
  int status = 0;
  bool timed_out = false;
  std::string out, err;
};

// Runs argv, feeding `input` on stdin, collecting stdout and stderr, within `timeout`.
Output run(const std::vector<std::string>& argv, const std::string& input,
           std::chrono::seconds timeout) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC))
    throw EngineError(Failure::permanent,
                      std::string("tts: command: pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  for (int fd : {in[0], out[1], err[1]})
    ::close(fd);
  if (rc != 0) {
    for (int fd : {in[1], out[0], err[0]})
      ::close(fd);
    throw EngineError(Failure::abort,
                      fmt::format("tts: command: cannot run '{}': {}", argv[0], std::strerror(rc)));
  }
  Output result;
  std::size_t written = 0;
  if (input.empty()) {
    ::close(in[1]);
    in[1] = -1;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  while (out[0] >= 0 || err[0] >= 0) {
    pollfd fds[3];
    int n = 0;
    for (int fd : {out[0], err[0]})
      if (fd >= 0)
        fds[n++] = {fd, POLLIN, 0};
    if (in[1] >= 0)
      fds[n++] = {in[1], POLLOUT, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    if (::poll(fds, nfds_t(n), int(left.count())) < 0 && errno != EINTR)
      break;
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents)
        continue;
      if (fds[i].fd == in[1]) {
        auto w = ::write(in[1], input.data() + written, input.size() - written);
        if (w > 0)
          written += std::size_t(w);
        if (w < 0 || written == input.size()) {
          ::close(in[1]);
          in[1] = -1;
        }
        continue;
      }
      auto r = ::read(fds[i].fd, buf, sizeof buf);
      auto& sink = fds[i].fd == out[0] ? result.out : result.err;
      if (r > 0) {
        sink.append(buf, std::size_t(r));
      } else {
        ::close(fds[i].fd);
        (fds[i].fd == out[0] ? out[0] : err[0]) = -1;
      }
    }
  }
  for (int fd : {in[1], out[0], err[0]})
    if (fd >= 0)
      ::close(fd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.status = status;
  return result;
}

// Where posix_spawnp would find `name`: itself when it has a slash, else the first regular
// file of that name in PATH that may be run (or, failing that, one that may not, for the
// message); "" when there is none.
std::string find_program(const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (name.find('/') != std::string::npos)
    return fs::is_regular_file(name, ec) ? name : std::string();
  const char* path = std::getenv("PATH");
  std::string_view dirs = path && *path ? path : "/usr/bin:/bin";
  std::string not_executable;
  while (!dirs.empty()) {
    auto colon = dirs.find(':');
    auto dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    auto candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (!fs::is_regular_file(candidate, ec))
      continue;
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate.string();
    if (not_executable.empty())
      not_executable = candidate.string();
  }
  return not_executable;
}

class Command : public Engine {
public:
  Command(const config::TtsSection& t)
      : m_argv(t.command), m_voice(t.voice), m_timeout(t.timeout.seconds), m_rate(t.sample_rate) {
    if (m_argv.empty())
      throw Error("tts: the command engine needs tts.command, e.g. [\"RHVoice-test\", \"-p\", "
                  "\"{voice}\", \"-o\", \"{out}\"]");
  }

  nlohmann::json identity() const override {
    return {{"engine", "command"}, {"argv", m_argv}, {"voice", m_voice}};
  }

  bool rate_limited() const override { return false; }

  int max_concurrency() const override { return 8; }

  // The program exists and may be run; running it would synthesise, which is the slow part.
  std::string check_service() override {
    auto program = find_program(m_argv[0]);
    if (program.empty())
      throw EngineError(Failure::abort,
                        fmt::format("tts: command '{}' (tts.command) is not found{}", m_argv[0],
                                    m_argv[0].find('/') == std::string::npos ? " in PATH" : ""));
    if (::access(program.c_str(), X_OK) != 0)
      throw EngineError(Failure::abort,
                        fmt::format("tts: command {} (tts.command) is not executable", program));
    return fmt::format("{} is executable", program);
  }

  Synthesized synthesize(const std::string& text) override {
    bool text_in_argv = false, out_in_argv = false;
    for (auto& a : m_argv) {
      text_in_argv = text_in_argv || a.find("{text}") != std::string::npos;
      out_in_argv = out_in_argv || a.find("{out}") != std::string::npos;
    }
    std::string out_path;
    if (out_in_argv) {
      char tmpl[] = "/tmp/smartroute-tts-XXXXXX.wav";
      int fd = ::mkstemps(tmpl, 4);
      if (fd < 0)
        throw EngineError(Failure::permanent, "tts: command: cannot create a temporary file");
      ::close(fd);
      out_path = tmpl;
    }
    std::vector<std::string> argv;
    for (auto a : m_argv) {
      a = replace_all(a, "{voice}", m_voice);
      a = replace_all(a, "{rate}", std::to_string(m_rate));
      a = replace_all(a, "{out}", out_path);
      argv.push_back(replace_all(a, "{text}", text));
    }
    auto r = run(argv, text_in_argv ? std::string() : text + "\n", std::chrono::seconds(m_timeout));
    Synthesized s;
    if (out_in_argv) {
      std::error_code ec;
      if (std::filesystem::exists(out_path, ec))
        s.bytes = util::read_file(out_path);
      std::filesystem::remove(out_path, ec);
    } else {
      s.bytes = std::move(r.out);
    }
    auto tail = r.err.size() > 300 ? r.err.substr(r.err.size() - 300) : r.err;
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r'))
      tail.pop_back();
    if (r.timed_out)
      throw EngineError(Failure::retry, fmt::format("tts: command '{}' took longer than {} s",
                                                    m_argv[0], m_timeout));
    if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
      throw EngineError(Failure::permanent,
                        fmt::format("tts: command '{}' failed ({}){}", m_argv[0],
                                    WIFEXITED(r.status)
                                        ? fmt::format("exit status {}", WEXITSTATUS(r.status))
                                        : fmt::format("signal {}", WTERMSIG(r.status)),
                                    tail.empty() ? "" : ": " + tail));
    if (s.bytes.empty())
      throw EngineError(Failure::permanent,
                        fmt::format("tts: command '{}' produced no audio", m_argv[0]));
    return s;
  }

private:
  std::vector<std::string> m_argv;
  std::string m_voice;
  std::int64_t m_timeout;
  std::int64_t m_rate;
};

} // namespace

std::unique_ptr<Engine> make_command(const config::Config& config) {
  return std::make_unique<Command>(config.tts);
}

} // namespace sr::tts
