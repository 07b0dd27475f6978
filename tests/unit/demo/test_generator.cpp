#include "demo/calendar.h"
#include "demo/generator.h"
#include "demo/names.h"
#include "demo/phones.h"
#include "demo/random.h"
#include "util/csv.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/time.h"

#include <catch2/catch.hpp>
#include <phonenumbers/phonenumberutil.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using sr::demo::generate;
using sr::demo::Options;

namespace {

constexpr std::int64_t k_end = 1767270034; // 2026-01-01 15:20:34 Moscow time

// A fresh directory under the system temp dir, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path = fs::temp_directory_path() / ("smartroute-demo-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(stamp) + "-" + std::to_string(counter++));
    fs::create_directories(path);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

Options small(const fs::path& out, std::uint64_t seed = 7) {
  Options o;
  o.out = out;
  o.employees = 60;
  o.clients = 3000;
  o.interactions = 20000;
  o.cdr_calls = 3000;
  o.seed = seed;
  o.end = k_end;
  return o;
}

using Table = std::vector<std::vector<std::string>>;

// Every record of a CSV file; fails the test on a malformed one.
Table read_csv(const fs::path& path) {
  std::string text = sr::util::read_file(path);
  sr::util::CsvReader reader(text);
  std::vector<std::string_view> fields;
  Table rows;
  while (reader.next(fields)) {
    INFO(path.string() << ":" << reader.line());
    REQUIRE(reader.error().empty());
    rows.emplace_back(fields.begin(), fields.end());
  }
  REQUIRE(reader.error().empty());
  return rows;
}

// The records of a CSV file with a header, as maps from column name to value.
std::vector<std::map<std::string, std::string>> read_records(const fs::path& path) {
  Table rows = read_csv(path);
  REQUIRE(!rows.empty());
  std::vector<std::map<std::string, std::string>> out;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    INFO(path.string() << " row " << i);
    REQUIRE(rows[i].size() == rows[0].size());
    std::map<std::string, std::string> r;
    for (std::size_t c = 0; c < rows[0].size(); ++c)
      r[rows[0][c]] = rows[i][c];
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> split_phones(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= s.size() && !s.empty()) {
    auto next = s.find("; ", pos);
    out.push_back(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos)
      break;
    pos = next + 2;
  }
  return out;
}

// The E.164 form of a phone text when libphonenumber finds it valid, else "".
std::string e164(const std::string& text) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  auto* util = PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util->Parse(text, "RU", &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
      !util->IsValidNumber(number))
    return "";
  std::string out;
  util->Format(number, PhoneNumberUtil::E164, &out);
  return out;
}

const char* k_files[] = {"employees.csv", "clients.csv", "interactions.csv", "cdr/Master.csv"};

} // namespace

TEST_CASE("demo: the same options give byte-identical files", "[demo]") {
  TempDir a, b;
  generate(small(a.path));
  generate(small(b.path));
  for (const char* f : k_files) {
    INFO(f);
    CHECK(sr::util::read_file(a.path / f) == sr::util::read_file(b.path / f));
  }
}

TEST_CASE("demo: a different seed gives different files", "[demo]") {
  TempDir a, b;
  generate(small(a.path, 7));
  generate(small(b.path, 8));
  for (const char* f : k_files) {
    INFO(f);
    CHECK(sr::util::read_file(a.path / f) != sr::util::read_file(b.path / f));
  }
}

TEST_CASE("demo: the summary counts the rows and every row has the header's columns", "[demo]") {
  TempDir dir;
  auto summary = generate(small(dir.path));
  REQUIRE(summary.files.size() == 4);
  for (std::size_t i = 0; i < 4; ++i)
    CHECK(summary.files[i] == dir.path / k_files[i]);
  CHECK(read_records(dir.path / "employees.csv").size() == 60);
  auto clients = read_records(dir.path / "clients.csv");
  CHECK(static_cast<std::int64_t>(clients.size()) == summary.clients);
  std::int64_t phones = 0;
  for (const auto& c : clients)
    phones += static_cast<std::int64_t>(split_phones(c.at("phones")).size());
  CHECK(phones == summary.phones);
  CHECK(static_cast<std::int64_t>(read_records(dir.path / "interactions.csv").size()) ==
        summary.interactions);
  CHECK(static_cast<std::int64_t>(read_csv(dir.path / "cdr/Master.csv").size()) ==
        summary.cdr_rows);
  CHECK(summary.employees == 60);
  CHECK(summary.cdr_rows == 3000);
}

TEST_CASE("demo: cdr rows default to a tenth of the interactions", "[demo]") {
  TempDir dir;
  auto o = small(dir.path);
  o.cdr_calls = -1;
  auto summary = generate(o);
  CHECK(summary.cdr_rows == 2000);
  CHECK(read_csv(dir.path / "cdr/Master.csv").size() == 2000);
}

TEST_CASE("demo: zero interactions and calls give header-only and empty files", "[demo]") {
  TempDir dir;
  auto o = small(dir.path);
  o.interactions = 0;
  o.cdr_calls = 0;
  auto summary = generate(o);
  CHECK(summary.cdr_rows == 0);
  CHECK(sr::util::read_file(dir.path / "interactions.csv") == "type,key,at,client,employee\n");
  CHECK(sr::util::read_file(dir.path / "cdr/Master.csv").empty());
}

TEST_CASE("demo: files appear under their final names only, no temporary file is left", "[demo]") {
  TempDir dir;
  auto o = small(dir.path);
  o.out = dir.path / "new" / "demo"; // created if missing
  generate(o);
  std::set<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(o.out))
    names.insert(fs::relative(e.path(), o.out).generic_string());
  CHECK(names == std::set<std::string>{"cdr", "cdr/Master.csv", "clients.csv", "employees.csv",
                                       "interactions.csv"});
}

TEST_CASE("demo: employees are Russian people of both genders with the usual exceptions",
          "[demo]") {
  TempDir dir;
  auto o = small(dir.path);
  o.employees = 400;
  generate(o);
  auto employees = read_records(dir.path / "employees.csv");
  REQUIRE(employees.size() == 400);
  int men = 0, women = 0, dismissed = 0, excluded = 0, no_extension = 0, spoken = 0, sales = 0;
  std::set<std::string> ids, extensions;
  for (const auto& e : employees) {
    INFO(e.at("id") << " " << e.at("name"));
    ids.insert(e.at("id"));
    CHECK(e.at("id").size() == 5);
    const auto& name = e.at("name");
    if (e.at("excluded") == "1") {
      ++excluded;
      CHECK(e.at("group").empty());
    } else {
      CHECK(std::count(name.begin(), name.end(), ' ') == 2);
      if (name.ends_with("на"))
        ++women;
      else if (name.ends_with("ич"))
        ++men;
      CHECK((e.at("group") == "sales" || e.at("group") == "support" ||
             e.at("group") == "accounting"));
    }
    sales += e.at("group") == "sales";
    dismissed += e.at("active") == "0";
    spoken += !e.at("spoken_name").empty();
    if (e.at("extension").empty()) {
      ++no_extension;
    } else {
      CHECK(e.at("extension").size() == 3);
      extensions.insert(e.at("extension"));
    }
  }
  CHECK(ids.size() == 400);
  CHECK(extensions.size() == 400 - static_cast<std::size_t>(no_extension));
  CHECK(men + women + excluded == 400);
  CHECK(men > 120);
  CHECK(women > 120);
  CHECK(dismissed == 20);
  CHECK(excluded == 8);
  CHECK(no_extension == 12);
  CHECK(spoken == 8);
  CHECK(sales > 200);
}

TEST_CASE("demo: spoken names are the instrumental case of first and last name", "[demo]") {
  TempDir dir;
  auto o = small(dir.path);
  o.employees = 1000;
  generate(o);
  int seen = 0;
  for (const auto& e : read_records(dir.path / "employees.csv")) {
    const auto& spoken = e.at("spoken_name");
    if (spoken.empty())
      continue;
    ++seen;
    INFO(e.at("name") << " -> " << spoken);
    CHECK(std::count(spoken.begin(), spoken.end(), ' ') == 1);
    CHECK(spoken != e.at("name"));
  }
  CHECK(seen == 20);
}

TEST_CASE("demo: name tables decline surnames by gender", "[demo]") {
  const auto& all = sr::demo::surnames();
  auto find = [&](std::string_view male) {
    for (const auto& s : all)
      if (s.male == male)
        return s;
    FAIL("no surname " << male);
    return sr::demo::Surname{};
  };
  auto petrov = find("Петров");
  CHECK(petrov.female == "Петрова");
  CHECK(petrov.male_instrumental == "Петровым");
  CHECK(petrov.female_instrumental == "Петровой");
  auto vozn = find("Вознесенский");
  CHECK(vozn.female == "Вознесенская");
  CHECK(vozn.male_instrumental == "Вознесенским");
  CHECK(find("Донской").male_instrumental == "Донским");
  CHECK(find("Толстой").male_instrumental == "Толстым");
  CHECK(find("Шевченко").female_instrumental == "Шевченко");
  CHECK(find("Белых").male_instrumental == "Белых");
  CHECK(find("Ким").male_instrumental == "Кимом");
  CHECK(find("Ким").female_instrumental == "Ким");
  CHECK(find("Цой").male_instrumental == "Цоем");
  CHECK(all.size() >= 60);
  CHECK(sr::demo::male_names().size() >= 40);
  CHECK(sr::demo::female_names().size() >= 40);
  CHECK(sr::demo::first_letter("Ёлкин") == "Ё");
}

TEST_CASE("demo: more than 799 employees get four-digit extensions", "[demo]") {
  TempDir dir;
  auto o = small(dir.path);
  o.employees = 900;
  o.clients = 100;
  o.interactions = 500;
  generate(o);
  auto employees = read_records(dir.path / "employees.csv");
  CHECK(employees.front().at("extension") == "2001");
  for (const auto& e : employees)
    CHECK((e.at("extension").empty() || e.at("extension").size() == 4));
}

TEST_CASE("demo: client phones are valid, varied, sometimes several and sometimes shared",
          "[demo]") {
  TempDir dir;
  auto o = small(dir.path);
  o.clients = 20000;
  generate(o);
  auto clients = read_records(dir.path / "clients.csv");
  std::map<std::string, std::set<std::string>> owners; // E.164 -> client ids
  std::map<std::string, std::set<std::string>> texts;  // E.164 -> how it was written
  int several = 0, foreign = 0, mobile = 0, extension = 0, companies = 0, quoted = 0;
  std::set<char> first_chars;
  for (const auto& c : clients) {
    auto phones = split_phones(c.at("phones"));
    REQUIRE(!phones.empty());
    several += phones.size() > 1;
    companies += c.at("name").starts_with("ООО ");
    quoted += c.at("name").find('"') != std::string::npos;
    for (const auto& p : phones) {
      INFO(c.at("id") << ": " << p);
      std::string n = e164(p);
      REQUIRE(!n.empty());
      owners[n].insert(c.at("id"));
      texts[n].insert(p);
      first_chars.insert(p[0]);
      foreign += !n.starts_with("+7");
      mobile += n.starts_with("+79");
      extension += p.find("доб.") != std::string::npos || p.find("ext") != std::string::npos;
    }
  }
  std::size_t shared = 0, written_differently = 0;
  for (const auto& [number, ids] : owners) {
    if (ids.size() > 1) {
      ++shared;
      written_differently += texts[number].size() > 1;
    }
  }
  CHECK(several > 1400);
  CHECK(several < 2600);
  CHECK(shared > 100);
  CHECK(shared < 300);
  CHECK(written_differently == shared);
  CHECK(foreign > 20);
  CHECK(foreign < 500);
  CHECK(mobile > 6000);
  CHECK(extension > 400);
  CHECK(companies > 10000);
  CHECK(quoted > 1000);
  CHECK(first_chars == std::set<char>{'(', '+', '3', '4', '7', '8', '9'});
}

TEST_CASE("demo: interactions name existing clients and employees at sensible times", "[demo]") {
  TempDir dir;
  generate(small(dir.path));
  std::set<std::string> clients, employees, dismissed, excluded;
  for (const auto& c : read_records(dir.path / "clients.csv"))
    clients.insert(c.at("id"));
  for (const auto& e : read_records(dir.path / "employees.csv")) {
    employees.insert(e.at("id"));
    if (e.at("active") == "0")
      dismissed.insert(e.at("id"));
    if (e.at("excluded") == "1")
      excluded.insert(e.at("id"));
  }
  std::map<std::string, int> types;
  std::set<std::string> keys, clients_seen;
  int with_dismissed = 0, with_excluded = 0, last_90_days = 0;
  for (const auto& r : read_records(dir.path / "interactions.csv")) {
    INFO(r.at("type") << " " << r.at("key") << " " << r.at("at"));
    ++types[r.at("type")];
    CHECK(r.at("key").starts_with(r.at("type") + "-"));
    CHECK(keys.insert(r.at("type") + "/" + r.at("key")).second);
    CHECK(clients.count(r.at("client")) == 1);
    CHECK(employees.count(r.at("employee")) == 1);
    clients_seen.insert(r.at("client"));
    with_dismissed += dismissed.count(r.at("employee")) > 0;
    with_excluded += excluded.count(r.at("employee")) > 0;
    CHECK(r.at("at").ends_with("+03:00"));
    auto at = sr::util::parse_timestamp(r.at("at"), nullptr);
    REQUIRE(at.has_value());
    CHECK(*at <= k_end);
    CHECK(*at > k_end - 400 * 86400);
    last_90_days += *at > k_end - 90 * 86400;
  }
  CHECK(types.size() == 3);
  CHECK(types["call"] > 11000);
  CHECK(types["order"] > 4000);
  CHECK(types["invoice"] > 2000);
  CHECK(with_dismissed > 0);
  CHECK(with_excluded > 0);
  CHECK(last_90_days > 20000 * 90 / 400); // recent days are busier
  // The newest ~5% of clients have known phones but no history.
  CHECK(clients_seen.size() == 3000 - 150);
  CHECK(clients_seen.count("c003000") == 0);
}

TEST_CASE("demo: cdr rows look like Asterisk's cdr_csv Master.csv", "[demo]") {
  TempDir dir;
  generate(small(dir.path));
  std::set<std::string> numbers, extensions;
  for (const auto& c : read_records(dir.path / "clients.csv"))
    for (const auto& p : split_phones(c.at("phones")))
      numbers.insert(e164(p));
  std::set<std::string> dismissed; // took calls before they left
  for (const auto& e : read_records(dir.path / "employees.csv")) {
    if (!e.at("extension").empty() && e.at("excluded") == "0")
      extensions.insert(e.at("extension"));
    if (e.at("active") == "0")
      dismissed.insert(e.at("extension"));
  }
  std::string text = sr::util::read_file(dir.path / "cdr/Master.csv");
  CHECK(text.starts_with("\"\",\""));
  auto rows = read_csv(dir.path / "cdr/Master.csv");
  REQUIRE(rows.size() == 3000);
  std::map<std::string, int> dispositions;
  std::set<std::string> uniqueids;
  std::string previous_start;
  int incoming_from_clients = 0, internal = 0, outgoing = 0, with_dismissed = 0;
  for (const auto& r : rows) {
    INFO(r[1] << " -> " << r[2] << " " << r[9]);
    REQUIRE(r.size() == 18);
    ++dispositions[r[14]];
    CHECK(uniqueids.insert(r[16]).second);
    CHECK(r[16].find('.') != std::string::npos);
    CHECK(r[7] == "Dial");
    CHECK(r[15] == "DOCUMENTATION");
    CHECK(r[9].size() == 19);
    CHECK(r[9] >= previous_start);
    CHECK(r[11] <= "2026-01-01 15:20:34");
    previous_start = r[9];
    int duration = std::stoi(r[12]), billsec = std::stoi(r[13]);
    CHECK(billsec <= duration);
    if (r[14] == "ANSWERED") {
      CHECK(billsec > 0);
      CHECK(r[10].size() == 19);
    } else {
      CHECK(billsec == 0);
      CHECK(r[10].empty());
    }
    bool src_ext = extensions.count(r[1]) > 0, dst_ext = extensions.count(r[2]) > 0;
    with_dismissed += dismissed.count(r[1]) + dismissed.count(r[2]) > 0;
    CHECK((src_ext || dst_ext));
    if (src_ext && dst_ext) {
      ++internal;
      CHECK(r[5].starts_with("PJSIP/" + r[1] + "-"));
      CHECK(r[6].starts_with("PJSIP/" + r[2] + "-"));
    } else if (dst_ext) {
      incoming_from_clients += numbers.count(e164(r[1])) > 0;
      CHECK(r[5].starts_with("PJSIP/trunk-"));
      CHECK(r[6].starts_with("PJSIP/" + r[2] + "-"));
      CHECK(r[4] == "\"" + r[1] + "\" <" + r[1] + ">");
    } else {
      ++outgoing;
      CHECK(!e164(r[2]).empty());
      CHECK(r[5].starts_with("PJSIP/" + r[1] + "-"));
    }
  }
  CHECK(dispositions["ANSWERED"] > 1800);
  CHECK(dispositions["NO ANSWER"] > 300);
  CHECK(dispositions["BUSY"] > 100);
  CHECK(internal > 150);
  CHECK(outgoing > 700);
  CHECK(incoming_from_clients > 1300);
  CHECK(with_dismissed > 0);
}

TEST_CASE("demo: bad options are rejected with a clear error", "[demo]") {
  TempDir dir;
  auto o = small(dir.path);
  auto rejects = [](Options bad, const std::string& word) {
    INFO(word);
    CHECK_THROWS_AS(generate(bad), sr::Error);
    CHECK_THROWS_WITH(generate(bad), Catch::Contains(word));
  };
  auto bad = o;
  bad.employees = 0;
  rejects(bad, "employees");
  bad = o;
  bad.clients = -5;
  rejects(bad, "clients");
  bad = o;
  bad.interactions = -1;
  rejects(bad, "interactions");
  bad = o;
  bad.cdr_calls = -2;
  rejects(bad, "cdr");
  bad = o;
  bad.end = 0;
  rejects(bad, "end");
  bad = o;
  bad.out.clear();
  rejects(bad, "directory");
  CHECK(fs::is_empty(dir.path));
}

TEST_CASE("demo: an unwritable output directory is an sr::Error", "[demo]") {
  TempDir dir;
  auto o = small(dir.path);
  sr::util::write_file_atomic(dir.path / "file", "x");
  o.out = dir.path / "file" / "sub";
  CHECK_THROWS_AS(generate(o), sr::Error);
}

TEST_CASE("demo: the permutation is a bijection", "[demo]") {
  for (std::uint64_t n : {1u, 2u, 3u, 10u, 1000u, 4097u, 100000u}) {
    INFO("n = " << n);
    sr::demo::Permutation p(n, 42);
    std::vector<bool> seen(n);
    for (std::uint64_t x = 0; x < n; ++x) {
      auto y = p(x);
      REQUIRE(y < n);
      REQUIRE(!seen[y]);
      seen[y] = true;
    }
  }
  sr::demo::Permutation a(1000, 1), b(1000, 2);
  int moved = 0;
  for (std::uint64_t x = 0; x < 1000; ++x)
    moved += a(x) != b(x);
  CHECK(moved > 900);
}

TEST_CASE("demo: every number block in every writing style is a valid number", "[demo]") {
  sr::demo::NumberSpace space;
  sr::demo::Rng rng(1, 1);
  std::string nsn, text;
  std::set<std::string> countries;
  // A stride below the smallest block (10^5 numbers) visits every block.
  for (std::uint64_t x = 0; x < space.size(); x += 99'991) {
    const auto& b = space.at(x, nsn);
    REQUIRE(nsn.size() == static_cast<std::size_t>(b.nsn));
    std::string expected = "+" + std::string(b.cc) + nsn;
    countries.insert(std::string(b.cc));
    if (b.cc == "7" && b.line != sr::demo::Line::foreign)
      CHECK((nsn[0] == '3' || nsn[0] == '4' || nsn[0] == '8' || nsn[0] == '9'));
    for (int style = 0; style < sr::demo::style_count(b.line); ++style) {
      for (std::uint64_t ext : {99u, 300u, 0u}) { // none, " доб. 10", " ext 10"
        text.clear();
        sr::demo::put_typed(text, b, nsn, style, ext);
        INFO(text);
        CHECK(e164(text) == expected);
      }
    }
    for (int i = 0; i < 4; ++i) {
      text.clear();
      sr::demo::put_trunk_number(text, b, nsn, rng);
      INFO("trunk " << text);
      CHECK(e164(text) == expected);
      text.clear();
      sr::demo::put_dialled_number(text, b, nsn, rng);
      INFO("dialled " << text);
      CHECK(e164(text) == expected);
    }
  }
  CHECK(countries == std::set<std::string>{"1", "374", "375", "44", "49", "7", "998"});
}

TEST_CASE("demo: calendar times fall in working hours of the 400 days before end", "[demo]") {
  sr::demo::Calendar calendar(k_end);
  sr::demo::Rng rng(3, 3);
  int last_day = 0, sundays = 0;
  for (int i = 0; i < 100000; ++i) {
    auto t = calendar.sample(rng);
    REQUIRE(t <= k_end);
    REQUIRE(t > k_end - 400 * sr::demo::k_day);
    auto local = t + sr::demo::k_moscow;
    auto hour = local % sr::demo::k_day / 3600;
    CHECK(hour >= 7);
    CHECK(hour <= 21);
    last_day += t > k_end - sr::demo::k_day;
    sundays += (local / sr::demo::k_day + 4) % 7 == 0;
  }
  CHECK(last_day < 100000 / 400 * 3); // 1 January: a holiday
  CHECK(sundays < 100000 / 7 / 5);
  for (int d : {0, 200, 399}) {
    std::int64_t previous = 0;
    for (std::uint64_t m = 0; m < calendar.day_mass(d); m += 997) {
      auto t = calendar.at(d, m);
      CHECK(t >= previous);
      previous = t;
    }
  }
  std::string text;
  sr::demo::put_local(text, 1767270034 + sr::demo::k_moscow, 'T');
  CHECK(text == "2026-01-01T15:20:34");
  auto c = sr::demo::civil_from_days(19782); // 2024-02-29
  CHECK((c.year == 2024 && c.month == 2 && c.day == 29));
}
