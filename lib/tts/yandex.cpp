// Yandex SpeechKit: API v1 (form POST, raw LPCM reply) and API v3 REST (JSON POST, a stream of
// JSON lines carrying base64 PCM chunks), as the TTS reference (tts.md §1) describes them.
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

#include <mutex>

namespace sr::tts {

namespace {

constexpr std::string_view k_default_url = "https://tts.api.cloud.yandex.net";
constexpr std::string_view k_default_voice = "marina"; // the service's own default
constexpr std::size_t k_v1_max_chars = 5000;
constexpr std::size_t k_v3_max_chars = 250; // without unsafeMode, which bills per 250 anyway

enum class Api { v1, v3 };

// The voices of tts.md §1.6, kept as data: roles with the default first ("" = the voice has
// none, "*" = roles exist but are not listed, so any is passed on and none is the default).
struct Voice {
  std::string_view name;
  std::string_view lang;
  std::string_view roles;
  bool v1; // false: API v3 only
};

constexpr Voice k_voices[] = {
    {"alena", "ru-RU", "neutral good", true},
    {"filipp", "ru-RU", "", true},
    {"ermil", "ru-RU", "neutral good", true},
    {"jane", "ru-RU", "neutral good evil", true},
    {"omazh", "ru-RU", "neutral evil", true},
    {"zahar", "ru-RU", "neutral good", true},
    {"marina", "ru-RU", "neutral whisper friendly", true},
    {"madi_ru", "ru-RU", "", true},
    {"dasha", "ru-RU", "neutral good friendly", false},
    {"julia", "ru-RU", "neutral strict", false},
    {"lera", "ru-RU", "neutral friendly", false},
    {"masha", "ru-RU", "good strict friendly", false},
    {"alexander", "ru-RU", "neutral good", false},
    {"kirill", "ru-RU", "neutral strict good", false},
    {"anton", "ru-RU", "neutral good", false},
    {"saule_ru", "ru-RU", "*", false},
    {"zamira_ru", "ru-RU", "*", false},
    {"zhanar_ru", "ru-RU", "*", false},
    {"yulduz_ru", "ru-RU", "*", false},
    {"john", "en-US", "*", true}, // English: the request says lang=en-US
};

// Old names: the canonical one goes into requests and cache keys, so both share audio.
constexpr std::pair<std::string_view, std::string_view> k_aliases[] = {{"madirus", "madi_ru"}};

// Retired voices and what replaces them.
constexpr std::pair<std::string_view, std::string_view> k_retired[] = {
    {"oksana", "use voice 'alena' with role 'good'"},
    {"alyss", "choose another voice"},
};

std::string voice_list(Api api) {
  std::string out;
  for (auto& v : k_voices)
    if (v.v1 || api == Api::v3)
      out += fmt::format("{}{}", out.empty() ? "" : ", ", v.name);
  return out;
}

const Voice& find_voice(std::string_view name, Api api) {
  for (auto& [old_name, canonical] : k_aliases)
    if (name == old_name)
      name = canonical;
  for (auto& [old_name, advice] : k_retired)
    if (name == old_name)
      throw Error(
          fmt::format("yandex: voice '{}' was retired by Yandex; {} (tts.voice)", name, advice));
  for (auto& v : k_voices) {
    if (v.name != name)
      continue;
    if (!v.v1 && api == Api::v1)
      throw Error(fmt::format("yandex: voice '{}' works with API v3 only; set tts.api = \"v3\" "
                              "or choose one of: {}",
                              name, voice_list(Api::v1)));
    return v;
  }
  std::vector<std::string_view> names;
  for (auto& v : k_voices)
    if (v.v1 || api == Api::v3)
      names.push_back(v.name);
  auto hint = util::did_you_mean(name, names);
  throw Error(fmt::format("yandex: unknown voice '{}' in tts.voice{} (API {} voices: {})", name,
                          hint.empty() ? "" : fmt::format(", did you mean '{}'?", hint),
                          api == Api::v1 ? "v1" : "v3", voice_list(api)));
}

// The role to request: the configured one if the voice has it, else the voice's default.
std::string resolve_role(const Voice& voice, const std::string& role) {
  if (voice.roles == "*")
    return role;
  auto roles = util::split(voice.roles, ' ');
  if (voice.roles.empty()) {
    if (!role.empty())
      throw Error(fmt::format("yandex: voice '{}' has no roles; remove tts.role = \"{}\"",
                              voice.name, role));
    return {};
  }
  if (role.empty())
    return std::string(roles.front());
  for (auto r : roles)
    if (r == role)
      return role;
  throw Error(fmt::format("yandex: voice '{}' has no role '{}' (tts.role); its roles: {}",
                          voice.name, role, fmt::join(roles, ", ")));
}

// "1.0", "1.25", "0.8": the form Yandex's examples use.
std::string format_speed(double speed) {
  auto s = fmt::format("{:.2f}", speed);
  while (s.ends_with('0') && s[s.size() - 2] != '.')
    s.pop_back();
  return s;
}

// v1 offers three rates only: the smallest that does not lose what the cache keeps.
int v1_rate(std::int64_t wanted) {
  for (int rate : {8000, 16000, 48000})
    if (rate >= wanted)
      return rate;
  return 48000;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

class Yandex : public Engine {
public:
  explicit Yandex(const config::Config& config) {
    auto& tts = config.tts;
    m_api = tts.api == "v3" ? Api::v3 : Api::v1;
    m_iam = tts.auth == "iam";
    m_folder_id = m_iam ? tts.folder_id : std::string();
    m_url = tts.url.empty() ? std::string(k_default_url) : tts.url;
    while (m_url.ends_with('/'))
      m_url.pop_back();
    // The built-in voice is espeak's "ru"; Yandex then gets its own default.
    bool voice_set = config.origins.count("tts.voice") || tts.voice != "ru";
    const Voice& voice = find_voice(voice_set ? tts.voice : k_default_voice, m_api);
    m_voice = voice.name;
    m_lang = voice.lang;
    m_role = resolve_role(voice, tts.role);
    m_speed = format_speed(tts.speed);
    m_rate = m_api == Api::v1 ? v1_rate(tts.sample_rate) : static_cast<int>(tts.sample_rate);
    m_timeout = std::chrono::seconds(tts.timeout.seconds);
    m_key = tts.api_key;
    m_http = http::make_client();
  }

  nlohmann::json identity() const override {
    nlohmann::json id = {{"engine", "yandex"}, {"api", m_api == Api::v1 ? "v1" : "v3"},
                         {"voice", m_voice},   {"role", m_role},
                         {"speed", m_speed},   {"rate", m_rate}};
    if (m_api == Api::v3)
      id["loudness"] = "LUFS";
    if (m_lang != "ru-RU")
      id["lang"] = m_lang;
    return id;
  }

  Synthesized synthesize(const std::string& text) override {
    if (util::trim(text).empty())
      throw EngineError(Failure::permanent, "yandex: empty text");
    std::size_t limit = m_api == Api::v1 ? k_v1_max_chars : k_v3_max_chars;
    if (auto n = utf8_length(text); n > limit)
      throw EngineError(Failure::permanent,
                        fmt::format("yandex: text of {} characters is longer than API {} takes "
                                    "in one request ({})",
                                    n, m_api == Api::v1 ? "v1" : "v3", limit));
    return m_api == Api::v1 ? synthesize_v1(text) : synthesize_v3(text);
  }

  int max_concurrency() const override { return 64; }

  // A request without credentials: the gateway answers 401 before anything is billed, which
  // proves the address, TLS and the network path.
  std::string check_service() override {
    http::Request request;
    request.method = "POST";
    request.url = m_url + "/speech/v1/tts:synthesize";
    request.timeout = m_timeout;
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    auto response = send(request);
    if (response.status == 404 || response.status >= 500)
      fail(response, "service");
    return fmt::format("{} answers (HTTP {} without a key)", http::redact_url(m_url),
                       response.status);
  }

  // No SpeechKit call is free and there is no "whoami". The cheapest authenticated call is a
  // v1 request with an empty text: authentication is checked before the parameters, so a
  // bad key answers 401/403 and a good one 400 ("text is empty"). It may be billed as an
  // empty request, 1 character (v1 pricing, tts.md §1.7), so it is made only when allowed;
  // the key and role are the same for both APIs.
  Probe check_credentials(Paid paid) override {
    secret(); // the variable or file exists: free to check
    auto where = m_key.env.empty() ? "file " + m_key.file : "$" + m_key.env;
    if (paid == Paid::no)
      return {Probe::Outcome::not_verified,
              fmt::format("tts.api_key is set ({}), but not verified: SpeechKit has no free "
                          "authenticated request",
                          where)};
    auto response = post_form({{"text", ""},
                               {"lang", m_lang},
                               {"format", "lpcm"},
                               {"sampleRateHertz", std::to_string(v1_rate(m_rate))}});
    if (response.status != 400 && response.status != 200)
      fail(response, "check");
    return {Probe::Outcome::verified,
            fmt::format("tts.api_key ({}) accepted by one empty request (billed as 1 "
                        "character at most)",
                        where)};
  }

private:
  Synthesized synthesize_v1(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> fields = {
        {"text", text}, {"lang", m_lang}, {"voice", m_voice}};
    if (!m_role.empty())
      fields.emplace_back("emotion", m_role);
    fields.emplace_back("speed", m_speed);
    fields.emplace_back("format", "lpcm");
    fields.emplace_back("sampleRateHertz", std::to_string(m_rate));
    auto response = post_form(std::move(fields));
    if (response.status != 200)
      fail(response, "v1");
    Synthesized out;
    out.encoding = Synthesized::Encoding::pcm_s16le;
    out.sample_rate = m_rate;
    out.request_id = response.header("x-request-id");
    out.bytes = std::move(response.body);
    validate_pcm(out.bytes);
    return out;
  }

  Synthesized synthesize_v3(const std::string& text) {
    nlohmann::json hints = nlohmann::json::array({{{"voice", m_voice}}});
    if (!m_role.empty())
      hints.push_back({{"role", m_role}});
    hints.push_back({{"speed", m_speed}});
    nlohmann::json body = {
        {"text", text},
        {"hints", hints},
        {"outputAudioSpec",
         {{"rawAudio",
           {{"audioEncoding", "LINEAR16_PCM"}, {"sampleRateHertz", std::to_string(m_rate)}}}}},
        {"loudnessNormalizationType", "LUFS"}};
    http::Request request = base_request("/tts/v3/utteranceSynthesis");
    request.headers.emplace_back("Content-Type", "application/json");
    if (!m_folder_id.empty())
      request.headers.emplace_back("x-folder-id", m_folder_id);
    request.body = body.dump();
    auto response = send(request);
    if (response.status != 200)
      fail(response, "v3");
    Synthesized out;
    out.encoding = Synthesized::Encoding::pcm_s16le;
    out.sample_rate = m_rate;
    out.request_id = response.header("x-request-id");
    out.bytes = read_stream(response.body);
    validate_pcm(out.bytes);
    return out;
  }

  // The concatenated audio of a v3 reply: one JSON object per line.
  std::string read_stream(std::string_view body) const {
    std::string audio;
    std::size_t line_no = 0;
    for (auto line : util::split(body, '\n')) {
      ++line_no;
      if (util::trim(line).empty())
        continue;
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object())
        throw EngineError(Failure::permanent,
                          fmt::format("yandex: v3: line {} of the reply is not JSON", line_no));
      if (j.contains("error"))
        throw EngineError(Failure::permanent,
                          fmt::format("yandex: v3: the service stopped with an error: {}",
                                      scrub(service_message(line), m_secret)));
      auto* data = find_path(j, {"result", "audioChunk", "data"});
      if (!data || !data->is_string())
        continue; // text chunks and other progress without audio
      try {
        audio += util::base64_decode(data->get_ref<const std::string&>());
      } catch (const Error& e) {
        throw EngineError(Failure::permanent,
                          fmt::format("yandex: v3: line {} of the reply: {}", line_no, e.what()));
      }
    }
    return audio;
  }

  static const nlohmann::json* find_path(const nlohmann::json& j,
                                         std::initializer_list<const char*> path) {
    const nlohmann::json* at = &j;
    for (auto* key : path) {
      if (!at->is_object() || !at->contains(key))
        return nullptr;
      at = &(*at)[key];
    }
    return at;
  }

  static void validate_pcm(const std::string& bytes) {
    if (bytes.empty())
      throw EngineError(Failure::permanent, "yandex: the reply carried no audio");
    if (bytes.size() % 2)
      throw EngineError(
          Failure::permanent,
          fmt::format("yandex: the reply has an odd number of PCM bytes ({})", bytes.size()));
  }

  http::Response post_form(std::vector<std::pair<std::string, std::string>> fields) {
    if (!m_folder_id.empty())
      fields.emplace_back("folderId", m_folder_id);
    http::Request request = base_request("/speech/v1/tts:synthesize");
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    request.body = http::form_encode(fields);
    return send(request);
  }

  http::Request base_request(std::string_view path) {
    http::Request request;
    request.method = "POST";
    request.url = m_url + std::string(path);
    request.timeout = m_timeout;
    request.headers.emplace_back("Authorization",
                                 fmt::format("{} {}", m_iam ? "Bearer" : "Api-Key", secret()));
    return request;
  }

  http::Response send(const http::Request& request) {
    try {
      auto response = m_http->send(request);
      util::debug(fmt::format("yandex: {} {} x-request-id={}", response.status,
                              http::redact_url(request.url), response.header("x-request-id")));
      return response;
    } catch (const http::NetworkError& e) {
      throw EngineError(Failure::retry, fmt::format("yandex: {}", e.what()));
    }
  }

  // Throws the EngineError that a non-200 reply means (tts.md §1.4).
  [[noreturn]] void fail(const http::Response& r, std::string_view what) const {
    auto message = scrub(service_message(r.body), m_secret);
    auto text = fmt::format("yandex: {}: HTTP {}{}{}", what, r.status, message.empty() ? "" : ": ",
                            message);
    if (r.status == 401)
      throw EngineError(Failure::abort,
                        fmt::format("{} (check tts.api_key{})", text,
                                    m_iam ? ": an IAM token expires after 12 h at most"
                                          : ": the API key of a service account"));
    if (r.status == 403)
      throw EngineError(Failure::abort,
                        fmt::format("{} (check that the service account of tts.api_key has the "
                                    "role ai.speechkit-tts.user{})",
                                    text, m_iam ? " in tts.folder_id" : ""));
    if (r.status == 429)
      throw EngineError(Failure::retry, text + " (quota exceeded)", retry_after(r));
    if (r.status >= 500 && r.status != 501)
      throw EngineError(Failure::retry, text, retry_after(r));
    if (r.status == 408)
      throw EngineError(Failure::retry, text);
    if (r.status == 404)
      throw EngineError(Failure::permanent, text + " (check tts.url)");
    throw EngineError(Failure::permanent, text);
  }

  // The key, resolved on first use so that commands that only compute cache keys (warm
  // --dry-run) work without it.
  std::string secret() {
    std::lock_guard lock(m_mutex);
    if (m_secret.empty()) {
      try {
        m_secret = config::resolve_secret(m_key, "tts.api_key");
      } catch (const Error& e) {
        throw EngineError(Failure::abort, fmt::format("yandex: {}", e.what()));
      }
    }
    return m_secret;
  }

  Api m_api = Api::v1;
  bool m_iam = false;
  std::string m_folder_id;
  std::string m_url;
  std::string m_voice;
  std::string m_lang;
  std::string m_role;
  std::string m_speed;
  int m_rate = 0;
  std::chrono::milliseconds m_timeout{30000};
  config::SecretRef m_key;
  std::unique_ptr<http::Client> m_http;
  std::mutex m_mutex;
  std::string m_secret; // written once under m_mutex before any request uses it
};

} // namespace

std::unique_ptr<Engine> make_yandex(const config::Config& config) {
  return std::make_unique<Yandex>(config);
}

} // namespace sr::tts
