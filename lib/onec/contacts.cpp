#include "onec/contacts.h"

#include "onec/page.h"
#include "util/strings.h"

#include <fmt/format.h>

#include <algorithm>

namespace sr::onec {

namespace {

// The BSP 3 JSON value: {"countryCode":"+7","areaCode":"495","number":"123-45-67",
// "extNumber":"204"}; "" when absent or not of that shape.
std::string structured(std::string_view value, std::string& extension) {
  if (value.empty() || value.front() != '{')
    return {};
  // The page reader, not a JSON tree: one per client phone, a tree cost more than the rest of
  // the client (measured: 3.7 us of about 20 in a first sync).
  thread_local Page doc;
  if (!doc.read_object(value) || doc.rows().size() != 1)
    return {};
  auto& row = doc.rows()[0];
  auto number = row.text("number");
  if (number.empty())
    return {};
  extension = std::string(row.text("extNumber"));
  return fmt::format("{} {} {}", row.text("countryCode"), row.text("areaCode"), number);
}

// Splits a presentation into the texts of separate numbers.
std::vector<std::string> split_numbers(std::string_view text, const phone::Normalizer& normalizer) {
  std::vector<std::string> out;
  for (auto part : util::split(text, ';')) {
    std::string current;
    for (auto piece : util::split(part, ',')) {
      auto t = util::trim(piece);
      if (!current.empty() && normalizer.normalize(t).kind == phone::Kind::e164) {
        out.push_back(current);
        current.clear();
      }
      current += current.empty() ? std::string(t) : ", " + std::string(t);
    }
    if (!util::trim(current).empty())
      out.push_back(current);
  }
  return out;
}

} // namespace

ContactPhones read_phones(std::span<const Row> rows, const Contacts& contacts,
                          std::string_view phone_type, const phone::Normalizer& normalizer) {
  ContactPhones out;
  auto add = [&](const phone::Number& n, std::string_view raw) {
    if (n.kind == phone::Kind::internal) {
      if (out.extension.empty())
        out.extension = n.value;
      return;
    }
    if (out.extension.empty() && !n.extension.empty())
      out.extension = n.extension;
    auto same = [&](const ContactPhone& m) { return m.number.value == n.value; };
    if (std::none_of(out.numbers.begin(), out.numbers.end(), same))
      out.numbers.push_back({n, std::string(util::trim(raw))});
  };
  for (auto& row : rows) {
    if (!phone_type.empty() && row.text("Тип") != phone_type)
      continue;
    std::string extension;
    auto value = contacts.has_value_json ? structured(row.text("Значение"), extension) : "";
    if (!value.empty()) {
      auto n = normalizer.normalize(value);
      if (n.kind != phone::Kind::invalid) {
        if (!extension.empty())
          n.extension = extension;
        add(n, row.text("Представление").empty() ? std::string_view(value)
                                                 : row.text("Представление"));
        continue;
      }
    }
    bool found = false;
    std::vector<std::string> bad;
    for (auto& text : split_numbers(row.text("Представление"), normalizer)) {
      auto n = normalizer.normalize(text);
      if (n.kind == phone::Kind::invalid)
        bad.push_back(text);
      else {
        add(n, text);
        found = true;
      }
    }
    if (!found && contacts.has_number) {
      auto number = row.text("НомерТелефона");
      auto n = normalizer.normalize(number);
      if (n.kind != phone::Kind::invalid) {
        add(n, number);
        found = true;
      }
    }
    out.invalid.insert(out.invalid.end(), bad.begin(), bad.end());
  }
  return out;
}

} // namespace sr::onec
