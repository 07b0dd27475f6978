#include "commands.h"
#include "util/error.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>

namespace sr::cmd {

Runner setup_config(CLI::App& app, const Globals& g) {
  app.require_subcommand(1);
  auto* check = app.add_subcommand("check", "validate a configuration file, reporting every "
                                            "problem as FILE:LINE:COLUMN: message");
  auto* show = app.add_subcommand("show", "print every effective value and where it came from "
                                          "(built-in, file, env, flag); secrets are never shown");
  auto file = std::make_shared<std::string>();
  check->add_option("FILE", *file, "file to check (default: the one smartroute would use)");
  return [&g, check, show, file]() -> int {
    if (check->parsed()) {
      auto path = config::locate(file->empty() ? g.config_file : *file);
      config::Config c;
      auto problems = config::check(path, c, config::Overrides{g.state_dir});
      auto name = path.empty() ? std::string("built-in defaults") : path.string();
      if (g.json) {
        auto doc = nlohmann::json{{"file", path.string()}, {"ok", problems.empty()}};
        doc["problems"] = nlohmann::json::array();
        for (auto& p : problems)
          doc["problems"].push_back(
              {{"line", p.pos.line}, {"column", p.pos.column}, {"message", p.message}});
        std::puts(doc.dump(2).c_str());
      } else if (problems.empty()) {
        fmt::print("{}: ok\n", name);
      }
      if (!g.json)
        for (auto& p : problems)
          fmt::print(stderr, "{}\n", config::format_diagnostic(path, p));
      if (!problems.empty() && !g.json)
        fmt::print(stderr, "smartroute: error: {}: {} problem{}\n", name, problems.size(),
                   problems.size() == 1 ? "" : "s");
      return problems.empty() ? 0 : 1;
    }
    (void)show;
    auto c = g.load_config();
    auto all = config::settings(c);
    if (g.json) {
      auto doc = nlohmann::json{{"file", c.file.string()}};
      doc["settings"] = nlohmann::json::array();
      for (auto& s : all)
        doc["settings"].push_back(
            {{"key", s.key}, {"value", s.value}, {"origin", config::origin_name(s.origin)}});
      std::puts(doc.dump(2).c_str());
      return 0;
    }
    fmt::print("# file: {}\n", c.file.empty() ? "(none, built-in defaults)" : c.file.string());
    std::size_t width = 0;
    for (auto& s : all)
      width = std::max(width, s.key.size() + 3 + s.value.size());
    for (auto& s : all) {
      auto line = fmt::format("{} = {}", s.key, s.value);
      fmt::print("{:<{}}  # {}\n", line, width, config::origin_name(s.origin));
    }
    return 0;
  };
}

} // namespace sr::cmd
