#include "config/config.h"
#include "util/error.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace {

// A configuration file in a temporary directory, removed at the end of the test.
struct TempConfig {
  std::filesystem::path path;
  explicit TempConfig(const std::string& text) {
    path = std::filesystem::temp_directory_path() /
           ("smartroute-test-" + std::to_string(::getpid()) + "-" +
            std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".toml");
    std::ofstream(path) << text;
  }
  ~TempConfig() { std::filesystem::remove(path); }
};

std::vector<sr::config::Diagnostic> check_text(const std::string& text, sr::config::Config& c) {
  TempConfig file(text);
  return sr::config::check(file.path, c, {"/tmp/state"});
}

} // namespace

TEST_CASE("config: built-in defaults need no file", "[config]") {
  sr::config::Config c;
  auto problems = sr::config::check({}, c, {"/tmp/state"});
  CHECK(problems.empty());
  CHECK(c.routing.menu_size == 3);
  CHECK(c.routing.dominance == Approx(0.8));
  CHECK(c.documents.size() == 3);
  CHECK(c.document("call")->validity.seconds == 90 * 86400);
  CHECK(c.database_path() == "/tmp/state/smartroute.db");
  CHECK(c.cache_path() == "/tmp/state/cache");
  CHECK(c.origins.at("store.state_dir") == sr::config::Origin::flag);
}

TEST_CASE("config: every problem is reported with line and column, sorted", "[config]") {
  sr::config::Config c;
  auto problems = check_text("[routing]\nmenu_sise = 3\ndominance = 2.5\n\n[[documents]]\ntype = "
                             "\"call\"\ndecay = \"exponental\"\n[rooting]\n",
                             c);
  REQUIRE(problems.size() == 4);
  CHECK(problems[0].pos.line == 2);
  CHECK(problems[0].message == "unknown key 'routing.menu_sise', did you mean 'menu_size'?");
  CHECK(problems[1].pos.line == 3);
  CHECK(problems[2].pos.line == 7);
  CHECK(problems[3].message == "unknown section 'rooting', did you mean 'routing'?");
}

TEST_CASE("config: types, durations and cross-field rules", "[config]") {
  sr::config::Config c;
  auto ok = check_text("[routing]\ndigit_timeout = \"7s\"\ntime_zone = \"Asia/Yekaterinburg\"\n"
                       "[[documents]]\ntype = \"deal\"\nweight = 5\nvalidity = \"30d\"\n"
                       "decay = \"exponential\"\nhalf_life = \"10d\"\n",
                       c);
  CHECK(ok.empty());
  CHECK(c.routing.digit_timeout.seconds == 7);
  REQUIRE(c.documents.size() == 1); // the file's documents replace the built-in ones
  CHECK(c.documents[0].weight == 5.0);
  CHECK(c.documents[0].decay_kind() == sr::config::Decay::exponential);

  auto bad = check_text("[routing]\nmenu_size = \"three\"\ntime_zone = \"Mars/Olympus\"\n"
                        "[[documents]]\ntype = \"call\"\ndecay = \"exponential\"\n"
                        "[[documents]]\ntype = \"call\"\n",
                        c);
  REQUIRE(bad.size() == 4);
  CHECK(bad[0].message == "routing.menu_size: expected an integer");
  CHECK(bad[1].message.find("unknown time zone 'Mars/Olympus'") != std::string::npos);
  CHECK(bad[2].message == "documents: type 'call' has exponential decay but no half_life");
  CHECK(bad[3].message == "documents: type 'call' is defined twice");
}

TEST_CASE("config: schedules and exceptions are parsed and checked", "[config]") {
  sr::config::Config c;
  auto ok =
      check_text("[[schedules]]\ngroup = \"sales\"\ndays = \"mon-fri\"\nhours = \"09:00-18:00\"\n"
                 "[[schedules]]\nemployee = \"e1\"\ndays = \"fri-mon\"\nhours = \"00:00-24:00\"\n"
                 "[[exceptions]]\nemployee = \"e1\"\nfrom = 2026-12-31\nuntil = \"2027-01-08\"\n",
                 c);
  CHECK(ok.empty());
  CHECK(c.schedules[0].day_mask == 0x1F);
  CHECK(c.schedules[0].start_minute == 540);
  CHECK(c.schedules[0].end_minute == 1080);
  CHECK(c.schedules[1].day_mask == 0x71); // fri, sat, sun, mon
  CHECK(c.exceptions[0].from == "2026-12-31");

  auto bad = check_text("[[schedules]]\ndays = \"weekdays\"\nhours = \"18:00-09:00\"\n"
                        "[[exceptions]]\ngroup = \"x\"\nemployee = \"y\"\nfrom = \"2027-01-08\"\n"
                        "until = \"2026-12-31\"\n",
                        c);
  CHECK(bad.size() == 5);
}

TEST_CASE("config: secrets are refused in the file and resolved from env or file", "[config]") {
  sr::config::Config c;
  auto bad = check_text("[onec]\npassword = \"hunter2\"\n[tts]\napi_key = \"k\"\n", c);
  REQUIRE(bad.size() == 2);
  CHECK(bad[0].message.find("password_env") != std::string::npos);
  CHECK(bad[0].message.find("hunter2") == std::string::npos);

  ::setenv("SMARTROUTE_TEST_SECRET", "s3cret", 1);
  CHECK(sr::config::resolve_secret({"SMARTROUTE_TEST_SECRET", ""}, "onec.password") == "s3cret");
  ::unsetenv("SMARTROUTE_TEST_SECRET");
  CHECK_THROWS_WITH(sr::config::resolve_secret({"SMARTROUTE_TEST_SECRET", ""}, "onec.password"),
                    Catch::Contains("SMARTROUTE_TEST_SECRET is not set"));
  TempConfig secret_file("from-file\n");
  CHECK(sr::config::resolve_secret({"", secret_file.path.string()}, "tts.api_key") == "from-file");
}

TEST_CASE("config: environment variables override the file", "[config]") {
  ::setenv("SMARTROUTE_ROUTING_MENU_SIZE", "5", 1);
  ::setenv("SMARTROUTE_AGI_ALLOW", "127.0.0.1, 10.0.0.5", 1);
  sr::config::Config c;
  auto problems = check_text("[routing]\nmenu_size = 2\n", c);
  ::unsetenv("SMARTROUTE_ROUTING_MENU_SIZE");
  ::unsetenv("SMARTROUTE_AGI_ALLOW");
  CHECK(problems.empty());
  CHECK(c.routing.menu_size == 5);
  CHECK(c.origins.at("routing.menu_size") == sr::config::Origin::env);
  CHECK(c.agi.allow == std::vector<std::string>{"127.0.0.1", "10.0.0.5"});
}

TEST_CASE("config: show lists every key with its origin and no secret", "[config]") {
  sr::config::Config c;
  check_text("[onec]\npassword_env = \"ONEC_PASSWORD\"\n", c);
  auto all = sr::config::settings(c);
  auto find = [&](std::string_view key) {
    return std::find_if(all.begin(), all.end(), [&](auto& s) { return s.key == key; });
  };
  REQUIRE(find("onec.password_env") != all.end());
  CHECK(find("onec.password_env")->value == "\"ONEC_PASSWORD\"");
  CHECK(find("onec.password_env")->origin == sr::config::Origin::file);
  CHECK(find("routing.menu_size")->origin == sr::config::Origin::built_in);
  CHECK(find("documents[2].half_life") != all.end());
}

TEST_CASE("config: the shipped example is valid", "[config]") {
  sr::config::Config c;
  auto problems = sr::config::check(SMARTROUTE_SOURCE_DIR "/examples/smartroute.toml", c, {});
  for (auto& p : problems)
    INFO(p.message);
  CHECK(problems.empty());
}

TEST_CASE("config: [ami] defaults, a channel without {ext}, and half a login", "[config]") {
  sr::config::Config c;
  REQUIRE(check_text("", c).empty());
  CHECK(c.ami.host == "127.0.0.1");
  CHECK(c.ami.port == 5038);
  CHECK(c.ami.channel == "PJSIP/{ext}");
  CHECK(c.ami.originate_timeout.seconds == 30);
  CHECK(c.ami.user.empty());

  sr::config::Config ok;
  CHECK(check_text("[ami]\nuser = \"smartroute\"\nsecret_env = \"AMI_SECRET\"\nchannel = "
                   "\"Local/{ext}@from-internal\"\noriginate_timeout = \"20s\"\n",
                   ok)
            .empty());
  CHECK(ok.ami.secret.env == "AMI_SECRET");
  CHECK(ok.ami.originate_timeout.seconds == 20);

  sr::config::Config bad;
  auto problems = check_text("[ami]\nuser = \"smartroute\"\nchannel = \"PJSIP/201\"\n"
                             "originate_timeout = \"1h\"\nsecret = \"hunter2\"\n",
                             bad);
  std::string all;
  for (auto& p : problems)
    all += p.message + "\n";
  CHECK_THAT(all, Catch::Contains("ami.channel: must be a channel with {ext}"));
  CHECK_THAT(all, Catch::Contains("ami.originate_timeout: must be between 1s and 300s"));
  CHECK_THAT(all, Catch::Contains("'ami.secret' would put a secret in the file"));
  CHECK_THAT(all, Catch::Contains("ami: 'user' is set but no secret"));
  CHECK_THAT(all, !Catch::Contains("hunter2"));
}
