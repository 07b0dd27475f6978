#include "util/log.h"

#include <cstdio>

namespace sr::util {

namespace {
Verbosity g_verbosity = Verbosity::normal;

void emit(std::string_view prefix, std::string_view message) {
  std::fprintf(stderr, "smartroute: %.*s%.*s\n", int(prefix.size()), prefix.data(),
               int(message.size()), message.data());
}
} // namespace

void set_verbosity(Verbosity v) {
  g_verbosity = v;
}
Verbosity verbosity() {
  return g_verbosity;
}

void warn(std::string_view message) {
  if (g_verbosity >= Verbosity::normal)
    emit("warning: ", message);
}

void info(std::string_view message) {
  if (g_verbosity >= Verbosity::normal)
    emit("", message);
}

void debug(std::string_view message) {
  if (g_verbosity >= Verbosity::verbose)
    emit("", message);
}

} // namespace sr::util
