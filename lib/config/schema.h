#pragma once

// The table of every configuration key: its section, type, check and accessor. Loading,
// environment overrides and `config show` all walk this one table.

#include "config/config.h"

#include <toml++/toml.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sr::config::detail {

// Collects problems while loading so that all of them are reported at once.
struct Context {
  std::vector<Diagnostic> diagnostics;
  std::map<std::string, Origin>* origins = nullptr;

  void error(const toml::node& node, std::string message);
  void error(Position pos, std::string message) {
    diagnostics.push_back({pos, std::move(message)});
  }
};

Position position_of(const toml::node& node);

// Type-erased operations on one section ([routing] or [[documents]]).
struct SectionOps {
  std::string_view name;
  bool array = false;
  std::vector<std::string_view> keys;
  std::function<void(Config&, const toml::node&, Context&)> load;
  std::function<void(Config&, Context&)> load_env; // scalar sections only
  std::function<void(const Config&, std::vector<Setting>&)> show;
};

// The sections in the order `config show` prints them.
const std::vector<SectionOps>& sections();

// The documents used when the file defines no [[documents]].
std::vector<DocumentType> built_in_documents();

// Checks that involve several keys (unique ids, day and hour ranges, the time zone…).
void validate(Config& config, Context& ctx);

} // namespace sr::config::detail
