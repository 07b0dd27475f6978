#include "ivr/preview.h"

#include "agi/router.h"
#include "ami/listen.h"
#include "audio/audio.h"
#include "audio/player.h"
#include "commands.h"
#include "phone/phone.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/time.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace sr::cmd {

namespace {

// A temporary WAV for --play without -o, removed however the command ends.
struct TempWav {
  std::string path;
  TempWav() {
    const char* dir = std::getenv("TMPDIR");
    std::string pattern =
        fmt::format("{}/smartroute-preview-XXXXXX.wav", dir && *dir ? dir : "/tmp");
    int fd = ::mkstemps(pattern.data(), 4);
    if (fd < 0)
      throw Error(fmt::format("preview: cannot create a temporary file like {}", pattern));
    ::close(fd);
    path = pattern;
  }
  ~TempWav() { ::unlink(path.c_str()); }
  TempWav(const TempWav&) = delete;
  TempWav& operator=(const TempWav&) = delete;
};

struct Options {
  std::string phone, at, out, call;
  bool play = false;
};

} // namespace

Runner setup_preview(CLI::App& app, const Globals& g) {
  auto o = std::make_shared<Options>();
  app.add_option("PHONE", o->phone, "the caller's number")->required();
  app.add_option("--at", o->at, "as if the call came at this time (ISO 8601)")->type_name("TIME");
  app.add_option("-o,--output", o->out, "WAV file to write (8 kHz, as a caller hears it)")
      ->type_name("FILE");
  app.add_flag("--play", o->play, "play it here with paplay or aplay");
  app.add_option("--call", o->call,
                 "have the PBX ring this extension and play it there (through [ami])")
      ->type_name("EXT");
  app.footer("Renders the cached fragments serve-agi would play to that caller, in order, the "
             "menu once; missing fragments are named (exit 1). Give -o, --play or --call.");
  return [&g, o]() -> int {
    if (o->out.empty() && !o->play && o->call.empty())
      throw UsageError("preview: give -o FILE, --play or --call EXT");
    if (!o->call.empty() && !ami::valid_extension(o->call))
      throw UsageError(fmt::format("preview: --call '{}' is not an extension", o->call));
    auto config = g.load_config();
    if (!o->call.empty() && (config.ami.user.empty() ||
                             (config.ami.secret.env.empty() && config.ami.secret.file.empty())))
      throw Error(fmt::format("{}: preview --call needs [ami] user and secret_env or "
                              "secret_file (see smartroute.toml(5))",
                              config.file.empty() ? "configuration" : config.file.string()));
    auto when = util::now();
    std::optional<std::int64_t> live_at;
    if (!o->at.empty()) {
      auto t = util::parse_timestamp(o->at, util::find_zone(config.routing.time_zone));
      if (!t)
        throw UsageError(
            fmt::format("preview: --at '{}' is not a time like 2026-11-20T10:00", o->at));
      when = *t;
      live_at = *t; // ranked at that time, as explain --at does
    }
    // serve-agi's own planning and playing rules, so that this is what the caller hears.
    agi::Router router(config);
    ivr::Plan plan;
    auto call = router.plan(o->phone, when, live_at, &plan);
    // The plan fragment a playable was made from (one per fragment, in order).
    auto text = [&](const agi::Playable* p) -> const std::string& {
      return plan.fragments[std::size_t(p - call.playables.data())].text;
    };
    auto round = agi::first_round(call);
    std::vector<std::string> files;
    double seconds = 0;
    for (auto* p : round.played) {
      files.emplace_back(p->file);
      seconds += p->seconds;
    }
    for (auto* m : round.missing)
      util::warn(fmt::format("not in the cache: «{}» (run 'smartroute warm')", text(m)));
    if (!round.emergency.empty())
      util::warn(fmt::format("the caller hears nothing ({}): the call goes to the emergency "
                             "number {}",
                             round.emergency, plan.emergency_target));
    int status = round.missing.empty() && round.emergency.empty() ? 0 : 1;

    nlohmann::json doc = {
        {"mode", ivr::mode_name(plan.mode)},
        {"file", o->out.empty() ? nlohmann::json(nullptr) : nlohmann::json(o->out)},
        {"seconds", seconds},
        {"offered", round.digits},
        {"emergency",
         round.emergency.empty() ? nlohmann::json(nullptr) : nlohmann::json(round.emergency)}};
    doc["fragments"] = doc["missing"] = doc["played"] = nlohmann::json::array();
    for (auto& f : plan.fragments)
      doc["fragments"].push_back(f.text);
    for (auto* m : round.missing)
      doc["missing"].push_back(text(m));
    for (auto* p : round.played)
      doc["played"].push_back({{"text", text(p)}, {"file", std::string(p->file)}});

    if (!o->out.empty() || o->play) {
      auto pcm = ivr::render(files);
      doc["seconds"] = seconds = pcm.seconds();
      std::unique_ptr<TempWav> temp;
      auto wav = o->out;
      if (wav.empty()) {
        temp = std::make_unique<TempWav>();
        wav = temp->path;
      }
      util::write_file_atomic(wav, audio::encode_wav(pcm));
      if (o->play) {
        auto player = audio::choose_player();
        doc["player"] = player.name;
        util::info(fmt::format("playing {:.1f} s with {}", seconds, player.name));
        int rc = audio::play(player, wav);
        if (rc == 130)
          return 130; // interrupted: the temporary file still goes
        if (rc != 0)
          throw Error(fmt::format("preview: {} exited with status {}", player.name, rc));
      }
    }
    std::string call_error;
    if (!o->call.empty()) {
      if (files.empty())
        throw Error("preview: nothing to play to the caller, so nothing to call with");
      phone::Normalizer phones(
          {config.phone.default_country, int(config.phone.internal_max_digits)});
      auto n = phones.normalize(o->phone);
      auto r = ami::listen(config.ami,
                           {o->call, files, n.kind == phone::Kind::e164 ? n.value : o->phone});
      doc["call"] = {{"extension", o->call},
                     {"channel", r.channel},
                     {"success", r.originate.success},
                     {"reason", r.originate.reason},
                     {"reason_text", ami::reason_text(r.originate.reason)},
                     {"uniqueid", r.originate.uniqueid}};
      if (!r.originate.success)
        call_error =
            fmt::format("preview: the PBX could not reach {} ({}): {} (Reason {})", o->call,
                        r.channel, ami::reason_text(r.originate.reason), r.originate.reason);
    }

    if (g.json) {
      std::puts(doc.dump(2).c_str());
    } else if (!g.quiet) {
      fmt::print("{}{:.1f} s, {} of {} phrases ({} mode){}\n", o->out.empty() ? "" : o->out + ": ",
                 seconds, round.played.size(), plan.fragments.size(), ivr::mode_name(plan.mode),
                 round.missing.empty() ? "" : fmt::format(", {} missing", round.missing.size()));
      for (auto& f : plan.fragments) {
        bool played = std::any_of(round.played.begin(), round.played.end(),
                                  [&](auto* p) { return &text(p) == &f.text; });
        fmt::print("  «{}»{}\n", f.text, played ? "" : "  (not played)");
      }
      if (doc.contains("call") && call_error.empty())
        fmt::print("{} answered ({}): the PBX plays the menu there\n", o->call,
                   doc["call"]["channel"].get<std::string>());
    }
    if (!call_error.empty()) {
      fmt::print(stderr, "smartroute: error: {}\n", call_error);
      return 1;
    }
    return status;
  };
}

} // namespace sr::cmd
