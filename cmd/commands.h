#pragma once

// The one table of commands: main builds the CLI from it, and `smartroute help-commands`
// (used by the tests of the man page and the completions) lists it.

#include "config/config.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace sr::cmd {

// Options every command accepts.
struct Globals {
  std::string config_file;
  std::string state_dir;
  int verbose = 0;
  bool quiet = false;
  bool json = false;

  // The effective configuration: file, environment, then these flags.
  config::Config load_config() const;
};

// What a command does once its options are parsed; returns the exit status.
using Runner = std::function<int()>;

struct Command {
  std::string_view name;
  std::string_view summary;
  Runner (*setup)(CLI::App& app, const Globals& globals);
};

std::span<const Command> commands();

Runner setup_config(CLI::App& app, const Globals& globals);
Runner setup_demo_data(CLI::App& app, const Globals& globals);
Runner setup_import(CLI::App& app, const Globals& globals);
Runner setup_sync(CLI::App& app, const Globals& globals);
Runner setup_score(CLI::App& app, const Globals& globals);
Runner setup_explain(CLI::App& app, const Globals& globals);
Runner setup_warm(CLI::App& app, const Globals& globals);
Runner setup_cache(CLI::App& app, const Globals& globals);
Runner setup_say(CLI::App& app, const Globals& globals);
Runner setup_preview(CLI::App& app, const Globals& globals);
Runner setup_serve_agi(CLI::App& app, const Globals& globals);
Runner setup_report(CLI::App& app, const Globals& globals);
Runner setup_doctor(CLI::App& app, const Globals& globals);

} // namespace sr::cmd
