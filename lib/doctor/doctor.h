#pragma once

// `smartroute doctor`: every check at once, each on its own thread and bounded in time, so
// that one failing or hanging never stops the others.

#include "doctor/result.h"
#include "tts/engine.h"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace sr::doctor {

struct Options {
  std::string config_file;                  // --config ("" = the usual search)
  std::string state_dir;                    // --state-dir
  std::chrono::milliseconds timeout{10000}; // what each check may take
  std::string pbx_user = "asterisk";        // who must be able to read the cache
  tts::Paid paid = tts::Paid::no;           // may a check spend money (Yandex: 1 character)
};

struct Outcome {
  std::vector<Result> results; // in a fixed order
  bool abandoned = false;      // a check was still running at its deadline; exit without waiting
};

// Every check, in order: config, store, data, score, onec, onec.mapping, tts, tts.key, cache,
// agi, secrets, cache.access.
Outcome diagnose(const Options& options);

// One unit of work giving the results `names`, in that order.
struct Check {
  std::vector<std::string> names;
  std::function<std::vector<Result>()> run;
};

// Runs the checks concurrently; a check that throws gives failed results, one still running
// at `deadline` gives failed results "no answer within …" and sets `abandoned`.
Outcome run_checks(std::vector<Check> checks, std::chrono::milliseconds deadline);

} // namespace sr::doctor
