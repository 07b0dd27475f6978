#include "tts/engine.h"
#include "tts/engines.h"
#include "util/strings.h"

#include <fmt/format.h>

namespace sr::tts {

namespace {

struct Entry {
  std::string_view name;
  std::unique_ptr<Engine> (*make)(const config::Config&);
};

// One table: the config name → the factory. Adding an engine is one line here.
constexpr Entry k_engines[] = {
    {"espeak", make_espeak},
    {"command", make_command},
    {"yandex", make_yandex},
    {"speechpro", make_speechpro},
};

constexpr std::string_view k_names[] = {"espeak", "command", "yandex", "speechpro"};

} // namespace

double Engine::price(const std::string& text) const {
  // Services bill characters of the text as sent; count UTF-8 code points, not bytes.
  std::size_t chars = 0;
  for (unsigned char c : text)
    chars += (c & 0xC0) != 0x80;
  return m_price_per_request + m_price_per_million_chars * double(chars) / 1e6;
}

Probe Engine::check_credentials(Paid) {
  return {Probe::Outcome::not_needed, "a local engine needs no key"};
}

std::span<const std::string_view> engine_names() {
  return k_names;
}

std::unique_ptr<Engine> make_engine(const config::Config& config, std::string_view name) {
  if (name.empty())
    name = config.tts.engine;
  for (auto& e : k_engines)
    if (e.name == name) {
      auto engine = e.make(config);
      engine->m_price_per_request = config.tts.price_per_request;
      engine->m_price_per_million_chars = config.tts.price_per_million_chars;
      return engine;
    }
  auto hint = util::did_you_mean(name, k_names);
  throw Error(fmt::format("tts: unknown engine '{}'{}", name,
                          hint.empty() ? " (espeak, command, yandex, speechpro)"
                                       : fmt::format(", did you mean '{}'?", hint)));
}

} // namespace sr::tts
