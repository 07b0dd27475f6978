// "tts", "tts.key" and "cache": the speech engine is there, its credentials work (where that
// costs nothing), and every phrase a menu can need is already cached.
#include "doctor/checks.h"
#include "ivr/warm.h"
#include "store/store.h"
#include "tts/cache.h"
#include "util/error.h"

#include <fmt/format.h>

#include <filesystem>

namespace sr::doctor {

namespace {

bool cloud(const config::Config& config) {
  return config.tts.engine == "yandex" || config.tts.engine == "speechpro";
}

std::string service_fix(const config::Config& config, const tts::EngineError& e) {
  auto& engine = config.tts.engine;
  if (engine == "espeak")
    return "set tts.voice to one that 'espeak-ng --voices' lists, or install espeak-ng-data";
  if (engine == "command")
    return "install the program, or give its full path as the first word of tts.command";
  if (e.failure() == tts::Failure::retry)
    return "check tts.url and the way to the service: DNS, firewall, proxy";
  return "check tts.url";
}

std::string key_fix(const config::Config& config) {
  if (config.tts.engine == "speechpro")
    return "check tts.user, tts.domain_id and the password that tts.api_key_env or "
           "tts.api_key_file names";
  return "check the key that tts.api_key_env or tts.api_key_file names, and that its service "
         "account has the role ai.speechkit-tts.user";
}

} // namespace

std::vector<Result> check_tts(const config::Config& config, tts::Paid paid) {
  Result service{"tts", Status::ok, "", ""};
  Result key{"tts.key", Status::ok, "", ""};
  std::unique_ptr<tts::Engine> engine;
  try {
    engine = tts::make_engine(config);
  } catch (const Error& e) {
    service = {"tts", Status::fail, e.what(), "correct the [tts] settings"};
    key = {"tts.key", Status::skip, "the engine could not be set up", ""};
    return {service, key};
  }
  try {
    service.message = fmt::format("{}: {}", config.tts.engine, engine->check_service());
  } catch (const tts::EngineError& e) {
    service = {"tts", Status::fail, e.what(), service_fix(config, e)};
    key = {"tts.key", Status::skip, "the engine is not there", ""};
    return {service, key};
  }
  if (cloud(config)) {
    try {
      config::resolve_secret(config.tts.api_key, "tts.api_key");
    } catch (const Error& e) {
      key = {"tts.key", Status::fail, e.what(),
             config.tts.api_key.env.empty()
                 ? "write the key into that file, or name it with tts.api_key_file"
                 : fmt::format("export {} in the environment smartroute runs in, or use "
                               "tts.api_key_file",
                               config.tts.api_key.env)};
      return {service, key};
    }
  }
  try {
    auto probe = engine->check_credentials(paid);
    key.message = probe.message;
    if (probe.outcome == tts::Probe::Outcome::not_needed)
      key.status = Status::skip;
    if (probe.outcome == tts::Probe::Outcome::not_verified) {
      key.status = Status::skip;
      key.fix = "'smartroute doctor --paid-check' verifies it with one empty request, billed "
                "as 1 character at most";
    }
  } catch (const tts::EngineError& e) {
    key = {"tts.key", Status::fail, e.what(),
           e.failure() == tts::Failure::retry ? service_fix(config, e) : key_fix(config)};
  }
  return {service, key};
}

Result check_cache(const config::Config& config) {
  Result r{"cache", Status::ok, "", ""};
  std::unique_ptr<tts::Engine> engine;
  try {
    engine = tts::make_engine(config);
  } catch (const Error& e) {
    return {"cache", Status::skip, "cache keys need a working engine (see tts)", ""};
  }
  std::error_code ec;
  if (!std::filesystem::exists(config.database_path(), ec))
    return {"cache", Status::skip, "the phrases come from the store (see store)", ""};
  std::unique_ptr<store::Database> db;
  try {
    db = store::open(config.database_path(), store::Access::read_only);
  } catch (const Error&) {
    return {"cache", Status::skip, "the phrases come from the store (see store)", ""};
  }
  tts::Cache cache(config.cache_path());
  ivr::WarmOptions dry;
  dry.dry_run = ivr::DryRun::yes;
  auto w = ivr::warm(*db, config, *engine, cache, dry, {});
  if (w.missing.empty()) {
    r.message = fmt::format("all {} phrases of every menu are in {} ({})", w.phrases,
                            config.cache_path().string(), w.engine);
    return r;
  }
  r.status = Status::fail;
  r.message =
      fmt::format("{} of {} phrases are missing from {} ({}; {} characters", w.missing.size(),
                  w.phrases, config.cache_path().string(), w.engine, w.characters);
  if (w.estimated_cost > 0)
    r.message += fmt::format(", estimated cost {:.4f}", w.estimated_cost);
  r.message += ")";
  r.fix = "run 'smartroute warm'";
  return r;
}

} // namespace sr::doctor
