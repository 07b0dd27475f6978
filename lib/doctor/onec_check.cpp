// "onec" and "onec.mapping": 1C answers and accepts the user (one row of one catalog), and
// the configured mapping resolves against its $metadata — what `sync --check` reports.
#include "doctor/checks.h"
#include "http/client.h"
#include "onec/metadata.h"
#include "onec/odata.h"
#include "util/error.h"

#include <fmt/format.h>

namespace sr::doctor {

namespace {

// Thrown by the page handler: one row is all the check needs.
struct FirstPage {};

std::string where(const config::OnecSection& o) {
  return fmt::format("1C at {}", http::redact_url(o.url));
}

} // namespace

std::vector<Result> check_onec(const config::Config& config) {
  if (config.onec.url.empty())
    return {{"onec", Status::skip, "onec.url is not set: 1C is not used", ""},
            {"onec.mapping", Status::skip, "onec.url is not set", ""}};
  Result link{"onec", Status::ok, "", ""};
  Result mapping{"onec.mapping", Status::skip, "needs 1C to answer and accept the user (see onec)",
                 ""};
  std::string password;
  auto& ref = config.onec.password;
  if (!ref.env.empty() || !ref.file.empty()) {
    try {
      password = config::resolve_secret(ref, "onec.password");
    } catch (const Error& e) {
      link = {"onec", Status::fail, e.what(),
              ref.env.empty() ? "write the password into that file, or correct "
                                "onec.password_file"
                              : fmt::format("export {} in the environment smartroute runs in, "
                                            "or use onec.password_file",
                                            ref.env)};
      return {link, mapping};
    }
  }
  // One attempt per request: doctor reports, sync retries.
  auto settings = config.onec;
  settings.retries = 0;
  settings.page_size = 1;
  auto http = http::make_client();
  try {
    onec::OData odata(*http, settings, password);
    auto set = !settings.users.empty() ? settings.users : settings.clients;
    std::string found;
    if (!set.empty()) {
      try {
        odata.scan(set, onec::Query{"Ref_Key", ""}, [](const onec::Page&) { throw FirstPage{}; });
        found = fmt::format("; {} is empty", set);
      } catch (const FirstPage&) {
        auto n = odata.count(set, "");
        found = n >= 0 ? fmt::format("; {} rows in {}", n, set) : "";
      } catch (const onec::ODataError& e) {
        if (e.status() != 404) // a missing set is the mapping's problem: 1C did answer
          throw;
        found = fmt::format("; it has no set {} (see onec.mapping)", set);
      }
    }
    link.message =
        fmt::format("{} answers and accepts user '{}'{}", where(settings), settings.user, found);
    auto metadata = onec::parse_metadata(odata.metadata());
    std::vector<onec::Problem> problems;
    auto resolved = onec::resolve(config, metadata, problems);
    if (problems.empty()) {
      mapping = {"onec.mapping", Status::ok,
                 fmt::format("the mapping matches 1C's $metadata ({} document types)",
                             resolved.documents.size()),
                 ""};
    } else {
      auto first = fmt::format("{}: {}", problems.front().key, problems.front().message);
      mapping = {"onec.mapping", Status::fail,
                 problems.size() == 1
                     ? first
                     : fmt::format("{} problems, the first: {}", problems.size(), first),
                 "correct the [onec] and [[documents]] mapping; 'smartroute sync --check' lists "
                 "every problem"};
    }
  } catch (const onec::ODataError& e) {
    bool refused = e.status() == 401 || e.status() == 403;
    auto& target = link.message.empty() ? link : mapping;
    target = {target.name, Status::fail, e.what(),
              refused ? "check onec.user/password (onec.password_env or onec.password_file) "
                        "and the user's OData role"
                      : "check onec.url: 1C's web publication, ending in "
                        "/odata/standard.odata/"};
  } catch (const onec::UnreachableError& e) {
    link = {"onec", Status::fail, fmt::format("{} is unreachable: {}", where(settings), e.what()),
            "check onec.url, that 1C's web server is running, DNS and any firewall"};
  } catch (const Error& e) { // not JSON, not CSDL: a proxy page or the wrong address
    auto& target = link.message.empty() ? link : mapping;
    target = {target.name, Status::fail, e.what(),
              "check onec.url: 1C's web publication, ending in /odata/standard.odata/"};
  }
  return {link, mapping};
}

} // namespace sr::doctor
