// Planning latency: what serve-agi does per call (phone → client → stored ranking → plan)
// and what explain does (live ranking from the interactions), over a real store.
// Usage: bench_plan STORE.db [CALLS] [CONFIG.toml]
#include "config/config.h"
#include "ivr/explain.h"
#include "ivr/plan.h"
#include "phone/phone.h"
#include "scoring/availability.h"
#include "scoring/directory.h"
#include "store/store.h"
#include "util/time.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

void report(std::string_view what, std::vector<double>& us) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[std::min(us.size() - 1, std::size_t(q * double(us.size())))]; };
  double sum = 0;
  for (auto v : us)
    sum += v;
  fmt::print("{:<34} n={:<7} mean {:8.1f} us  p50 {:8.1f}  p90 {:8.1f}  p99 {:8.1f}  max {:9.1f}\n",
             what, us.size(), sum / double(us.size()), at(0.5), at(0.9), at(0.99), us.back());
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_plan STORE.db [CALLS] [CONFIG.toml]\n");
    return 2;
  }
  int calls = argc > 2 ? std::atoi(argv[2]) : 100000;
  auto config = sr::config::load(argc > 3 ? argv[3] : "", {"/tmp"});
  auto db = sr::store::open(argv[1], sr::store::Access::read_only);
  auto t0 = Clock::now();
  sr::scoring::Directory dir(*db, config);
  auto t1 = Clock::now();
  fmt::print("directory: {} employees loaded in {:.1f} ms\n", dir.employees().size(),
             std::chrono::duration<double, std::milli>(t1 - t0).count());

  std::vector<std::string> raw;
  auto st = db->prepare("SELECT raw FROM client_phones ORDER BY random() LIMIT ?");
  st.bind(1, std::int64_t(calls));
  while (st.step())
    raw.emplace_back(st.column_text(0));
  for (int i = 0; i < calls / 20; ++i) // unknown callers too
    raw.push_back(fmt::format("+7 999 {:03} {:04}", i % 1000, i));

  sr::phone::Normalizer phones({config.phone.default_country, int(config.phone.internal_max_digits)});
  sr::scoring::Timetables timetables(config);
  auto zone = sr::util::find_zone(config.routing.time_zone);
  sr::ivr::Context ctx{config, timetables, zone, sr::ivr::pool_of(config, dir)};
  auto now = sr::util::now();

  // A warm store: one untimed pass brings the pages these callers touch into memory.
  for (auto& r : raw) {
    auto n = phones.normalize(r);
    auto caller = dir.caller(n.kind == sr::phone::Kind::e164 ? n.value : "", now, std::nullopt);
    (void)sr::ivr::plan(caller, now, ctx);
  }
  std::vector<double> plan_us;
  std::size_t options = 0;
  for (auto& r : raw) {
    auto a = Clock::now();
    auto n = phones.normalize(r);
    auto caller = dir.caller(n.kind == sr::phone::Kind::e164 ? n.value : "", now, std::nullopt);
    auto p = sr::ivr::plan(caller, now, ctx);
    auto b = Clock::now();
    options += p.options.size();
    plan_us.push_back(std::chrono::duration<double, std::micro>(b - a).count());
  }
  report("plan (serve-agi path, stored)", plan_us);
  fmt::print("  {:.2f} options per call on average\n", double(options) / double(raw.size()));

  std::vector<double> explain_us;
  for (std::size_t i = 0; i < raw.size() && i < 1000; ++i) {
    auto a = Clock::now();
    auto x = sr::ivr::explain(dir, config, phones, raw[i], now);
    auto text = sr::ivr::to_text(x, config, false);
    auto b = Clock::now();
    explain_us.push_back(std::chrono::duration<double, std::micro>(b - a).count());
  }
  report("explain (live ranking + text)", explain_us);
  return 0;
}
