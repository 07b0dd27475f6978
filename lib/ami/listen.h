#pragma once

// The reference product's "Listen" button: Asterisk rings an extension (the administrator's
// phone) and, once it answers, plays a caller's menu there with Playback.

#include "ami/client.h"
#include "config/config.h"

#include <string>
#include <string_view>
#include <vector>

namespace sr::ami {

struct ListenRequest {
  std::string extension;          // put into ami.channel's {ext}
  std::vector<std::string> files; // absolute, without extension, in the order to play
  std::string caller_number;      // shown on the ringing phone after "smartroute preview"
};

struct ListenResult {
  std::string channel; // the channel rung, from the template
  std::string version; // the AMI protocol version of the banner
  OriginateResult originate;
};

// Whether `extension` is safe inside a channel name: letters, digits and + * # _ . -
bool valid_extension(std::string_view extension);

// Connects, logs in (the secret from ami.secret), originates Playback of the files, waits for
// the OriginateResponse (at most ami.originate_timeout + ami.timeout) and logs off. Throws
// sr::Error on a refused login ("AMI login failed…"), a refused action, or no reply in time.
ListenResult listen(const config::AmiSection& ami, const ListenRequest& request);

} // namespace sr::ami
