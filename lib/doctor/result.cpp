#include "doctor/result.h"

#include "util/term.h"

#include <fmt/format.h>

#include <algorithm>

namespace sr::doctor {

std::string_view status_name(Status status) {
  switch (status) {
  case Status::ok:
    return "ok";
  case Status::skip:
    return "skip";
  case Status::warn:
    return "warn";
  case Status::fail:
    return "fail";
  }
  return "fail";
}

Status worst(std::span<const Result> results) {
  Status w = Status::ok;
  for (auto& r : results)
    w = std::max(w, r.status);
  return w;
}

int exit_code(std::span<const Result> results) {
  switch (worst(results)) {
  case Status::fail:
    return 1;
  case Status::warn:
    return k_exit_warn;
  default:
    return 0;
  }
}

std::string summary(std::span<const Result> results) {
  auto n = [&](Status s) {
    return std::count_if(results.begin(), results.end(), [s](auto& r) { return r.status == s; });
  };
  std::vector<std::string> parts;
  if (auto f = n(Status::fail))
    parts.push_back(fmt::format("{} failed", f));
  if (auto w = n(Status::warn))
    parts.push_back(fmt::format("{} warning{}", w, w == 1 ? "" : "s"));
  parts.push_back(fmt::format("{} ok", n(Status::ok)));
  if (auto s = n(Status::skip))
    parts.push_back(fmt::format("{} skipped", s));
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string to_text(std::span<const Result> results, bool colour) {
  std::size_t width = 0;
  for (auto& r : results)
    width = std::max(width, util::display_width(r.name));
  std::string out;
  for (auto& r : results) {
    auto word = fmt::format("{:<4}", status_name(r.status));
    switch (r.status) {
    case Status::ok:
      word = util::coloured(word, util::Hue::green, colour);
      break;
    case Status::skip:
      word = util::dim(word, colour);
      break;
    case Status::warn:
      word = util::coloured(word, util::Hue::yellow, colour);
      break;
    case Status::fail:
      word = util::bold(util::coloured(word, util::Hue::red, colour), colour);
      break;
    }
    auto pad = std::string(width - util::display_width(r.name), ' ');
    out += fmt::format("{}  {}{}  {}", word, r.name, pad, r.message);
    if (!r.fix.empty())
      out += fmt::format("; fix: {}", r.fix);
    out += '\n';
  }
  return out;
}

nlohmann::json to_json(std::span<const Result> results) {
  nlohmann::json doc = {{"status", status_name(worst(results))}, {"exit", exit_code(results)}};
  doc["checks"] = nlohmann::json::array();
  for (auto& r : results)
    doc["checks"].push_back({{"name", r.name},
                             {"status", status_name(r.status)},
                             {"message", r.message},
                             {"fix", r.fix}});
  return doc;
}

} // namespace sr::doctor
