#include "audio/player.h"

#include "util/error.h"
#include "util/strings.h"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace sr::audio {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void note_interrupt(int) {
  g_interrupted = 1;
}

bool unix_socket_answers(const std::string& path) {
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    return false;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

} // namespace

std::optional<std::filesystem::path> find_program(std::string_view name) {
  const char* path = std::getenv("PATH");
  for (auto dir : util::split(path ? path : "/usr/bin:/bin", ':')) {
    if (dir.empty())
      continue;
    auto candidate = std::filesystem::path(dir) / name;
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return std::nullopt;
}

bool pulse_reachable() {
  if (const char* server = std::getenv("PULSE_SERVER"); server && *server) {
    for (auto entry : util::split(server, ' ')) {
      if (entry.empty())
        continue;
      if (entry.front() == '{') // "{machine-id}unix:/path": for that machine only
        entry.remove_prefix(std::min(entry.size(), entry.find('}') + 1));
      if (entry.starts_with("unix:"))
        entry.remove_prefix(5);
      else if (!entry.starts_with("/"))
        return true; // tcp:host:port and the like: paplay will say if it does not answer
      if (unix_socket_answers(std::string(entry)))
        return true;
    }
    return false;
  }
  std::string runtime;
  if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg)
    runtime = xdg;
  else
    runtime = fmt::format("/run/user/{}", ::getuid());
  return unix_socket_answers(runtime + "/pulse/native");
}

Player choose_player() {
  auto paplay = find_program("paplay");
  auto aplay = find_program("aplay");
  if (paplay && (!aplay || pulse_reachable()))
    return {"paplay", *paplay};
  if (aplay)
    return {"aplay", *aplay};
  throw Error("no audio player: neither paplay (Debian package pulseaudio-utils) nor aplay "
              "(alsa-utils) is in PATH; install one, or write the file with -o and play it "
              "elsewhere");
}

int play(const Player& player, const std::filesystem::path& file) {
  std::string program = player.program.string(), name = file.string();
  std::string quiet = "--quiet";
  std::vector<char*> argv{program.data()};
  if (player.name == "aplay")
    argv.push_back(quiet.data());
  argv.push_back(name.data());
  argv.push_back(nullptr);

  // While the player runs, Ctrl-C stops it (it is in our process group) and is only noted
  // here, so that the caller can clean up and exit with 130 however the player took it.
  struct sigaction note;
  struct sigaction old_int;
  struct sigaction old_quit;
  std::memset(&note, 0, sizeof note);
  note.sa_handler = note_interrupt;
  sigemptyset(&note.sa_mask);
  g_interrupted = 0;
  ::sigaction(SIGINT, &note, &old_int);
  ::sigaction(SIGQUIT, &note, &old_quit);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGQUIT);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, program.c_str(), nullptr, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  int status = 0;
  if (rc == 0)
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGQUIT, &old_quit, nullptr);
  if (rc != 0)
    throw Error(fmt::format("cannot run {}: {}", program, std::strerror(rc)));
  if (g_interrupted)
    return 130;
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

} // namespace sr::audio
