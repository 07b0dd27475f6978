#include "tts/journal.h"

#include "util/error.h"
#include "util/fs.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <unistd.h>

namespace sr::tts {

namespace fs = std::filesystem;

namespace {
constexpr std::string_view k_magic = "SRJ1";
}

Journal::Journal(const fs::path& root) {
  util::ensure_directory(root / ".journal");
  m_path = root / ".journal" /
           fmt::format("{}-{}.spool", ::getpid(),
                       std::chrono::steady_clock::now().time_since_epoch().count());
  m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (m_fd < 0)
    throw Error(fmt::format("{}: cannot create: {}", m_path.string(), std::strerror(errno)));
}

Journal::~Journal() {
  if (m_fd >= 0)
    ::close(m_fd);
}

void Journal::append(std::string_view key, const Synthesized& s) {
  auto record = fmt::format("{} {} {} {} {}\n", k_magic, key,
                            s.encoding == Synthesized::Encoding::pcm_s16le ? "pcm" : "container",
                            s.sample_rate, s.bytes.size());
  record += s.bytes;
  {
    // Records must not interleave; the sync needs no lock, and concurrent syncs of one file
    // are merged by the kernel, so workers do not queue behind each other's disk waits.
    std::lock_guard lock(m_mutex);
    const char* p = record.data();
    std::size_t left = record.size();
    while (left > 0) {
      auto n = ::write(m_fd, p, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        throw Error(fmt::format("{}: cannot write: {}", m_path.string(), std::strerror(errno)));
      p += n;
      left -= std::size_t(n);
    }
  }
  if (::fdatasync(m_fd) != 0)
    throw Error(fmt::format("{}: cannot sync: {}", m_path.string(), std::strerror(errno)));
}

void Journal::remove() {
  std::lock_guard lock(m_mutex);
  if (m_fd >= 0)
    ::close(m_fd);
  m_fd = -1;
  std::error_code ec;
  fs::remove(m_path, ec);
}

std::unordered_map<std::string, Synthesized> Journal::recover(const fs::path& root,
                                                              std::vector<fs::path>& files) {
  std::unordered_map<std::string, Synthesized> out;
  std::error_code ec;
  if (!fs::is_directory(root / ".journal", ec))
    return out;
  for (auto& entry : fs::directory_iterator(root / ".journal", ec)) {
    if (entry.path().extension() != ".spool")
      continue;
    files.push_back(entry.path());
    std::string data;
    try {
      data = util::read_file(entry.path());
    } catch (const Error&) {
      continue;
    }
    std::size_t pos = 0;
    while (pos < data.size()) {
      auto eol = data.find('\n', pos);
      if (eol == std::string::npos)
        break;
      std::istringstream header(data.substr(pos, eol - pos));
      std::string magic, key, kind;
      int rate = 0;
      std::size_t size = 0;
      if (!(header >> magic >> key >> kind >> rate >> size) || magic != k_magic ||
          eol + 1 + size > data.size())
        break; // the last record was cut short by the kill
      Synthesized s;
      s.encoding =
          kind == "pcm" ? Synthesized::Encoding::pcm_s16le : Synthesized::Encoding::container;
      s.sample_rate = rate;
      s.bytes = data.substr(eol + 1, size);
      out[key] = std::move(s);
      pos = eol + 1 + size;
    }
  }
  return out;
}

} // namespace sr::tts
