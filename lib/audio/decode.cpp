// Decoding engine output into mono float PCM: containers through libsndfile's virtual I/O
// (so nothing touches the disk), headerless s16le by hand.

#include "audio/audio.h"
#include "util/error.h"

#include <sndfile.h>

#include <cstring>
#include <memory>

namespace sr::audio {
namespace {

// A read-only file in memory for libsndfile's virtual I/O.
struct MemoryFile {
  std::string_view bytes;
  sf_count_t pos = 0;
};

sf_count_t mem_length(void* user) {
  return sf_count_t(static_cast<MemoryFile*>(user)->bytes.size());
}

sf_count_t mem_seek(sf_count_t offset, int whence, void* user) {
  auto* f = static_cast<MemoryFile*>(user);
  sf_count_t base = whence == SEEK_SET   ? 0
                    : whence == SEEK_CUR ? f->pos
                                         : sf_count_t(f->bytes.size());
  sf_count_t to = base + offset;
  if (to < 0 || to > sf_count_t(f->bytes.size()))
    return -1;
  f->pos = to;
  return f->pos;
}

sf_count_t mem_read(void* ptr, sf_count_t count, void* user) {
  auto* f = static_cast<MemoryFile*>(user);
  sf_count_t left = sf_count_t(f->bytes.size()) - f->pos;
  sf_count_t n = count < left ? count : left;
  if (n <= 0)
    return 0;
  std::memcpy(ptr, f->bytes.data() + f->pos, std::size_t(n));
  f->pos += n;
  return n;
}

sf_count_t mem_write(const void*, sf_count_t, void*) {
  return 0;
}

sf_count_t mem_tell(void* user) {
  return static_cast<MemoryFile*>(user)->pos;
}

struct SndfileCloser {
  void operator()(SNDFILE* f) const { sf_close(f); }
};

Pcm decode_raw(std::string_view bytes, int rate) {
  if (rate <= 0)
    throw Error("audio: raw PCM needs a positive sample rate, got " + std::to_string(rate));
  if (bytes.size() % 2 != 0)
    throw Error("audio: odd byte count (" + std::to_string(bytes.size()) +
                ") for headerless 16-bit PCM; the data is truncated or not s16le");
  Pcm pcm;
  pcm.rate = rate;
  pcm.samples.resize(bytes.size() / 2);
  auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  for (std::size_t i = 0; i < pcm.samples.size(); ++i) {
    auto v = std::int16_t(std::uint16_t(p[2 * i] | (p[2 * i + 1] << 8)));
    pcm.samples[i] = float(v) / 32768.0f;
  }
  return pcm;
}

Pcm decode_container(std::string_view bytes) {
  MemoryFile mem{bytes};
  SF_VIRTUAL_IO io{mem_length, mem_seek, mem_read, mem_write, mem_tell};
  SF_INFO info{};
  std::unique_ptr<SNDFILE, SndfileCloser> file(sf_open_virtual(&io, SFM_READ, &info, &mem));
  if (!file)
    throw Error(std::string("audio: not audio (") + sf_strerror(nullptr) +
                "); expected WAV, FLAC, Ogg Vorbis/Opus or MP3, or set the raw sample rate");
  if (info.channels <= 0 || info.samplerate <= 0)
    throw Error("audio: the container declares " + std::to_string(info.channels) + " channels at " +
                std::to_string(info.samplerate) + " Hz");
  Pcm pcm;
  pcm.rate = info.samplerate;
  // Frame counts are unreliable for streamed Ogg, so read until the decoder runs dry.
  const auto channels = std::size_t(info.channels);
  std::vector<float> block(4096 * channels);
  for (;;) {
    sf_count_t got = sf_readf_float(file.get(), block.data(), 4096);
    if (got <= 0)
      break;
    for (sf_count_t i = 0; i < got; ++i) {
      float sum = 0;
      for (std::size_t c = 0; c < channels; ++c)
        sum += block[std::size_t(i) * channels + c];
      pcm.samples.push_back(sum / float(channels));
    }
  }
  if (pcm.samples.empty())
    throw Error("audio: no samples in the decoded audio");
  return pcm;
}

} // namespace

Pcm decode(std::string_view bytes, std::optional<int> raw_rate) {
  if (bytes.empty())
    throw Error("audio: empty input (the engine returned no bytes)");
  return raw_rate ? decode_raw(bytes, *raw_rate) : decode_container(bytes);
}

} // namespace sr::audio
