#include "onec/odata.h"

#include "util/log.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <random>
#include <thread>

namespace sr::onec {

namespace {

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

std::string_view strip_bom(std::string_view s) {
  return s.starts_with(k_bom) ? s.substr(k_bom.size()) : s;
}

// The first line of a body, shortened, for messages about pages that are not JSON.
std::string body_start(std::string_view body) {
  body = strip_bom(body);
  auto line = body.substr(0, std::min(body.find('\n'), std::size_t(120)));
  std::string out;
  for (unsigned char c : line)
    out.push_back(c < 0x20 ? ' ' : char(c));
  return out;
}

// 1C's own error: {"odata.error":{"code":"6","message":{"lang":"ru","value":"…"}}}.
bool odata_error(std::string_view body, std::string& code, std::string& message) {
  auto doc = nlohmann::json::parse(strip_bom(body), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("odata.error"))
    return false;
  auto& e = doc["odata.error"];
  if (e.contains("code") && e["code"].is_string())
    code = e["code"].get<std::string>();
  else if (e.contains("code") && e["code"].is_number())
    code = std::to_string(e["code"].get<long>());
  if (e.contains("message") && e["message"].is_object() && e["message"].contains("value") &&
      e["message"]["value"].is_string())
    message = e["message"]["value"].get<std::string>();
  return true;
}

bool retryable(long status) {
  return status == 502 || status == 503 || status == 504;
}

} // namespace

namespace {

Error not_json(const http::Response& response, std::string_view what) {
  return Error(fmt::format("{}: 1C answered HTTP {} with a body that is not JSON (Content-Type "
                           "'{}', starting '{}'): a web server or proxy page, or a cut-off "
                           "answer",
                           what, response.status, response.header("Content-Type"),
                           body_start(response.body)));
}

} // namespace

nlohmann::json parse_body(const http::Response& response, std::string_view what) {
  auto doc = nlohmann::json::parse(strip_bom(response.body), nullptr, false);
  if (doc.is_discarded())
    throw not_json(response, what);
  return doc;
}

std::string describe_error(const http::Response& response, std::string_view what,
                           std::string_view user) {
  std::string code, message;
  bool from_1c = odata_error(response.body, code, message);
  auto said = from_1c && !message.empty() ? fmt::format(": 1C says «{}»", message) : "";
  switch (response.status) {
  case 401:
  case 403:
    return fmt::format("{}: 1C refused user '{}' (HTTP {}){}; check onec.user and the password "
                       "(onec.password_env / onec.password_file), and that the user has the "
                       "role for OData access (УдаленныйДоступOData) and read rights",
                       what, user, response.status, said);
  case 404:
    if (!from_1c)
      return fmt::format("{}: the web server answered HTTP 404 with its own page (Content-Type "
                         "'{}', starting '{}'), not 1C's OData service: check onec.url (the "
                         "infobase's publication address followed by /odata/standard.odata/) "
                         "and that the infobase is published on that web server",
                         what, response.header("Content-Type"), body_start(response.body));
    if (code == "9")
      return fmt::format("{}: not found (HTTP 404, code 9){}", what, said);
    return fmt::format("{}: 1C has no such entity set (HTTP 404){}; check the name, and that the "
                       "object is in the standard OData interface composition (1C: "
                       "Администрирование → Синхронизация данных → «Настройки стандартного "
                       "интерфейса OData»)",
                       what, said);
  case 400:
    if (code == "6")
      return fmt::format("{}: 1C does not know a field of the query (HTTP 400, code 6){}; run "
                         "'smartroute sync --check' to compare the mapping with $metadata",
                         what, said);
    if (code == "14")
      return fmt::format("{}: 1C could not parse the query options (HTTP 400, code 14){}; check "
                         "the 'filter' and 'client_filter' settings",
                         what, said);
    break;
  default:
    break;
  }
  if (from_1c)
    return fmt::format("{}: 1C answered HTTP {} (code {}){}", what, response.status, code, said);
  return fmt::format("{}: 1C answered HTTP {} (Content-Type '{}', starting '{}'): a web server "
                     "or proxy page rather than 1C's OData service",
                     what, response.status, response.header("Content-Type"),
                     body_start(response.body));
}

OData::OData(http::Client& http, const config::OnecSection& settings, std::string password)
    : m_http(http), m_settings(settings), m_password(std::move(password)) {
  if (m_settings.url.empty())
    throw Error("onec.url is not set: sync needs the address of 1C's OData interface, e.g. "
                "\"http://1c.example.local/trade/odata/standard.odata/\"");
}

http::Response OData::get(const std::string& url, std::string_view what) {
  http::Request request;
  request.url = url;
  request.headers = {{"Accept", "application/json"}};
  request.timeout = std::chrono::seconds(m_settings.timeout.seconds);
  request.connect_timeout = std::chrono::seconds(m_settings.connect_timeout.seconds);
  request.verify_tls = m_settings.verify_tls;
  request.ca_file = m_settings.ca_file;
  request.basic_user = m_settings.user;
  request.basic_password = m_password;
  std::mt19937 jitter{std::random_device{}()};
  for (std::int64_t attempt = 0;; ++attempt) {
    auto started = std::chrono::steady_clock::now();
    std::string failure;
    try {
      ++m_stats.requests;
      auto response = m_http.send(request);
      m_stats.wait_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      m_stats.bytes += std::int64_t(response.body.size());
      if (response.status == 200)
        return response;
      if (!retryable(response.status) || attempt >= m_settings.retries)
        throw ODataError(describe_error(response, what, m_settings.user), response.status, [&] {
          std::string code, message;
          odata_error(response.body, code, message);
          return code;
        }());
      failure = fmt::format("HTTP {}", response.status);
    } catch (const http::NetworkError& e) {
      m_stats.wait_seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (attempt >= m_settings.retries)
        throw UnreachableError(
            fmt::format("{}: {} (after {} attempts; is 1C up, and onec.url right?)", what, e.what(),
                        attempt + 1));
      failure = e.what();
    }
    ++m_stats.retries;
    // 0.5 s, 1 s, 2 s… up to 8 s, with jitter so that many clients do not retry in step.
    double delay = std::min(8.0, 0.5 * double(1 << std::min<std::int64_t>(attempt, 4)));
    delay *= std::uniform_real_distribution<double>(0.75, 1.25)(jitter);
    util::info(fmt::format("{}: {}; retrying in {:.1f} s", what, failure, delay));
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
  }
}

std::string OData::metadata() {
  auto response = get(m_settings.url + "$metadata", "1C $metadata");
  return std::move(response.body);
}

std::string OData::page_url(std::string_view set, const Query& query,
                            std::string_view after) const {
  std::string filter = query.filter;
  if (!after.empty())
    filter = filter.empty() ? fmt::format("Ref_Key gt guid'{}'", after)
                            : fmt::format("({}) and Ref_Key gt guid'{}'", filter, after);
  auto url = fmt::format("{}{}?$format=json", m_settings.url, http::url_encode(set));
  if (!query.select.empty())
    url += "&$select=" + http::url_encode(query.select);
  if (!filter.empty())
    url += "&$filter=" + http::url_encode(filter);
  url += fmt::format("&$orderby=Ref_Key&$top={}", m_settings.page_size);
  if (m_settings.allowed_only)
    url += "&allowedOnly=true";
  return url;
}

void OData::scan(std::string_view set, const Query& query, const PageHandler& on_page) {
  std::string after;
  Page page;
  for (;;) {
    auto response = get(page_url(set, query, after), set);
    auto body = strip_bom(response.body);
    if (!page.read(body))
      throw not_json(response, set);
    if (!page.has_value())
      throw Error(fmt::format("{}: 1C's answer has no \"value\" array (starting '{}')", set,
                              body_start(body)));
    auto rows = page.rows();
    if (rows.empty())
      return;
    auto next = rows.back().text("Ref_Key");
    if (next.empty())
      throw Error(fmt::format("{}: rows have no Ref_Key; keyset paging needs it", set));
    if (next == after)
      throw Error(fmt::format("{}: 1C returned the same page twice (Ref_Key {}); its "
                              "'Ref_Key gt' filter is not working",
                              set, next));
    after = next;
    on_page(page);
    if (std::int64_t(rows.size()) < m_settings.page_size)
      return;
  }
}

std::int64_t OData::count(std::string_view set, std::string_view filter) {
  auto url = fmt::format("{}{}/$count", m_settings.url, http::url_encode(set));
  if (!filter.empty())
    url += "?$filter=" + http::url_encode(filter);
  try {
    auto response = get(url, set);
    auto text = strip_bom(response.body);
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    return ec == std::errc() ? n : -1;
  } catch (const Error&) {
    return -1;
  }
}

} // namespace sr::onec
