#pragma once

// The factories of the registry (registry.cpp); one file per engine implements one.

#include "config/config.h"
#include "tts/engine.h"

#include <memory>

namespace sr::tts {

std::unique_ptr<Engine> make_espeak(const config::Config& config);    // espeak.cpp
std::unique_ptr<Engine> make_command(const config::Config& config);   // command.cpp
std::unique_ptr<Engine> make_yandex(const config::Config& config);    // yandex.cpp
std::unique_ptr<Engine> make_speechpro(const config::Config& config); // speechpro.cpp

} // namespace sr::tts
