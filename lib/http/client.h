#pragma once

// HTTP for the cloud services (TTS engines, 1C): one request in, one whole response out.
// The transport is behind `Client` so that tests can replace it.

#include "util/error.h"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sr::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{30000}; // the whole exchange
  std::chrono::milliseconds connect_timeout{10000};
  bool verify_tls = true;
  std::string ca_file; // "" = the system's certificate store
  std::string basic_user, basic_password;
};

struct Response {
  long status = 0;
  Headers headers; // of the final response, in the order received
  std::string body;
  // The first header of that name (case-insensitive), "" when absent.
  std::string header(std::string_view name) const;
};

// The exchange did not complete: connection refused, DNS, timeout, TLS. The message names
// the method and the URL without credentials or query.
class NetworkError : public Error {
public:
  using Error::Error;
};

// Sends requests; an HTTP error status is a Response, not an exception.
class Client {
public:
  virtual ~Client();
  // Thread-safe. Throws NetworkError.
  virtual Response send(const Request& request) = 0;
};

// The libcurl client; cheap to create, connections are reused per thread.
std::unique_ptr<Client> make_client();

// RFC 3986 percent-encoding: every byte except unreserved ASCII (A-Z a-z 0-9 - . _ ~).
std::string url_encode(std::string_view s);

// An application/x-www-form-urlencoded body: name=value pairs joined with '&'.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

// The URL for messages: without user:password@ and without the query string.
std::string redact_url(std::string_view url);

} // namespace sr::http
