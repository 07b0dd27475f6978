// Speech Technology Center (ЦРТ) cloud: a session from user + password + domain, then one
// JSON POST per phrase answering a base64 WAV at a rate nobody documents (tts.md §2).
#include "config/config.h"
#include "http/client.h"
#include "tts/cloud.h"
#include "tts/engine.h"
#include "tts/engines.h"
#include "util/base64.h"
#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <mutex>

namespace sr::tts {

namespace {

constexpr std::string_view k_default_url = "https://cp.speechpro.com";
constexpr std::string_view k_session_path = "/vksession/rest/session";
constexpr std::string_view k_synthesize_path = "/vktts/rest/v1/synthesize";
constexpr std::string_view k_voices_path = "/vktts/rest/v1/languages/Russian/voices";

class SpeechPro : public Engine {
public:
  explicit SpeechPro(const config::Config& config) {
    auto& tts = config.tts;
    m_url = tts.url.empty() ? std::string(k_default_url) : tts.url;
    while (m_url.ends_with('/'))
      m_url.pop_back();
    m_user = tts.user;
    m_domain_id = tts.domain_id;
    m_voice = tts.voice;
    m_key = tts.api_key;
    m_timeout = std::chrono::seconds(tts.timeout.seconds);
    // The names depend on the account (tts.md §2.3), so only obvious mistakes are caught
    // here; `check` compares the voice with the account's list.
    if (m_user.empty())
      throw Error("speechpro: tts.user is not set (the account's user name)");
    if (!config.origins.count("tts.voice") && m_voice == "ru")
      throw Error("speechpro: set tts.voice to one of the account's voices, e.g. Julia_8000n "
                  "(8 kHz telephone profile) or Julia_n");
    if (!tts.role.empty())
      throw Error(
          fmt::format("speechpro: the service has no roles; remove tts.role = \"{}\"", tts.role));
    if (tts.speed != 1.0)
      throw Error(fmt::format("speechpro: the service has no speed setting; remove "
                              "tts.speed = {}",
                              tts.speed));
    m_http = http::make_client();
  }

  ~SpeechPro() override {
    // Log out, best effort: a left-over session only expires later on the server.
    std::lock_guard lock(m_mutex);
    if (m_session.empty())
      return;
    try {
      auto request = make_request("DELETE", k_session_path, m_session);
      request.timeout = std::chrono::seconds(5);
      request.connect_timeout = std::chrono::seconds(3);
      m_http->send(request);
    } catch (const std::exception&) {
    }
  }

  nlohmann::json identity() const override { return {{"engine", "speechpro"}, {"voice", m_voice}}; }

  Synthesized synthesize(const std::string& text) override {
    if (util::trim(text).empty())
      throw EngineError(Failure::permanent, "speechpro: empty text");
    nlohmann::json body = {{"voice_name", m_voice},
                           {"text", {{"mime", "text/plain"}, {"value", text}}},
                           {"audio", "audio/wav"}};
    auto response = with_session("POST", k_synthesize_path, body.dump());
    if (response.status != 200)
      fail(response, "synthesize");
    auto j = nlohmann::json::parse(response.body, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      throw EngineError(Failure::permanent, "speechpro: synthesize: the reply is not JSON");
    if (!j.contains("data") || !j["data"].is_string() || j["data"].get_ref<std::string&>().empty())
      throw EngineError(Failure::permanent,
                        "speechpro: synthesize: no audio in the reply (quota exhausted?)");
    Synthesized out;
    out.encoding = Synthesized::Encoding::container;
    out.request_id = response.header("x-request-id");
    try {
      out.bytes = util::base64_decode(j["data"].get_ref<const std::string&>());
    } catch (const Error& e) {
      throw EngineError(Failure::permanent, fmt::format("speechpro: synthesize: {}", e.what()));
    }
    if (!out.bytes.starts_with("RIFF"))
      throw EngineError(Failure::permanent, "speechpro: synthesize: the audio is not a WAV file");
    return out;
  }

  // Free: a session request without credentials gets an error status from the service.
  std::string check_service() override {
    auto response = send(make_request("GET", k_session_path, {}));
    if (response.status == 404 || response.status >= 500)
      fail(response, "service");
    return fmt::format("{} answers (HTTP {} without a session)", http::redact_url(m_url),
                       response.status);
  }

  // Free: a login and the voice list; the configured voice must be on it.
  Probe check_credentials(Paid) override {
    auto response = with_session("GET", k_voices_path, {});
    if (response.status != 200)
      fail(response, "voices");
    auto j = nlohmann::json::parse(response.body, nullptr, false);
    if (j.is_discarded() || !j.is_array())
      throw EngineError(Failure::permanent, "speechpro: voices: the reply is not a JSON list");
    std::vector<std::string> names;
    for (auto& v : j)
      if (v.is_object() && v.contains("name") && v["name"].is_string())
        names.push_back(v["name"].get<std::string>());
    if (std::find(names.begin(), names.end(), m_voice) == names.end())
      throw EngineError(
          Failure::abort,
          fmt::format("speechpro: voice '{}' (tts.voice) is not offered to this "
                      "account; its Russian voices: {}",
                      m_voice, names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
    return {Probe::Outcome::verified,
            fmt::format("logged in as {} (domain {}); voice '{}' is offered", m_user, m_domain_id,
                        m_voice)};
  }

private:
  // One request with the shared session; a 401 (the session expired) logs in again once.
  http::Response with_session(std::string_view method, std::string_view path,
                              const std::string& body) {
    auto session = current_session();
    auto response = send(make_request(method, path, session, body));
    if (response.status != 401)
      return response;
    util::debug("speechpro: session rejected, logging in again");
    session = renew_session(session);
    return send(make_request(method, path, session, body));
  }

  http::Request make_request(std::string_view method, std::string_view path,
                             const std::string& session, const std::string& body = {}) const {
    http::Request request;
    request.method = std::string(method);
    request.url = m_url + std::string(path);
    request.timeout = m_timeout;
    request.headers = {{"Accept", "application/json"}};
    if (!session.empty())
      request.headers.emplace_back("X-Session-ID", session);
    if (!body.empty()) {
      request.headers.emplace_back("Content-Type", "application/json;charset=UTF-8");
      request.body = body;
    }
    return request;
  }

  std::string current_session() {
    std::lock_guard lock(m_mutex);
    if (m_session.empty())
      m_session = login();
    return m_session;
  }

  // Another worker may have renewed it already: only a session still equal to `stale` is
  // replaced, so N workers hitting an expiry cause one login.
  std::string renew_session(const std::string& stale) {
    std::lock_guard lock(m_mutex);
    if (m_session == stale)
      m_session = login();
    return m_session;
  }

  // Called with m_mutex held.
  std::string login() {
    if (m_password.empty()) {
      try {
        m_password = config::resolve_secret(m_key, "tts.api_key");
      } catch (const Error& e) {
        throw EngineError(Failure::abort, fmt::format("speechpro: {}", e.what()));
      }
    }
    nlohmann::json body = {
        {"username", m_user}, {"password", m_password}, {"domain_id", m_domain_id}};
    auto response = send(make_request("POST", k_session_path, {}, body.dump()));
    if (response.status != 200)
      fail(response, fmt::format("login as {}", m_user));
    auto j = nlohmann::json::parse(response.body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("session_id") ||
        !j["session_id"].is_string() || j["session_id"].get_ref<std::string&>().empty())
      throw EngineError(Failure::abort, "speechpro: login: the reply has no session_id");
    util::debug(fmt::format("speechpro: logged in as {}", m_user));
    return j["session_id"].get<std::string>();
  }

  http::Response send(const http::Request& request) {
    try {
      return m_http->send(request);
    } catch (const http::NetworkError& e) {
      throw EngineError(Failure::retry, fmt::format("speechpro: {}", e.what()));
    }
  }

  [[noreturn]] void fail(const http::Response& r, std::string_view what) const {
    auto message = scrub(service_message(r.body), m_password);
    auto text = fmt::format("speechpro: {}: HTTP {}{}{}", what, r.status,
                            message.empty() ? "" : ": ", message);
    if (r.status == 401 || r.status == 403)
      throw EngineError(Failure::abort,
                        text + " (check tts.user, tts.api_key (the password) and tts.domain_id)");
    if (r.status == 429)
      throw EngineError(Failure::retry, text, retry_after(r));
    if (r.status == 408 || (r.status >= 500 && r.status != 501))
      throw EngineError(Failure::retry, text, retry_after(r));
    if (r.status == 404)
      throw EngineError(Failure::permanent, text + " (check tts.url)");
    throw EngineError(Failure::permanent, text);
  }

  std::string m_url;
  std::string m_user;
  std::int64_t m_domain_id = 0;
  std::string m_voice;
  config::SecretRef m_key;
  std::chrono::milliseconds m_timeout{30000};
  std::unique_ptr<http::Client> m_http;
  std::mutex m_mutex; // guards m_session and m_password
  std::string m_session;
  std::string m_password;
};

} // namespace

std::unique_ptr<Engine> make_speechpro(const config::Config& config) {
  return std::make_unique<SpeechPro>(config);
}

} // namespace sr::tts
