#pragma once

// serve-agi: the FastAGI server Asterisk calls for every incoming call. One event loop,
// one coroutine per call; strict lock-step; deadlines everywhere; the call always leaves
// with a target.

#include "config/config.h"

#include <functional>
#include <string>
#include <string_view>

namespace sr::agi {

// Sessions whose agi_uniqueid starts with this are test calls (`smartroute doctor`): served
// like any other, logged as event=probe, kept out of the call log so reports count callers.
inline constexpr std::string_view k_probe_uniqueid_prefix = "doctor-";

struct ServeOptions {
  std::string config_file;   // re-read on SIGHUP
  std::string state_dir;     // the --state-dir flag, kept across reloads
  double drain_seconds = 10; // on SIGTERM, how long running calls may finish
};

// Runs until SIGTERM/SIGINT (then drains running calls) ; returns the exit status.
int serve(const config::Config& config, const ServeOptions& options);

} // namespace sr::agi
