#include "tts/cache.h"

#include "util/error.h"
#include "util/fs.h"
#include "util/time.h"

#include <fmt/format.h>

#include <openssl/evp.h>

namespace sr::tts {

std::string normalize_text(std::string_view text) {
  // Most texts are normal already: no control character, no space at either end or twice.
  bool normal = text.empty() || (text.front() != ' ' && text.back() != ' ');
  for (std::size_t i = 0; normal && i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    normal = c >= 0x20 && c != 0x7F && (c != ' ' || (i + 1 < text.size() && text[i + 1] != ' '));
  }
  if (normal)
    return std::string(text);
  std::string out;
  bool space = false;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7F || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space)
      out.push_back(' ');
    space = false;
    out.push_back(char(c));
  }
  return out;
}

std::string canonical_request(const nlohmann::json& identity, std::string_view text,
                              const config::TtsSection& t) {
  // nlohmann::json objects are ordered maps: dump() gives sorted keys, no white space.
  nlohmann::json request = {{"v", 1},
                            {"engine", identity},
                            {"text", normalize_text(text)},
                            {"master_rate", t.sample_rate},
                            {"loudness", fmt::format("{}", t.loudness)},
                            {"padding_ms", t.padding_ms},
                            {"salt", t.salt}};
  return request.dump();
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out(std::size_t(size) * 2, '0');
  for (unsigned int i = 0; i < size; ++i) {
    out[2 * i] = k_hex[digest[i] >> 4];
    out[2 * i + 1] = k_hex[digest[i] & 0xF];
  }
  return out;
}

std::string cache_key(const nlohmann::json& identity, std::string_view text,
                      const config::TtsSection& t) {
  return sha256_hex(canonical_request(identity, text, t));
}

namespace {

// Well-formed UTF-8 (Unicode table 3-7): what nlohmann::json accepts without throwing.
bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = c >= 0xC2 && c <= 0xDF   ? 2
                    : c >= 0xE0 && c <= 0xEF ? 3
                    : c >= 0xF0 && c <= 0xF4 ? 4
                                             : 0;
    if (n == 0 || i + n > s.size())
      return false;
    auto c1 = static_cast<unsigned char>(s[i + 1]);
    unsigned char low = 0x80, high = 0xBF;
    if (c == 0xE0)
      low = 0xA0;
    else if (c == 0xED)
      high = 0x9F;
    else if (c == 0xF0)
      low = 0x90;
    else if (c == 0xF4)
      high = 0x8F;
    if (c1 < low || c1 > high)
      return false;
    for (std::size_t k = 2; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
        return false;
    i += n;
  }
  return true;
}

} // namespace

void KeyMaker::FreeContext::operator()(EVP_MD_CTX* ctx) const {
  EVP_MD_CTX_free(ctx);
}

KeyMaker::KeyMaker(const nlohmann::json& identity, const config::TtsSection& t)
    : m_prefix_state(EVP_MD_CTX_new()), m_work(EVP_MD_CTX_new()) {
  // The canonical request without its text: its keys are sorted and "v" comes last, so the
  // text goes just before it.
  auto whole = canonical_request(identity, "", t);
  static constexpr std::string_view text = R"("text":"",)";
  auto at = whole.rfind(text);
  if (at == std::string::npos || whole.substr(at + text.size()) != R"("v":1})")
    throw Error("cache: unexpected canonical request layout");
  auto prefix = whole.substr(0, at) + R"("text":)";
  if (!m_prefix_state || !m_work ||
      EVP_DigestInit_ex(m_prefix_state.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(m_prefix_state.get(), prefix.data(), prefix.size()) != 1)
    throw Error("cache: SHA-256 is not available");
}

std::string KeyMaker::key(std::string_view text) {
  // The text as nlohmann::json::dump() writes a string: normalize_text has dropped control
  // characters, so only '"' and '\\' are escaped; invalid UTF-8 makes json throw, as it does
  // in cache_key.
  auto normal = normalize_text(text);
  std::string quoted;
  if (valid_utf8(normal)) {
    quoted.reserve(normal.size() + 2);
    quoted.push_back('"');
    for (char c : normal) {
      if (c == '"' || c == '\\')
        quoted.push_back('\\');
      quoted.push_back(c);
    }
    quoted.push_back('"');
  } else {
    quoted = nlohmann::json(normal).dump();
  }
  static constexpr std::string_view suffix = R"(,"v":1})";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  auto* ctx = m_work.get();
  if (EVP_MD_CTX_copy_ex(ctx, m_prefix_state.get()) != 1 ||
      EVP_DigestUpdate(ctx, quoted.data(), quoted.size()) != 1 ||
      EVP_DigestUpdate(ctx, suffix.data(), suffix.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, digest, &size) != 1)
    throw Error("cache: SHA-256 failed");
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out(std::size_t(size) * 2, '0');
  for (unsigned int i = 0; i < size; ++i) {
    out[2 * i] = k_hex[digest[i] >> 4];
    out[2 * i + 1] = k_hex[digest[i] & 0xF];
  }
  return out;
}

audio::Pcm master(const Synthesized& s, const config::TtsSection& t) {
  auto pcm = s.encoding == Synthesized::Encoding::pcm_s16le ? audio::decode(s.bytes, s.sample_rate)
                                                            : audio::decode(s.bytes);
  pcm = audio::resample(pcm, int(t.sample_rate));
  audio::Finish how;
  how.loudness_dbfs = t.loudness;
  how.padding_ms = int(t.padding_ms);
  return audio::finish(pcm, how);
}

std::filesystem::path Cache::base(std::string_view key) const {
  return m_root / std::string(key.substr(0, 2)) / std::string(key);
}

std::filesystem::path Cache::file(std::string_view key, std::string_view format) const {
  auto p = base(key);
  p += ".";
  p += format;
  return p;
}

bool Cache::complete(std::string_view key) const {
  std::error_code ec;
  for (auto f : k_formats)
    if (!std::filesystem::is_regular_file(file(key, f), ec) ||
        std::filesystem::file_size(file(key, f), ec) == 0)
      return false;
  return true;
}

std::int64_t Cache::store(std::string_view key, const audio::Pcm& master) const {
  util::ensure_directory(base(key).parent_path());
  auto wide = audio::resample(master, 16000);
  auto narrow = audio::resample(master, 8000);
  std::int64_t bytes = 0;
  auto put = [&](std::string_view format, const std::string& data) {
    util::write_file_atomic(file(key, format), data);
    bytes += std::int64_t(data.size());
  };
  // The .wav last: `complete` needs every format, so a crash leaves the phrase missing.
  put("sln16", audio::encode_sln(wide));
  put("alaw", audio::encode_alaw(narrow));
  put("ulaw", audio::encode_ulaw(narrow));
  put("wav", audio::encode_wav(narrow));
  return bytes;
}

void record(store::Database& db, std::string_view key, std::string_view text,
            const nlohmann::json& identity, std::int64_t bytes) {
  std::string formats;
  for (auto f : k_formats)
    formats += fmt::format("{}{}", formats.empty() ? "" : ",", f);
  db.prepare("INSERT INTO audio_cache(key, text, engine, voice, formats, bytes, created_at) "
             "VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET bytes = excluded.bytes")
      .bind(1, key)
      .bind(2, text)
      .bind(3, identity.value("engine", ""))
      .bind(4, identity.value("voice", ""))
      .bind(5, formats)
      .bind(6, bytes)
      .bind(7, util::now())
      .step();
}

} // namespace sr::tts
