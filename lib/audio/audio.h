#pragma once

// Audio for the cache: decode what an engine returned, resample, trim, level, pad, and
// encode the formats Asterisk plays without transcoding. Mono throughout.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sr::audio {

// Mono samples in [-1, 1] at `rate` Hz.
struct Pcm {
  int rate = 0;
  std::vector<float> samples;
  double seconds() const { return rate > 0 ? double(samples.size()) / rate : 0.0; }
};

// Decodes a container (WAV at any rate/width/channels, Ogg/Opus, Ogg/Vorbis, FLAC, MP3 when
// libsndfile supports it) from memory, or headerless s16le mono PCM when `raw_rate` is set.
// Channels are mixed down to mono. Throws sr::Error saying what is wrong ("not audio",
// "odd byte count", "no samples").
Pcm decode(std::string_view bytes, std::optional<int> raw_rate = std::nullopt);

// Resamples with libsamplerate (best sinc quality); same rate returns the input.
Pcm resample(const Pcm& in, int rate);

// How fragments are made even so that a menu sounds like one voice.
struct Finish {
  double threshold_dbfs = -45.0; // edges quieter than this (measured after levelling) are silence
  double loudness_dbfs = -20.0;  // target RMS level of the speech
  double peak_dbfs = -1.0;       // never louder than this peak (a limiter takes up to 6 dB off)
  int padding_ms = 150;          // silence appended after the speech
  int lead_ms = 30;              // silence kept before the speech
};

// Trims silence at both edges, normalises the level (RMS to the target, limited by the
// peak), then adds the fixed lead and padding. Throws sr::Error when nothing but silence.
Pcm finish(const Pcm& in, const Finish& how);

// Concatenates fragments of the same rate (for previews); throws on a rate mismatch.
Pcm concat(const std::vector<Pcm>& parts);

// Encodings of a finished fragment (the rate must already be the one the format needs).
std::string encode_wav(const Pcm& pcm);  // RIFF PCM 16-bit mono at pcm.rate (8000 for .wav)
std::string encode_sln(const Pcm& pcm);  // headerless s16le (.sln at 8 kHz, .sln16 at 16 kHz)
std::string encode_alaw(const Pcm& pcm); // G.711 A-law, 8 kHz
std::string encode_ulaw(const Pcm& pcm); // G.711 µ-law, 8 kHz

// What a cached file turned out to be, for `cache verify`.
struct FileInfo {
  int rate = 0;
  std::int64_t samples = 0;
  std::string problem; // "" when the file is exactly what its extension promises
};

// Decodes a cache file by its extension (.wav: RIFF PCM s16 mono 8000 Hz exactly, as
// Asterisk requires; .sln16: even byte count, 16 kHz; .alaw/.ulaw: 8 kHz) and checks it.
FileInfo verify_file(const std::filesystem::path& path);

} // namespace sr::audio
