#include "doctor/doctor.h"

#include "commands.h"
#include "util/term.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace sr::cmd {

Runner setup_doctor(CLI::App& app, const Globals& g) {
  auto timeout = std::make_shared<int>(10);
  auto pbx_user = std::make_shared<std::string>("asterisk");
  auto paid = std::make_shared<bool>(false);
  app.add_option("--timeout", *timeout, "seconds each check may take (default 10, at most 600)")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 600));
  app.add_option("--pbx-user", *pbx_user,
                 "the user Asterisk runs as, who must be able to read the audio cache "
                 "(default: asterisk)")
      ->type_name("USER");
  app.add_flag("--paid-check", *paid,
               "also verify keys that only a billed request can verify (Yandex: one empty "
               "request, billed as 1 character at most)");
  app.footer("Checks the configuration, the store and the age of its data, 1C, the speech "
             "engine and its key, the audio cache, serve-agi (with a test call) and file "
             "permissions; prints one line per check with the fix. Exit status: 0 all ok, "
             "3 warnings only, 1 a check failed.");
  return [&g, timeout, pbx_user, paid]() -> int {
    doctor::Options o;
    o.config_file = g.config_file;
    o.state_dir = g.state_dir;
    o.timeout = std::chrono::seconds(*timeout);
    o.pbx_user = *pbx_user;
    o.paid = *paid ? tts::Paid::yes : tts::Paid::no;
    auto out = doctor::diagnose(o);
    std::vector<doctor::Result> shown;
    for (auto& r : out.results)
      if (!g.quiet || r.status == doctor::Status::warn || r.status == doctor::Status::fail)
        shown.push_back(r);
    if (g.json) {
      std::puts(doctor::to_json(out.results).dump(2).c_str());
    } else {
      std::fputs(doctor::to_text(shown, util::colour_wanted(STDOUT_FILENO)).c_str(), stdout);
      if (!g.quiet)
        fmt::print("{}\n", doctor::summary(out.results));
    }
    int code = doctor::exit_code(out.results);
    if (out.abandoned) { // a check still hangs (a dead NFS mount…): do not wait for it
      std::fflush(stdout);
      std::fflush(stderr);
      std::_Exit(code);
    }
    return code;
  };
}

} // namespace sr::cmd
