#include "tts/cloud.h"

#include "util/strings.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>

namespace sr::tts {

namespace {

constexpr std::size_t k_max_message = 300;

std::string string_at(const nlohmann::json& j, const char* key) {
  if (j.is_object() && j.contains(key) && j[key].is_string())
    return j[key].get<std::string>();
  return {};
}

// At most k_max_message bytes, cut at a UTF-8 character boundary.
std::string shorten(std::string_view s) {
  if (s.size() <= k_max_message)
    return std::string(s);
  auto n = k_max_message;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
    --n;
  return fmt::format("{}…", s.substr(0, n));
}

} // namespace

std::string service_message(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    if (auto m = string_at(j, "error_message"); !m.empty())
      return shorten(m);
    if (auto m = string_at(j, "message"); !m.empty()) {
      auto reason = string_at(j, "reason");
      return shorten(reason.empty() || reason == m ? m : fmt::format("{}: {}", reason, m));
    }
    if (j.contains("error")) {
      if (auto m = string_at(j["error"], "message"); !m.empty())
        return shorten(m);
      if (auto m = string_at(j, "error"); !m.empty())
        return shorten(m);
    }
    return {};
  }
  auto text = util::trim(body.substr(0, body.find('\n')));
  bool printable = !text.empty() && text.find('\0') == std::string_view::npos &&
                   !text.starts_with("<"); // not an HTML error page
  return printable ? shorten(text) : std::string();
}

std::string scrub(std::string text, std::string_view secret) {
  if (secret.size() < 4)
    return text;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
    text.replace(at, secret.size(), "***");
  return text;
}

std::optional<double> retry_after(const http::Response& response) {
  auto value = response.header("Retry-After");
  auto v = util::trim(value);
  double seconds = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  if (ec != std::errc() || end != v.data() + v.size() || seconds < 0 || v.empty())
    return std::nullopt; // absent, or an HTTP date: the caller's own backoff applies
  return seconds;
}

} // namespace sr::tts
