// Checking cache files the way Asterisk will read them: a file that Asterisk would reject or
// play at the wrong speed is a problem to report, not an exception.

#include "audio/audio.h"
#include "util/fs.h"

#include <cstring>
#include <map>

namespace sr::audio {
namespace {

enum class Kind { wav, sln, alaw, ulaw };

struct Expect {
  Kind kind;
  int rate;
};

// The extensions Asterisk's format modules register, with the rate each one implies.
const std::map<std::string, Expect>& known_extensions() {
  static const std::map<std::string, Expect> k_table = {
      {".wav", {Kind::wav, 8000}},    {".wav16", {Kind::wav, 16000}},
      {".sln", {Kind::sln, 8000}},    {".raw", {Kind::sln, 8000}},
      {".sln12", {Kind::sln, 12000}}, {".sln16", {Kind::sln, 16000}},
      {".sln24", {Kind::sln, 24000}}, {".sln32", {Kind::sln, 32000}},
      {".sln44", {Kind::sln, 44100}}, {".sln48", {Kind::sln, 48000}},
      {".sln96", {Kind::sln, 96000}}, {".sln192", {Kind::sln, 192000}},
      {".alaw", {Kind::alaw, 8000}},  {".al", {Kind::alaw, 8000}},
      {".alw", {Kind::alaw, 8000}},   {".ulaw", {Kind::ulaw, 8000}},
      {".ul", {Kind::ulaw, 8000}},    {".mu", {Kind::ulaw, 8000}},
      {".ulw", {Kind::ulaw, 8000}},   {".pcm", {Kind::ulaw, 8000}},
  };
  return k_table;
}

std::uint32_t u32(std::string_view b, std::size_t at) {
  auto* p = reinterpret_cast<const unsigned char*>(b.data() + at);
  return p[0] | (p[1] << 8) | (p[2] << 16) | (std::uint32_t(p[3]) << 24);
}

unsigned u16(std::string_view b, std::size_t at) {
  auto* p = reinterpret_cast<const unsigned char*>(b.data() + at);
  return p[0] | (p[1] << 8);
}

std::string check_fmt(std::string_view b, std::size_t at, std::uint32_t size, int want_rate) {
  if (size < 16)
    return "fmt chunk of " + std::to_string(size) + " bytes (want at least 16)";
  std::string bad;
  auto add = [&](const std::string& what) { bad += (bad.empty() ? "" : ", ") + what; };
  if (unsigned tag = u16(b, at); tag != 1)
    add("format tag " + std::to_string(tag) + " (want 1 = PCM)");
  if (unsigned ch = u16(b, at + 2); ch != 1)
    add(std::to_string(ch) + " channels (want mono)");
  if (std::uint32_t rate = u32(b, at + 4); rate != std::uint32_t(want_rate))
    add(std::to_string(rate) + " Hz (want " + std::to_string(want_rate) + ")");
  if (unsigned bits = u16(b, at + 14); bits != 16)
    add(std::to_string(bits) + "-bit (want 16)");
  if (bad.empty() && (u32(b, at + 8) != std::uint32_t(want_rate) * 2 || u16(b, at + 12) != 2))
    add("inconsistent byte rate or block align");
  return bad;
}

// Walks the RIFF chunks strictly; Asterisk skips unknown chunks such as LIST.
FileInfo check_wav(std::string_view b, int want_rate) {
  FileInfo info;
  info.rate = want_rate;
  if (b.size() < 12 || std::memcmp(b.data(), "RIFF", 4) != 0 ||
      std::memcmp(b.data() + 8, "WAVE", 4) != 0) {
    info.problem = "not a RIFF/WAVE file";
    return info;
  }
  if (std::uint64_t riff = u32(b, 4); riff + 8 != b.size()) {
    info.problem = "RIFF header says " + std::to_string(riff + 8) + " bytes, the file has " +
                   std::to_string(b.size()) + " (truncated or appended to)";
    return info;
  }
  bool have_fmt = false;
  for (std::size_t at = 12; at < b.size();) {
    if (b.size() - at < 8) {
      info.problem = "truncated chunk header at byte " + std::to_string(at);
      return info;
    }
    std::string id(b.substr(at, 4));
    std::uint32_t size = u32(b, at + 4);
    if (size > b.size() - at - 8) {
      info.problem = "truncated: the " + id + " chunk says " + std::to_string(size) +
                     " bytes, only " + std::to_string(b.size() - at - 8) + " remain";
      return info;
    }
    if (id == "fmt ") {
      if (info.problem = check_fmt(b, at + 8, size, want_rate); !info.problem.empty())
        return info;
      have_fmt = true;
    } else if (id == "data") {
      if (!have_fmt)
        info.problem = "data chunk before the fmt chunk";
      else if (size % 2 != 0)
        info.problem = "odd data size " + std::to_string(size) + " for 16-bit samples";
      else if (size == 0)
        info.problem = "no samples";
      info.samples = size / 2;
      return info;
    }
    at += 8 + std::size_t(size) + (size & 1);
  }
  info.problem = "no data chunk";
  return info;
}

} // namespace

FileInfo verify_file(const std::filesystem::path& path) {
  const std::string bytes = util::read_file(path);
  FileInfo info;
  auto it = known_extensions().find(path.extension().string());
  if (it == known_extensions().end()) {
    info.problem =
        "unknown extension '" + path.extension().string() + "' (Asterisk will not play it)";
    return info;
  }
  const Expect want = it->second;
  if (want.kind == Kind::wav)
    return check_wav(bytes, want.rate);
  info.rate = want.rate;
  const std::size_t width = want.kind == Kind::sln ? 2 : 1;
  info.samples = std::int64_t(bytes.size() / width);
  if (bytes.empty())
    info.problem = "empty file";
  else if (bytes.size() % width != 0)
    info.problem = "odd byte count " + std::to_string(bytes.size()) + " for 16-bit samples";
  return info;
}

} // namespace sr::audio
