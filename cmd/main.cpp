#include "commands.h"
#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <vector>

namespace sr::cmd {

std::span<const Command> commands() {
  static const Command table[] = {
      {"config", "check the configuration, or show every value with its origin", setup_config},
      {"demo-data", "generate a realistic demo dataset (employees, clients, interactions, CDR)",
       setup_demo_data},
      {"import", "import employees, clients, interactions and Asterisk CDRs from files",
       setup_import},
      {"sync", "bring employees, clients and documents from 1C (OData) into the store",
       setup_sync},
      {"score", "rank each client's responsible employees and store the result", setup_score},
      {"explain", "show why a caller hears what they hear: client, scores, menu, targets",
       setup_explain},
      {"warm", "synthesise every phrase any menu can need that the audio cache lacks", setup_warm},
      {"cache", "audio cache status, verification and garbage collection", setup_cache},
      {"say", "speak one phrase with the configured engine into a WAV file", setup_say},
      {"preview", "let a person hear what a caller hears: a WAV file, here, or on a phone",
       setup_preview},
      {"serve-agi", "the FastAGI server Asterisk asks, per call, whom to connect", setup_serve_agi},
      {"report", "what callers chose: results, modes, employees, session times, emergencies",
       setup_report},
      {"doctor", "check everything a working installation needs, one line per check with the fix",
       setup_doctor},
  };
  return table;
}

config::Config Globals::load_config() const {
  return config::load(config::locate(config_file), config::Overrides{state_dir});
}

namespace {

constexpr int k_exit_usage = 2;

// The first word that is not an option (or an option's value): the command name.
std::string find_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--config" || arg == "--state-dir") {
      ++i;
      continue;
    }
    if (!arg.starts_with("-"))
      return std::string(arg);
  }
  return {};
}

int run(int argc, char** argv) {
  CLI::App app{"smartroute: a personal voice menu for every caller, decided before the call.\n"
               "Imports clients and interactions, ranks responsible employees and answers "
               "Asterisk over FastAGI.",
               "smartroute"};
  app.set_version_flag("--version", std::string("smartroute ") + SMARTROUTE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  app.footer("Run 'smartroute COMMAND --help' for a command's options; 'man smartroute' for "
             "everything.");
  Globals g;
  app.add_option("--config", g.config_file,
                 "configuration file (default: $SMARTROUTE_CONFIG, "
                 "/etc/smartroute/smartroute.toml, ./smartroute.toml)")
      ->type_name("FILE");
  app.add_option("--state-dir", g.state_dir, "directory of the store and the audio cache")
      ->type_name("DIR");
  app.add_flag("-v,--verbose", g.verbose, "say more (repeatable)");
  app.add_flag("-q,--quiet", g.quiet, "print only errors");
  app.add_flag("--json", g.json, "print one JSON document on stdout");

  std::vector<std::pair<CLI::App*, Runner>> runners;
  std::vector<std::string_view> names;
  for (auto& c : commands()) {
    auto* sub = app.add_subcommand(std::string(c.name), std::string(c.summary));
    runners.emplace_back(sub, c.setup(*sub, g));
    names.push_back(c.name);
  }

  auto word = find_command(argc, argv);
  bool known = std::find(names.begin(), names.end(), word) != names.end();
  if (!word.empty() && !known) {
    auto hint = util::did_you_mean(word, names);
    throw UsageError(fmt::format("unknown command '{}'{}", word,
                                 hint.empty() ? ", see 'smartroute --help'"
                                              : fmt::format(", did you mean '{}'?", hint)));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout); // the selected command's help, if any
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::puts(e.what());
    return 0;
  } catch (const CLI::RequiredError& e) {
    if (word.empty())
      throw UsageError("a command is required, see 'smartroute --help'");
    throw UsageError(e.what());
  } catch (const CLI::ParseError& e) {
    throw UsageError(fmt::format(
        "{}{}", e.what(), word.empty() ? "" : fmt::format(" (see 'smartroute {} --help')", word)));
  }
  util::set_verbosity(g.quiet     ? util::Verbosity::quiet
                      : g.verbose ? util::Verbosity(std::min(3, 1 + g.verbose))
                                  : util::Verbosity::normal);
  for (auto& [sub, runner] : runners)
    if (sub->parsed())
      return runner();
  return k_exit_usage;
}

} // namespace
} // namespace sr::cmd

int main(int argc, char** argv) {
  // A peer that goes away (a TTS program that exits early, a client that hangs up) must be
  // an error to handle, not a signal that kills the process.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return sr::cmd::run(argc, argv);
  } catch (const sr::UsageError& e) {
    std::fprintf(stderr, "smartroute: error: %s\n", e.what());
    return 2;
  } catch (const sr::Error& e) {
    std::fprintf(stderr, "smartroute: error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "smartroute: error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "smartroute: error: internal: %s\n", e.what());
    return 1;
  }
}
