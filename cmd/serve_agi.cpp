#include "agi/server.h"
#include "commands.h"
#include "util/error.h"

namespace sr::cmd {

Runner setup_serve_agi(CLI::App& app, const Globals& g) {
  auto listen = std::make_shared<std::string>();
  auto port = std::make_shared<int>(0);
  auto foreground = std::make_shared<bool>(false);
  auto drain = std::make_shared<double>(10.0);
  app.add_option("--listen", *listen, "address to listen on (default: agi.listen, 127.0.0.1)")
      ->type_name("ADDRESS");
  app.add_option("--port", *port, "TCP port (default: agi.port, 4574; FreePBX uses 4573)")
      ->check(CLI::Range(1, 65535));
  app.add_flag("--foreground", *foreground,
               "stay in the foreground (always the case; for "
               "systemd units and scripts that pass it)");
  app.add_option("--drain", *drain, "seconds running calls may finish after SIGTERM")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 600.0));
  app.footer("Answers Asterisk's AGI(agi://127.0.0.1:4574/smartroute,${CALLERID(num)}) from the "
             "local store and audio cache; sets SMARTROUTE_TARGET (first to the default number), "
             "SMARTROUTE_RESULT, SMARTROUTE_EMPLOYEE and SMARTROUTE_CLIENT. One key=value log "
             "line per call on stderr. SIGHUP reloads the configuration and reopens the store.");
  return [&g, listen, port, drain]() -> int {
    auto config = g.load_config();
    if (!listen->empty())
      config.agi.listen = *listen;
    if (*port > 0)
      config.agi.port = *port;
    agi::ServeOptions o;
    o.config_file = g.config_file;
    o.state_dir = g.state_dir;
    o.drain_seconds = *drain;
    return agi::serve(config, o);
  };
}

} // namespace sr::cmd
