#pragma once

// Playing a WAV file on this machine's speakers: paplay when a PulseAudio-protocol server
// (PulseAudio, or PipeWire's pipewire-pulse) answers, else aplay (ALSA).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sr::audio {

struct Player {
  std::string name;              // "paplay" or "aplay"
  std::filesystem::path program; // where PATH found it
};

// The program in $PATH, nullopt when it is not there.
std::optional<std::filesystem::path> find_program(std::string_view name);

// Whether a PulseAudio-protocol server accepts a connection: the Unix sockets of
// $PULSE_SERVER (other forms, such as tcp:, count as reachable), else
// $XDG_RUNTIME_DIR/pulse/native (or /run/user/UID/pulse/native).
bool pulse_reachable();

// paplay when a server is reachable, else aplay; whichever of the two is installed. Throws
// sr::Error naming both packages when neither is.
Player choose_player();

// Plays `file` and waits for the end; returns the player's exit status, 128 + the signal that
// ended it, or 130 after Ctrl-C (which stops the player; this process does not die of it).
int play(const Player& player, const std::filesystem::path& file);

} // namespace sr::audio
