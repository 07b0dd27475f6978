#pragma once

// `smartroute doctor`: the outcome of one check, how outcomes add up to an exit status, and
// how they are printed. Pure: no I/O besides building strings.

#include <nlohmann/json.hpp>

#include <span>
#include <string>
#include <string_view>

namespace sr::doctor {

// Ordered from best to worst, so that the worst of several is their maximum. `skip` is a
// check that does not apply here (1C without onec.url) and counts like `ok`.
enum class Status { ok, skip, warn, fail };

struct Result {
  std::string name; // "config", "store", "tts.key"…: stable, for scripts
  Status status = Status::ok;
  std::string message; // what was found
  std::string fix;     // what to do about it ("" when nothing)
};

std::string_view status_name(Status status);

// The worst status among `results` (`ok` when there are none).
Status worst(std::span<const Result> results);

// 0 when everything is ok or skipped, 3 when the worst is a warning, 1 when a check failed
// (2 stays the usage error of every command).
inline constexpr int k_exit_warn = 3;
int exit_code(std::span<const Result> results);

// "2 failed, 1 warning, 8 ok, 1 skipped".
std::string summary(std::span<const Result> results);

// One line per check: status, name, message and the fix; colour only when `colour`.
std::string to_text(std::span<const Result> results, bool colour);

// {"status": worst, "exit": code, "checks": [{name, status, message, fix}…]}.
nlohmann::json to_json(std::span<const Result> results);

} // namespace sr::doctor
