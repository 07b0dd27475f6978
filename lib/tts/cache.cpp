#include "tts/cache.h"

#include "util/fs.h"
#include "util/time.h"

#include <fmt/format.h>

#include <openssl/evp.h>

namespace sr::tts {

std::string normalize_text(std::string_view text) {
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
  std::string out;
  for (unsigned int i = 0; i < size; ++i)
    out += fmt::format("{:02x}", digest[i]);
  return out;
}

std::string cache_key(const nlohmann::json& identity, std::string_view text,
                      const config::TtsSection& t) {
  return sha256_hex(canonical_request(identity, text, t));
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
