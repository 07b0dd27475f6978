#include "ami/listen.h"

#include "util/error.h"

#include <fmt/format.h>

#include <cctype>

namespace sr::ami {

namespace {

std::string channel_for(std::string_view pattern, std::string_view extension) {
  std::string out;
  std::size_t from = 0;
  for (auto at = pattern.find("{ext}"); at != std::string_view::npos;
       at = pattern.find("{ext}", from)) {
    out += pattern.substr(from, at - from);
    out += extension;
    from = at + 5;
  }
  return out + std::string(pattern.substr(from));
}

// Playback's argument: the files joined by '&'; ',' would start its options.
std::string playback_data(const std::vector<std::string>& files) {
  std::string out;
  for (auto& f : files) {
    if (f.find_first_of(",&|\r\n") != std::string::npos)
      throw Error(fmt::format("cannot hand {} to Playback: its path holds ',', '&' or '|' "
                              "(put the audio cache elsewhere)",
                              f));
    out += (out.empty() ? "" : "&") + f;
  }
  return out;
}

// The caller's number as Asterisk shows it: nothing that would end the name or the number.
std::string clean_number(std::string_view number) {
  std::string out;
  for (char c : number)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '*' || c == '#')
      out += c;
  return out;
}

} // namespace

bool valid_extension(std::string_view extension) {
  if (extension.empty() || extension.size() > 64)
    return false;
  for (char c : extension)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '*' && c != '#' &&
        c != '_' && c != '.' && c != '-')
      return false;
  return true;
}

ListenResult listen(const config::AmiSection& ami, const ListenRequest& request) {
  if (!valid_extension(request.extension))
    throw UsageError(
        fmt::format("'{}' is not an extension (letters, digits, + * # _ . -)", request.extension));
  if (request.files.empty())
    throw Error("nothing to play");
  auto secret = config::resolve_secret(ami.secret, "ami.secret");
  auto data = playback_data(request.files);
  std::chrono::seconds timeout(ami.timeout.seconds);
  auto where = fmt::format("{}:{}", ami.host, ami.port);
  std::unique_ptr<Transport> transport;
  try {
    transport = connect_tcp(ami.host, int(ami.port), Clock::now() + timeout);
  } catch (const Error& e) {
    throw Error(fmt::format("ami: {} (is the manager enabled in manager.conf?)", e.what()));
  }
  Client client(std::move(transport), where, timeout);
  client.login(ami.user, secret);
  ListenResult out;
  out.version = client.version();
  out.channel = channel_for(ami.channel, request.extension);
  Originate o;
  o.channel = out.channel;
  o.application = "Playback";
  o.data = data;
  auto number = clean_number(request.caller_number);
  o.caller_id = number.empty() ? "\"smartroute preview\""
                               : fmt::format("\"smartroute preview\" <{}>", number);
  o.timeout = std::chrono::seconds(ami.originate_timeout.seconds);
  try {
    out.originate = originate(client, o, Clock::now() + o.timeout + timeout);
  } catch (...) {
    client.logoff();
    throw;
  }
  client.logoff();
  return out;
}

} // namespace sr::ami
