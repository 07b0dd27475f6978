#include "audio/audio.h"
#include "commands.h"
#include "tts/cache.h"
#include "util/error.h"
#include "util/fs.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>

namespace sr::cmd {

Runner setup_say(CLI::App& app, const Globals& g) {
  auto text = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto engine = std::make_shared<std::string>();
  auto voice = std::make_shared<std::string>();
  app.add_option("TEXT", *text, "the phrase to speak")->required();
  app.add_option("-o,--output", *out, "WAV file to write (16-bit mono at tts.sample_rate)")
      ->type_name("FILE")
      ->required();
  app.add_option("--engine", *engine,
                 "engine instead of tts.engine: espeak, command, yandex, "
                 "speechpro");
  app.add_option("--voice", *voice, "voice instead of tts.voice");
  app.footer("One phrase through the same pipeline as the cache (trim, level, pause); for trying "
             "voices. Makes exactly one request to a paid engine.");
  return [&g, text, out, engine, voice]() -> int {
    auto config = g.load_config();
    if (!engine->empty())
      config.tts.engine = *engine;
    if (!voice->empty())
      config.tts.voice = *voice;
    auto e = tts::make_engine(config);
    auto pcm = tts::master(e->synthesize(tts::normalize_text(*text)), config.tts);
    util::write_file_atomic(*out, audio::encode_wav(pcm));
    if (g.json)
      std::puts(nlohmann::json{
          {"file", *out}, {"seconds", pcm.seconds()}, {"rate", pcm.rate}, {"engine", e->identity()}}
                    .dump(2)
                    .c_str());
    else if (!g.quiet)
      fmt::print("{}: {:.2f} s at {} Hz\n", *out, pcm.seconds(), pcm.rate);
    return 0;
  };
}

} // namespace sr::cmd
