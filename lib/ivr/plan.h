#pragma once

// Menu planning: (caller data, time) → what the caller hears and where each digit goes.
// A pure function over plain structs, so it is fast and testable; the reasons it records
// are what `explain` prints.

#include "config/config.h"
#include "scoring/availability.h"
#include "scoring/model.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sr::ivr {

enum class Mode { menu, direct, new_client, fallback };
std::string_view mode_name(Mode m);

// One cached audio fragment of a menu.
struct Fragment {
  std::string id;   // template id: "greeting", "press", "last_spoke"…
  std::string text; // what is said
  const scoring::Employee* employee = nullptr;
  int digit = 0;
};

struct Option {
  int digit = 0;
  const scoring::Employee* employee = nullptr;
};

// An employee of the ranking who is not offered, and why.
struct Dropped {
  const scoring::Employee* employee = nullptr;
  double score = 0;
  std::string reason;     // "dismissed", "excluded", "no extension", "off schedule"…
  std::int64_t until = 0; // when they are next available (0 = unknown or never)
};

struct Plan {
  Mode mode = Mode::fallback;
  std::vector<Fragment> fragments; // in the order they are played
  std::vector<Option> options;     // digit → employee
  const scoring::Employee* direct = nullptr;
  std::vector<Dropped> dropped;
  double top_share = 0; // the first offered employee's share of the total
  std::string default_target;
  std::string emergency_target;
  std::vector<std::string> reasons; // every decision, in order
};

// What planning needs besides the caller.
struct Context {
  const config::Config& config;
  const scoring::Timetables& timetables;
  const date::time_zone* zone;
  std::vector<const scoring::Employee*> pool; // new-client pool, in configured order
  bool reasons = true; // false: leave Plan::reasons empty (serve-agi never shows them)
};

Plan plan(const scoring::CallerData& caller, std::int64_t now, const Context& context);

// The name as the menu says it after «с»: the override, or the declined name (Russian), or
// the name as written (English).
std::string spoken_name(const scoring::Employee& e, const config::TemplatesSection& t);

// A template with {name} and {digit} filled in.
std::string render(std::string_view text, std::string_view name, int digit);

// The fragment of a template for an employee (and digit), exactly as plans use it; the
// phrase catalogue of the audio cache is built from the same function.
Fragment fragment(std::string_view id, const config::TemplatesSection& t,
                  const scoring::Employee* employee = nullptr, int digit = 0);

} // namespace sr::ivr
