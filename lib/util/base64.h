#pragma once

// Base64 (RFC 4648) for audio that services send inside JSON.

#include <string>
#include <string_view>

namespace sr::util {

// The standard alphabet with padding.
std::string base64_encode(std::string_view bytes);

// Decodes the standard or the URL-safe alphabet, with or without padding; line breaks and
// spaces are skipped (MIME-style wrapping). Throws sr::Error on any other character or on a
// truncated last group.
std::string base64_decode(std::string_view text);

} // namespace sr::util
