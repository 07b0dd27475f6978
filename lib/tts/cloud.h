#pragma once

// What the cloud engines (yandex, speechpro) share about reading their services' replies.

#include "http/client.h"

#include <optional>
#include <string>
#include <string_view>

namespace sr::tts {

// The human part of an error body: "error_message" (Yandex), "reason: message" (SpeechPro),
// "error.message" (gRPC gateways), else the first line of a short text body; "" if none.
std::string service_message(std::string_view body);

// `text` with every occurrence of `secret` replaced by "***", in case a service echoes it.
std::string scrub(std::string text, std::string_view secret);

// The Retry-After header in seconds, when it is a number.
std::optional<double> retry_after(const http::Response& response);

} // namespace sr::tts
