#pragma once

// The content-addressed audio cache: key = SHA-256 of the canonical synthesis request;
// files <root>/ab/<key>.{sln16,wav,alaw,ulaw}, each written to a temporary file in the same
// directory and renamed, so Asterisk never sees half a file.

#include "audio/audio.h"
#include "config/config.h"
#include "store/db.h"
#include "tts/engine.h"

#include <nlohmann/json.hpp>

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_ctx_st;
using EVP_MD_CTX = evp_md_ctx_st;

namespace sr::tts {

// Every format written per phrase; Asterisk picks the cheapest for each channel.
inline constexpr std::array<std::string_view, 4> k_formats = {"sln16", "wav", "alaw", "ulaw"};

// Trims, collapses white space and drops control characters. Case, «ё» and stress marks are
// kept: they change the audio.
std::string normalize_text(std::string_view text);

// The canonical request as one JSON text: engine identity, text, finishing, salt.
std::string canonical_request(const nlohmann::json& identity, std::string_view text,
                              const config::TtsSection& t);

// Lower-case hex SHA-256 of the canonical request.
std::string cache_key(const nlohmann::json& identity, std::string_view text,
                      const config::TtsSection& t);

std::string sha256_hex(std::string_view data);

// cache_key for many texts of one engine and configuration: the canonical request around
// the text is built once, so a key costs the text's JSON escaping and the SHA-256 only.
// The SHA-256 state after the text's prefix is kept and copied for each text.
class KeyMaker {
public:
  KeyMaker(const nlohmann::json& identity, const config::TtsSection& t);
  std::string key(std::string_view text); // == cache_key(identity, text, t)

private:
  struct FreeContext {
    void operator()(EVP_MD_CTX* ctx) const;
  };
  std::unique_ptr<EVP_MD_CTX, FreeContext> m_prefix_state;
  std::unique_ptr<EVP_MD_CTX, FreeContext> m_work; // scratch for key()
};

// Decode, resample to the configured master rate, trim, level and pad: what every engine's
// output goes through before it is stored.
audio::Pcm master(const Synthesized& s, const config::TtsSection& t);

class Cache {
public:
  explicit Cache(std::filesystem::path root) : m_root(std::move(root)) {}
  const std::filesystem::path& root() const { return m_root; }

  // <root>/ab/<key> without an extension: the name STREAM FILE and Playback take.
  std::filesystem::path base(std::string_view key) const;
  std::filesystem::path file(std::string_view key, std::string_view format) const;

  // Whether every format of the phrase is on disk.
  bool complete(std::string_view key) const;

  // Writes every format of a finished master; returns the bytes written.
  std::int64_t store(std::string_view key, const audio::Pcm& master) const;

private:
  std::filesystem::path m_root;
};

// Records a stored phrase in the manifest (audio_cache table).
void record(store::Database& db, std::string_view key, std::string_view text,
            const nlohmann::json& identity, std::int64_t bytes);

} // namespace sr::tts
