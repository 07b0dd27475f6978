#include "doctor/access.h"
#include "doctor/agi_probe.h"
#include "doctor/checks.h"
#include "doctor/doctor.h"
#include "doctor/result.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <sys/stat.h>
#include <thread>

using sr::doctor::Result;
using sr::doctor::Status;

namespace {

std::vector<Result> of(std::initializer_list<Status> statuses) {
  std::vector<Result> out;
  int i = 0;
  for (auto s : statuses)
    out.push_back({"check" + std::to_string(i++), s, "message", ""});
  return out;
}

} // namespace

TEST_CASE("doctor: the worst status decides the exit code", "[doctor]") {
  using sr::doctor::exit_code;
  using sr::doctor::worst;
  CHECK(worst(of({})) == Status::ok);
  CHECK(exit_code(of({})) == 0);
  CHECK(exit_code(of({Status::ok, Status::ok})) == 0);
  CHECK(worst(of({Status::ok, Status::skip})) == Status::skip);
  CHECK(exit_code(of({Status::ok, Status::skip})) == 0); // not applicable is not a problem
  CHECK(exit_code(of({Status::skip, Status::warn, Status::ok})) == sr::doctor::k_exit_warn);
  CHECK(exit_code(of({Status::warn, Status::fail, Status::ok})) == 1);
  CHECK(exit_code(of({Status::fail, Status::warn})) == 1); // order does not matter
  CHECK(sr::doctor::k_exit_warn != 2);                     // 2 is the usage error of every command
}

TEST_CASE("doctor: the summary counts each status", "[doctor]") {
  using sr::doctor::summary;
  CHECK(summary(of({Status::ok, Status::ok})) == "2 ok");
  CHECK(summary(of({Status::fail, Status::warn, Status::warn, Status::ok, Status::skip})) ==
        "1 failed, 2 warnings, 1 ok, 1 skipped");
  CHECK(summary(of({Status::warn})) == "1 warning, 0 ok");
}

TEST_CASE("doctor: one line per check with its fix, colour only when asked", "[doctor]") {
  std::vector<Result> results = {
      {"config", Status::ok, "smartroute.toml is valid", ""},
      {"cache", Status::fail, "3 of 9 phrases are missing", "run 'smartroute warm'"}};
  CHECK(sr::doctor::to_text(results, false) ==
        "ok    config  smartroute.toml is valid\n"
        "fail  cache   3 of 9 phrases are missing; fix: run 'smartroute warm'\n");
  auto coloured = sr::doctor::to_text(results, true);
  CHECK(coloured.find("\033[32mok  \033[0m") != std::string::npos);
  CHECK(coloured.find("\033[31mfail\033[0m") != std::string::npos);
}

TEST_CASE("doctor: JSON has every check with name, status, message and fix", "[doctor]") {
  std::vector<Result> results = {{"agi", Status::warn, "nothing listens", "start serve-agi"},
                                 {"onec", Status::skip, "onec.url is not set", ""}};
  auto j = sr::doctor::to_json(results);
  CHECK(j["status"] == "warn");
  CHECK(j["exit"] == sr::doctor::k_exit_warn);
  REQUIRE(j["checks"].size() == 2);
  CHECK(j["checks"][0]["name"] == "agi");
  CHECK(j["checks"][0]["status"] == "warn");
  CHECK(j["checks"][0]["message"] == "nothing listens");
  CHECK(j["checks"][0]["fix"] == "start serve-agi");
  CHECK(j["checks"][1]["status"] == "skip");
}

TEST_CASE("doctor: a check that hangs or throws does not stop the others", "[doctor]") {
  using namespace std::chrono_literals;
  // The hanging check is released once the runner has given up on it, so that its thread is
  // gone before the test ends.
  auto release = std::make_shared<std::promise<void>>();
  auto released = release->get_future().share();
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::vector<sr::doctor::Check> checks;
  checks.push_back({{"quick"}, [] { return std::vector<Result>{{"quick", Status::ok, "", ""}}; }});
  checks.push_back({{"slow", "slower"}, [released, done] {
                      released.wait();
                      *done = true;
                      return std::vector<Result>{};
                    }});
  checks.push_back(
      {{"broken"}, []() -> std::vector<Result> { throw std::runtime_error("disk on fire"); }});
  auto started = std::chrono::steady_clock::now();
  auto out = sr::doctor::run_checks(std::move(checks), 300ms);
  CHECK(std::chrono::steady_clock::now() - started < 1500ms);
  release->set_value();
  CHECK(out.abandoned);
  REQUIRE(out.results.size() == 4);
  CHECK(out.results[0].name == "quick");
  CHECK(out.results[0].status == Status::ok);
  CHECK(out.results[1].name == "slow");
  CHECK(out.results[1].status == Status::fail);
  CHECK(out.results[1].message.find("no answer within") != std::string::npos);
  CHECK(out.results[2].name == "slower");
  CHECK(out.results[3].name == "broken");
  CHECK(out.results[3].status == Status::fail);
  CHECK(out.results[3].message.find("disk on fire") != std::string::npos);
  while (!*done)
    std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(10ms); // its last store into the runner's board
}

TEST_CASE("doctor: AGI command lines split like Asterisk's parse_args", "[doctor]") {
  using V = std::vector<std::string>;
  using sr::doctor::split_command;
  CHECK(split_command("WAIT FOR DIGIT \"5000\"") == V{"WAIT", "FOR", "DIGIT", "5000"});
  CHECK(split_command(R"(SET VARIABLE "SMARTROUTE_TARGET" "10\"5 x")") ==
        V{"SET", "VARIABLE", "SMARTROUTE_TARGET", "10\"5 x"});
  CHECK(split_command(R"(SET VARIABLE "SMARTROUTE_EMPLOYEE" "")") ==
        V{"SET", "VARIABLE", "SMARTROUTE_EMPLOYEE", ""});
  CHECK(split_command("STREAM FILE \"/var/c/ab/x\" \"123\"") ==
        V{"STREAM", "FILE", "/var/c/ab/x", "123"});
  CHECK(split_command("  ") == V{});
}

TEST_CASE("doctor: the test call's header names no caller and ends with an empty line",
          "[doctor]") {
  auto h = sr::doctor::probe_header("127.0.0.1", 4574, "doctor-1.2");
  CHECK(h.starts_with("agi_network: yes\n"));
  CHECK(h.find("agi_uniqueid: doctor-1.2\n") != std::string::npos);
  CHECK(h.find("agi_callerid: unknown\n") != std::string::npos);
  CHECK(h.find("agi_arg_1") == std::string::npos);
  CHECK(h.ends_with("agi_threadid: 0\n\n"));
}

TEST_CASE("doctor: access is judged from the permission bits of the right class", "[doctor]") {
  using sr::doctor::k_read;
  using sr::doctor::k_search;
  using sr::doctor::permits;
  sr::doctor::Identity asterisk{110, {115, 29}}; // group asterisk, then audio
  // Owner bits for the owner, even when the others may do more.
  CHECK(permits(asterisk, 110, 0, 0640, k_read));
  CHECK_FALSE(permits(asterisk, 110, 0, 0044, k_read));
  // Group bits for a member of the primary or a supplementary group.
  CHECK(permits(asterisk, 0, 115, 0750, k_search));
  CHECK(permits(asterisk, 0, 29, 0640, k_read));
  CHECK_FALSE(permits(asterisk, 0, 115, 0700, k_search));
  // Other bits for everyone else.
  CHECK(permits(asterisk, 0, 0, 0755, k_search | k_read));
  CHECK_FALSE(permits(asterisk, 0, 0, 0750, k_search));
  CHECK_FALSE(permits(asterisk, 0, 0, 0600, k_read));
  // Root reads anything; it searches a directory only with some x bit.
  sr::doctor::Identity root{0, {0}};
  CHECK(permits(root, 110, 110, 0600, k_read));
  CHECK(permits(root, 110, 110, 0700, k_search));
  CHECK_FALSE(permits(root, 110, 110, 0600, k_search));
}

TEST_CASE("doctor: ages read as a person says them", "[doctor]") {
  using sr::doctor::format_age;
  CHECK(format_age(5) == "just now");
  CHECK(format_age(600) == "10 min ago");
  CHECK(format_age(5 * 3600) == "5 h ago");
  CHECK(format_age(40 * 3600) == "40 h ago");
  CHECK(format_age(3 * 86400 + 10) == "3 d ago");
  CHECK(format_age(-10) == "in the future");
}
