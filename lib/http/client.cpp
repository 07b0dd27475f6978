#include "http/client.h"

#include "util/strings.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <mutex>

namespace sr::http {

std::string Response::header(std::string_view name) const {
  auto want = util::ascii_lower(name);
  for (auto& [k, v] : headers)
    if (util::ascii_lower(k) == want)
      return v;
  return {};
}

Client::~Client() = default;

std::string url_encode(std::string_view s) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (auto& [name, value] : fields) {
    if (!out.empty())
      out += '&';
    out += url_encode(name);
    out += '=';
    out += url_encode(value);
  }
  return out;
}

std::string redact_url(std::string_view url) {
  auto cut = url.find_first_of("?#");
  if (cut != std::string_view::npos)
    url = url.substr(0, cut);
  auto scheme = url.find("://");
  auto authority = scheme == std::string_view::npos ? 0 : scheme + 3;
  auto path = url.find('/', authority);
  auto at = url.rfind('@', path == std::string_view::npos ? url.size() : path);
  if (at == std::string_view::npos || at < authority)
    return std::string(url);
  return fmt::format("{}{}", url.substr(0, authority), url.substr(at + 1));
}

namespace {

// libcurl's global state, set up once whichever thread gets here first; never torn down
// because worker threads may still hold handles at exit.
void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw NetworkError("http: cannot initialise libcurl");
  });
}

// One easy handle per thread, reset after every request: kept connections (and TLS
// sessions) are reused by the next request of the same thread.
struct Handle {
  CURL* curl = nullptr;
  Handle() : curl(curl_easy_init()) {}
  ~Handle() {
    if (curl)
      curl_easy_cleanup(curl);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
};

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  void add(const std::string& line) {
    auto* next = curl_slist_append(list, line.c_str());
    if (!next)
      throw std::bad_alloc();
    list = next;
  }
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<Headers*>(user);
  std::string_view line(data, size * count);
  // A new status line (after a 100 Continue or a redirect) starts a new header block.
  if (line.starts_with("HTTP/")) {
    headers->clear();
    return size * count;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos)
    headers->emplace_back(std::string(util::trim(line.substr(0, colon))),
                          std::string(util::trim(line.substr(colon + 1))));
  return size * count;
}

std::string describe(CURLcode code, const char* detail, const Request& r) {
  std::string reason;
  if (code == CURLE_OPERATION_TIMEDOUT)
    reason = fmt::format("no complete answer within {} s", r.timeout.count() / 1000.0);
  else if (detail && *detail)
    reason = std::string(util::trim(detail)); // names the host, port or certificate problem
  else
    reason = curl_easy_strerror(code);
  if (!reason.empty() && reason[0] >= 'A' && reason[0] <= 'Z')
    reason[0] = static_cast<char>(reason[0] - 'A' + 'a');
  return fmt::format("{} {}: {}", r.method, redact_url(r.url), reason);
}

class CurlClient : public Client {
public:
  CurlClient() { init_curl(); }

  Response send(const Request& r) override {
    thread_local Handle handle;
    if (!handle.curl)
      throw NetworkError(
          fmt::format("{} {}: cannot create a libcurl handle", r.method, redact_url(r.url)));
    CURL* c = handle.curl;

    Response response;
    char error[CURL_ERROR_SIZE] = {};
    HeaderList headers;
    for (auto& [name, value] : r.headers) {
      if (name.find_first_of("\r\n:") != std::string::npos ||
          value.find_first_of("\r\n") != std::string::npos)
        throw Error(fmt::format("{} {}: header {} contains a line break", r.method,
                                redact_url(r.url), name));
      headers.add(fmt::format("{}: {}", name, value));
    }
    // Python's and some gateways' HTTP/1.0 servers never answer "100 Continue": without
    // this curl would wait a second before sending a large body.
    headers.add("Expect:");

    curl_easy_setopt(c, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, r.verify_tls ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, r.verify_tls ? 2L : 0L);
    if (!r.ca_file.empty())
      curl_easy_setopt(c, CURLOPT_CAINFO, r.ca_file.c_str());
    if (!r.basic_user.empty()) {
      curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(c, CURLOPT_USERNAME, r.basic_user.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, r.basic_password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); // whatever this libcurl can decode
    curl_easy_setopt(c, CURLOPT_USERAGENT, "smartroute/" SMARTROUTE_VERSION);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.list);

    if (r.method == "GET") {
      curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else if (r.method == "HEAD") {
      curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else {
      if (r.method != "POST")
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r.method.c_str());
      if (r.method == "POST" || !r.body.empty()) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, r.body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
      }
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);

    CURLcode code = curl_easy_perform(c);
    if (code == CURLE_OK)
      curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
    std::string message = code == CURLE_OK ? std::string() : describe(code, error, r);
    // Nothing may point into this frame once it returns (the handle outlives the call);
    // a reset keeps the connection cache.
    curl_easy_reset(c);
    if (code != CURLE_OK)
      throw NetworkError(message);
    return response;
  }
};

} // namespace

std::unique_ptr<Client> make_client() {
  return std::make_unique<CurlClient>();
}

} // namespace sr::http
