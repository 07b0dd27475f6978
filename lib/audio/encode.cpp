// The formats Asterisk plays without transcoding. G.711 follows the ITU reference
// (ITU-T G.191; A-law as in Sun's g711.c) so that the bytes match what sox and Asterisk produce.

#include "audio/audio.h"

#include <algorithm>
#include <cmath>

namespace sr::audio {
namespace {

// Scales by 32768 like libsndfile's reader, so decode(encode(x)) gives x back exactly.
std::int16_t to_int16(float x) {
  if (!std::isfinite(x))
    return 0;
  long v = std::lround(double(x) * 32768.0);
  return std::int16_t(std::clamp(v, -32768L, 32767L));
}

void put_u16(std::string& out, unsigned v) {
  out.push_back(char(v & 0xFF));
  out.push_back(char((v >> 8) & 0xFF));
}

void put_u32(std::string& out, std::uint32_t v) {
  put_u16(out, v & 0xFFFF);
  put_u16(out, v >> 16);
}

int segment(int value, const int (&ends)[8]) {
  for (int i = 0; i < 8; ++i)
    if (value <= ends[i])
      return i;
  return 8;
}

unsigned char linear_to_alaw(std::int16_t sample) {
  static constexpr int k_ends[8] = {0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF};
  int v = sample >> 3;
  int mask = 0xD5;
  if (v < 0) {
    mask = 0x55;
    v = -v - 1;
  }
  int seg = segment(v, k_ends);
  if (seg >= 8)
    return static_cast<unsigned char>(0x7F ^ mask);
  int code = (seg << 4) | ((seg < 2 ? v >> 1 : v >> seg) & 0x0F);
  return static_cast<unsigned char>(code ^ mask);
}

unsigned char linear_to_ulaw(std::int16_t sample) {
  static constexpr int k_ends[8] = {0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF};
  constexpr int k_bias = 0x84;
  constexpr int k_clip = 8159;
  // One's complement for negatives as in ITU-T G.191 (and Asterisk): -1 encodes as 0x7F.
  int v = sample >> 2;
  int mask = 0xFF;
  if (sample < 0) {
    v = (~sample) >> 2;
    mask = 0x7F;
  }
  v = std::min(v, k_clip) + (k_bias >> 2);
  int seg = segment(v, k_ends);
  if (seg >= 8)
    return static_cast<unsigned char>(0x7F ^ mask);
  int code = (seg << 4) | ((v >> (seg + 1)) & 0x0F);
  return static_cast<unsigned char>(code ^ mask);
}

template <typename Encode> std::string encode_bytes(const Pcm& pcm, Encode encode) {
  std::string out;
  out.reserve(pcm.samples.size());
  for (float s : pcm.samples)
    out.push_back(char(encode(to_int16(s))));
  return out;
}

} // namespace

std::string encode_sln(const Pcm& pcm) {
  std::string out;
  out.reserve(pcm.samples.size() * 2);
  for (float s : pcm.samples)
    put_u16(out, std::uint16_t(to_int16(s)));
  return out;
}

// The canonical 44-byte header and nothing else: Asterisk's format_wav accepts only this
// shape (PCM, mono, 16-bit) and some IVR GUIs choke on extra chunks.
std::string encode_wav(const Pcm& pcm) {
  const auto data_size = std::uint32_t(pcm.samples.size() * 2);
  std::string out;
  out.reserve(44 + data_size);
  out += "RIFF";
  put_u32(out, 36 + data_size);
  out += "WAVEfmt ";
  put_u32(out, 16);
  put_u16(out, 1); // PCM
  put_u16(out, 1); // mono
  put_u32(out, std::uint32_t(pcm.rate));
  put_u32(out, std::uint32_t(pcm.rate) * 2); // byte rate
  put_u16(out, 2);                           // block align
  put_u16(out, 16);                          // bits per sample
  out += "data";
  put_u32(out, data_size);
  out += encode_sln(pcm);
  return out;
}

std::string encode_alaw(const Pcm& pcm) {
  return encode_bytes(pcm, linear_to_alaw);
}

std::string encode_ulaw(const Pcm& pcm) {
  return encode_bytes(pcm, linear_to_ulaw);
}

} // namespace sr::audio
