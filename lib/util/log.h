#pragma once

#include <string_view>

namespace sr::util {

// How much goes to stderr: -q lowers it, each -v raises it.
enum class Verbosity { quiet = 0, normal = 1, verbose = 2, debug = 3 };

void set_verbosity(Verbosity v);
Verbosity verbosity();

// "smartroute: warning: ..." unless quiet.
void warn(std::string_view message);
// Progress and facts for a person, shown at normal verbosity and above.
void info(std::string_view message);
// Details shown with -v.
void debug(std::string_view message);

} // namespace sr::util
