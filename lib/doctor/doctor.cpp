#include "doctor/doctor.h"

#include "config/config.h"
#include "doctor/checks.h"
#include "util/error.h"
#include "util/time.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace sr::doctor {

namespace {

using Clock = std::chrono::steady_clock;

// What the checking threads share with the waiting one; kept alive by whoever ends last.
struct Board {
  std::mutex mutex;
  std::condition_variable done;
  std::vector<std::optional<std::vector<Result>>> slots;
};

std::vector<Result> failed(const std::vector<std::string>& names, const std::string& why) {
  std::vector<Result> out;
  for (auto& n : names)
    out.push_back({n, Status::fail, why, ""});
  return out;
}

Result check_config(const std::filesystem::path& file, const std::string& state_dir,
                    config::Config& out, bool& usable) {
  auto name = file.empty() ? std::string("no configuration file") : file.string();
  std::vector<config::Diagnostic> problems;
  try {
    problems = config::check(file, out, config::Overrides{state_dir});
  } catch (const Error& e) {
    usable = false;
    return {"config", Status::fail, e.what(),
            "create it, or point --config or $SMARTROUTE_CONFIG at the right file"};
  }
  // A file that could not be parsed gave nothing: checking the built-in defaults instead
  // (another state directory…) would only mislead.
  usable = problems.empty() || file.empty() ||
           std::any_of(out.origins.begin(), out.origins.end(),
                       [](auto& o) { return o.second == config::Origin::file; });
  if (problems.empty())
    return {"config", Status::ok,
            file.empty() ? "no configuration file: the built-in defaults apply"
                         : fmt::format("{} is valid", name),
            ""};
  auto first = config::format_diagnostic(file, problems.front());
  return {"config", Status::fail,
          problems.size() == 1 ? first
                               : fmt::format("{} problems, the first: {}", problems.size(), first),
          fmt::format("correct {}; 'smartroute config check' lists every problem", name)};
}

// Each check bounds its own requests by the doctor's timeout, whatever the configuration says.
void cap_timeouts(config::Config& c, std::chrono::milliseconds timeout) {
  auto seconds = std::max<std::int64_t>(1, timeout.count() / 1000);
  for (auto* d : {&c.tts.timeout, &c.onec.timeout, &c.onec.connect_timeout})
    d->seconds = std::min(d->seconds, seconds);
}

} // namespace

Outcome run_checks(std::vector<Check> checks, std::chrono::milliseconds deadline) {
  auto board = std::make_shared<Board>();
  board->slots.resize(checks.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < checks.size(); ++i) {
    threads.emplace_back([board, i, check = checks[i]] {
      std::vector<Result> results;
      try {
        results = check.run();
      } catch (const std::exception& e) {
        results = failed(check.names, fmt::format("the check stopped: {}", e.what()));
      }
      std::lock_guard lock(board->mutex);
      board->slots[i] = std::move(results);
      board->done.notify_all();
    });
  }
  Outcome out;
  auto until = Clock::now() + deadline;
  std::unique_lock lock(board->mutex);
  board->done.wait_until(lock, until, [&] {
    return std::all_of(board->slots.begin(), board->slots.end(),
                       [](auto& s) { return s.has_value(); });
  });
  for (std::size_t i = 0; i < checks.size(); ++i) {
    if (board->slots[i]) {
      for (auto& r : *board->slots[i])
        out.results.push_back(r);
      continue;
    }
    out.abandoned = true;
    for (auto& r :
         failed(checks[i].names, fmt::format("no answer within {:.0f} s",
                                             std::chrono::duration<double>(deadline).count())))
      out.results.push_back(r);
  }
  std::vector<bool> finished;
  for (auto& s : board->slots)
    finished.push_back(s.has_value());
  lock.unlock();
  // A finished thread is only ending: join it, so that its thread-local state (OpenSSL's,
  // curl's) is released before the process exits. One still running is left behind.
  for (std::size_t i = 0; i < threads.size(); ++i) {
    if (finished[i])
      threads[i].join();
    else
      threads[i].detach();
  }
  return out;
}

Outcome diagnose(const Options& options) {
  auto file = config::locate(options.config_file);
  config::Config config;
  bool usable = false;
  auto first = check_config(file, options.state_dir, config, usable);
  std::vector<Check> checks;
  std::vector<std::string> names = {"store",   "data",  "score", "onec",    "onec.mapping", "tts",
                                    "tts.key", "cache", "agi",   "secrets", "cache.access"};
  if (!usable) {
    Outcome out;
    out.results.push_back(first);
    for (auto& n : names)
      out.results.push_back({n, Status::skip, "needs a configuration that can be read", ""});
    return out;
  }
  cap_timeouts(config, options.timeout);
  auto now = util::now();
  auto c = std::make_shared<const config::Config>(config);
  checks.push_back({{"store", "data", "score"}, [c, now] { return check_store(*c, now); }});
  checks.push_back({{"onec", "onec.mapping"}, [c] { return check_onec(*c); }});
  checks.push_back({{"tts", "tts.key"}, [c, paid = options.paid] { return check_tts(*c, paid); }});
  checks.push_back({{"cache"}, [c] { return std::vector<Result>{check_cache(*c)}; }});
  checks.push_back(
      {{"agi"}, [c, t = options.timeout] { return std::vector<Result>{check_agi(*c, t)}; }});
  checks.push_back({{"secrets", "cache.access"},
                    [c, user = options.pbx_user] { return check_permissions(*c, user); }});
  // Each check keeps to the timeout itself; the grace covers what it does around requests.
  auto out = run_checks(std::move(checks), options.timeout + std::chrono::seconds(5));
  out.results.insert(out.results.begin(), first);
  return out;
}

} // namespace sr::doctor
