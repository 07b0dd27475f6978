#pragma once

// A read-only client of 1C:Enterprise's standard OData interface (v3): URLs with
// percent-encoded Cyrillic names, `$format=json`, keyset paging by Ref_Key, HTTP Basic auth in
// UTF-8, retries on network errors and 502/503/504 only, and 1C's errors turned into messages
// that name the fix.

#include "config/config.h"
#include "http/client.h"
#include "onec/page.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace sr::onec {

// 1C answered, but not with data: the message says what 1C said and what to check.
class ODataError : public Error {
public:
  ODataError(std::string message, long status, std::string code)
      : Error(std::move(message)), m_status(status), m_code(std::move(code)) {}
  long status() const { return m_status; }
  const std::string& code() const { return m_code; } // 1C's odata.error code ("6", "14"…)

private:
  long m_status;
  std::string m_code;
};

// 1C could not be reached at all (refused, DNS, timeout, TLS), after the retries.
class UnreachableError : public Error {
public:
  using Error::Error;
};

// What a run cost, for the summary and the benchmark.
struct TransferStats {
  std::int64_t requests = 0;
  std::int64_t retries = 0;
  std::int64_t bytes = 0;
  double wait_seconds = 0; // time spent waiting for 1C (request sent → body received)
};

// One page request: everything but paging, which `scan` adds.
struct Query {
  std::string select; // "Ref_Key,DataVersion,Description"
  std::string filter; // OData $filter without the keyset condition ("" = none)
};

class OData {
public:
  // `password` is the resolved secret; it goes only into the Authorization header.
  OData(http::Client& http, const config::OnecSection& settings, std::string password);

  // The CSDL document (`$metadata`), XML.
  std::string metadata();

  // Every row of `set` matching the query, in 1C's Ref_Key order, page by page: each page is
  // the `value` array of one response, valid until the handler returns (the next page reuses
  // its memory). Keyset paging (`Ref_Key gt guid'<last>'`) with the cursor taken from the last
  // row 1C returned; never `$inlinecount`.
  using PageHandler = std::function<void(const Page& page)>;
  void scan(std::string_view set, const Query& query, const PageHandler& on_page);

  // `<set>/$count` for the filter, or -1 when 1C cannot say (progress display only).
  std::int64_t count(std::string_view set, std::string_view filter);

  // The URL of a page request, for tests and --verbose ("" filter parts left out).
  std::string page_url(std::string_view set, const Query& query, std::string_view after) const;

  const TransferStats& stats() const { return m_stats; }

private:
  http::Response get(const std::string& url, std::string_view what);

  http::Client& m_http;
  const config::OnecSection& m_settings;
  std::string m_password;
  TransferStats m_stats;
};

// Parses a JSON body from 1C: strips a UTF-8 BOM; a body that is not JSON is an error naming
// `what` and the body's start.
nlohmann::json parse_body(const http::Response& response, std::string_view what);

// The sync-facing message for an HTTP error status from 1C (401, 404, 400 code 6/14, 500…).
std::string describe_error(const http::Response& response, std::string_view what,
                           std::string_view user);

} // namespace sr::onec
