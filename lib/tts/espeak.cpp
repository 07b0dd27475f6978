// The free offline default: libespeak-ng, deterministic, about 20 ms a phrase.
#include "tts/engines.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <espeak-ng/speak_lib.h>
#include <mutex>
#include <vector>

namespace sr::tts {

namespace {

// libespeak-ng keeps global state: one initialisation per process, one phrase at a time.
std::mutex g_espeak;
int g_rate = 0;
std::vector<short>* g_sink = nullptr;

int collect(short* samples, int count, espeak_EVENT*) {
  if (samples && count > 0 && g_sink)
    g_sink->insert(g_sink->end(), samples, samples + count);
  return 0;
}

class Espeak : public Engine {
public:
  Espeak(std::string voice, double speed) : m_voice(std::move(voice)), m_speed(speed) {
    std::lock_guard lock(g_espeak);
    if (g_rate == 0) {
      g_rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, 0);
      if (g_rate <= 0)
        throw Error("tts: espeak-ng could not start (is the espeak-ng-data package installed?)");
      espeak_SetSynthCallback(collect);
    }
    if (espeak_SetVoiceByName(m_voice.c_str()) != EE_OK)
      throw Error(fmt::format("tts: espeak-ng has no voice '{}' (try 'ru' or 'en'; "
                              "'espeak-ng --voices' lists them)",
                              m_voice));
    const char* data = nullptr;
    m_revision = espeak_Info(&data);
  }

  nlohmann::json identity() const override {
    return {{"engine", "espeak"},
            {"voice", m_voice},
            {"speed", fmt::format("{}", m_speed)},
            {"revision", m_revision},
            {"rate", g_rate}};
  }

  // The library call is serialised by a mutex; decoding, resampling and writing of other
  // phrases run beside it.
  bool rate_limited() const override { return false; }

  int max_concurrency() const override { return 4; }

  std::string check_service() override {
    std::lock_guard lock(g_espeak);
    if (espeak_SetVoiceByName(m_voice.c_str()) != EE_OK)
      throw EngineError(Failure::abort, fmt::format("tts: espeak-ng has no voice '{}'", m_voice));
    return fmt::format("espeak-ng {}: voice '{}' loads", m_revision, m_voice);
  }

  Synthesized synthesize(const std::string& text) override {
    std::lock_guard lock(g_espeak);
    std::vector<short> samples;
    g_sink = &samples;
    espeak_SetVoiceByName(m_voice.c_str());
    espeak_SetParameter(espeakRATE, int(std::lround(espeakRATE_NORMAL * m_speed)), 0);
    auto rc = espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8,
                           nullptr, nullptr);
    espeak_Synchronize();
    g_sink = nullptr;
    if (rc != EE_OK || samples.empty())
      throw EngineError(Failure::permanent,
                        fmt::format("tts: espeak-ng produced no audio for \"{}\"", text));
    Synthesized out;
    out.encoding = Synthesized::Encoding::pcm_s16le;
    out.sample_rate = g_rate;
    out.bytes.resize(samples.size() * 2);
    for (std::size_t i = 0; i < samples.size(); ++i) { // little-endian regardless of host
      auto v = static_cast<unsigned short>(samples[i]);
      out.bytes[2 * i] = char(v & 0xFF);
      out.bytes[2 * i + 1] = char(v >> 8);
    }
    return out;
  }

private:
  std::string m_voice;
  double m_speed;
  std::string m_revision;
};

} // namespace

std::unique_ptr<Engine> make_espeak(const config::Config& config) {
  return std::make_unique<Espeak>(config.tts.voice, config.tts.speed);
}

} // namespace sr::tts
