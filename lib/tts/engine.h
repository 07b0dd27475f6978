#pragma once

// Speech engines behind one small interface and one registry keyed by the config name
// (tts.engine): espeak (offline default), command, yandex, speechpro.

#include "config/config.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sr::tts {

// Audio as an engine returned it, before decoding.
struct Synthesized {
  enum class Encoding {
    pcm_s16le, // headerless signed 16-bit little-endian mono at `sample_rate`
    container, // WAV, Ogg/Opus, MP3…: libsndfile finds out which
  };
  Encoding encoding = Encoding::container;
  int sample_rate = 0; // pcm_s16le only
  std::string bytes;
  std::string request_id; // the service's id for this request, for logs ("" if none)
};

// How a failed synthesis should be handled by the warm run.
enum class Failure {
  retry,     // 429, 5xx, network: back off and try again
  abort,     // 401/403: the key or the role is wrong; stop the whole run
  permanent, // 400 and the like: this phrase fails, the others go on
};

// A failed synthesis. The message names the engine and never contains a secret.
class EngineError : public Error {
public:
  EngineError(Failure failure, std::string message,
              std::optional<double> retry_after = std::nullopt)
      : Error(std::move(message)), m_failure(failure), m_retry_after(retry_after) {}
  Failure failure() const { return m_failure; }
  // Seconds the service asked to wait (Retry-After), if it said.
  std::optional<double> retry_after() const { return m_retry_after; }

private:
  Failure m_failure;
  std::optional<double> m_retry_after;
};

// What a credentials check found, for `doctor`.
struct Probe {
  enum class Outcome {
    verified,     // the service accepted them
    not_needed,   // a local engine: nothing to verify
    not_verified, // only a billed request could tell, and none was allowed
  };
  Outcome outcome = Outcome::not_needed;
  std::string message;
};

// Whether a check may make a request that the service bills (a fraction of a cent).
enum class Paid { no, yes };

class Engine {
public:
  virtual ~Engine() = default;

  // Everything that changes the audio for a given text: engine, API version, voice, role,
  // speed, sample rate, engine revision… It goes into every cache key, so a voice change
  // makes new keys and never reuses old audio. Must not contain secrets.
  virtual nlohmann::json identity() const = 0;

  // One phrase. Thread-safe: a warm run calls it from several workers at once.
  // Throws EngineError.
  virtual Synthesized synthesize(const std::string& text) = 0;

  // Whether tts.rate_limit applies: quotas belong to services, not to local programs.
  virtual bool rate_limited() const { return true; }

  // How many requests may run at once (espeak's library is single-threaded: 1).
  virtual int max_concurrency() const { return 64; }

  // The estimated price of synthesising `text` once, in the currency of the config's prices.
  virtual double price(const std::string& text) const;

  // That the engine is there: a local library loads its voice, a program exists, a service
  // answers (asked without credentials, which costs nothing). Returns what was found; throws
  // EngineError. Used by `doctor`.
  virtual std::string check_service() = 0;

  // That the credentials work, without paying for a synthesis where the API allows. Throws
  // EngineError when they are refused.
  virtual Probe check_credentials(Paid paid);

protected:
  double m_price_per_request = 0;
  double m_price_per_million_chars = 0;
  friend std::unique_ptr<Engine> make_engine(const config::Config&, std::string_view);
};

// The engine named `name` (default: tts.engine) with the configuration's settings; throws
// sr::Error for an unknown name (with a did-you-mean) or a bad setting.
std::unique_ptr<Engine> make_engine(const config::Config& config, std::string_view name = {});

// The names the registry knows, for messages and completions.
std::span<const std::string_view> engine_names();

} // namespace sr::tts
