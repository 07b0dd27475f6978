#include "agi/cache_watch.h"

#include <cerrno>
#include <sys/inotify.h>
#include <unistd.h>

namespace sr::agi {

namespace {

// What changes a file's content or presence; not IN_ACCESS/IN_OPEN/IN_CLOSE_NOWRITE, which
// Asterisk's every playback would cause.
constexpr std::uint32_t k_file_events = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM |
                                        IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF |
                                        IN_MOVE_SELF | IN_ONLYDIR;
constexpr std::uint32_t k_root_events = IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM |
                                        IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
constexpr std::uint32_t k_gone = IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT;

} // namespace

CacheWatch::CacheWatch(std::filesystem::path root, std::chrono::milliseconds retry)
    : m_root(std::move(root)), m_retry_after(retry) {
  m_wd.fill(-1);
  start();
}

CacheWatch::~CacheWatch() {
  stop();
}

int CacheWatch::index_of(std::string_view name) {
  auto digit = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  if (name.size() < 2)
    return -1;
  int high = digit(name[0]), low = digit(name[1]);
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

void CacheWatch::stop() {
  if (m_fd >= 0)
    ::close(m_fd); // every watch goes with it
  m_fd = -1;
  m_index_of_wd.clear();
  m_wd.fill(-1);
}

void CacheWatch::start() {
  stop();
  ++m_epoch; // no stamp given before matches any given from now on
  m_retry = std::chrono::steady_clock::now() + m_retry_after;
  m_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (m_fd < 0)
    return;
  int root = ::inotify_add_watch(m_fd, m_root.c_str(), k_root_events);
  if (root < 0) { // no cache yet: stat until it appears
    stop();
    return;
  }
  m_index_of_wd[root] = -1;
  // The subdirectories that exist; the others are watched when they are created (a phrase
  // there cannot have been found before).
  for (int i = 0; i < 256; ++i)
    if (auto error = watch_subdirectory(i); error != 0 && error != ENOENT) {
      stop(); // out of watches: stat instead
      return;
    }
}

int CacheWatch::watch_subdirectory(int index) {
  static constexpr char k_hex[] = "0123456789abcdef";
  const char name[3] = {k_hex[index >> 4], k_hex[index & 0xF], '\0'};
  auto& slot = m_wd[std::size_t(index)];
  ++m_generation[std::size_t(index)];
  if (slot >= 0) { // a directory moved away keeps its watch: drop it
    m_index_of_wd.erase(slot);
    ::inotify_rm_watch(m_fd, slot);
    slot = -1;
  }
  int wd = ::inotify_add_watch(m_fd, (m_root / name).c_str(), k_file_events);
  if (wd < 0)
    return errno;
  slot = wd;
  m_index_of_wd[wd] = index;
  return 0;
}

void CacheWatch::update() {
  if (m_fd < 0) {
    if (std::chrono::steady_clock::now() >= m_retry)
      start();
    return;
  }
  alignas(inotify_event) char buffer[16 * 1024];
  for (;;) {
    auto n = ::read(m_fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return; // EAGAIN: nothing more happened
    for (char* at = buffer; at < buffer + n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(at);
      at += sizeof(inotify_event) + event->len;
      if (event->mask & IN_Q_OVERFLOW) { // events were lost: trust nothing, watch anew
        start();
        return;
      }
      auto it = m_index_of_wd.find(event->wd);
      if (it == m_index_of_wd.end())
        continue;
      int index = it->second;
      if (index < 0) {              // the root
        if (event->mask & k_gone) { // moved or removed: stat until it is back
          stop();
          return;
        }
        int sub = event->len > 0 ? index_of(event->name) : -1;
        if (sub < 0 || event->name[2] != '\0')
          continue;
        ++m_generation[std::size_t(sub)];
        if (event->mask & (IN_CREATE | IN_MOVED_TO)) {
          watch_subdirectory(sub);
        } else if (auto& slot = m_wd[std::size_t(sub)]; slot >= 0) {
          m_index_of_wd.erase(slot); // removed, or moved away (its watch would follow it)
          ::inotify_rm_watch(m_fd, slot);
          slot = -1;
        }
        continue;
      }
      ++m_generation[std::size_t(index)];
      if (event->mask & k_gone) {
        if (m_wd[std::size_t(index)] == event->wd)
          m_wd[std::size_t(index)] = -1;
        m_index_of_wd.erase(it);
      }
    }
  }
}

std::uint64_t CacheWatch::stamp(std::string_view key) const {
  int index = index_of(key);
  if (m_fd < 0 || index < 0 || m_wd[std::size_t(index)] < 0)
    return 0;
  return std::uint64_t(m_epoch) << 32 | m_generation[std::size_t(index)];
}

} // namespace sr::agi
