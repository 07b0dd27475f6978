#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace sr::config {

// A length of time, written "90d", "12h", "30m", "45s" or as seconds.
struct Duration {
  std::int64_t seconds = 0;
};

// Where a setting got its value; `config show` prints it beside the value.
enum class Origin { built_in, file, env, flag };

// A line and column in the configuration file (0 when the value did not come from it).
struct Position {
  int line = 0;
  int column = 0;
};

// A secret named by reference only: an environment variable or a file, never its value.
struct SecretRef {
  std::string env;
  std::string file;
};

struct StoreSection {
  std::string state_dir; // where the database and the audio cache live
  std::string database;  // "" = <state_dir>/smartroute.db
  std::string cache_dir; // "" = <state_dir>/cache
  std::string call_log;  // "" = <state_dir>/calls.db: serve-agi's call log, a file of its own
};

struct PhoneSection {
  std::string default_country = "RU";
  std::int64_t internal_max_digits = 5;
};

struct RoutingSection {
  std::string time_zone = "Europe/Moscow";
  std::int64_t menu_size = 3;
  double dominance = 0.8;
  bool direct = true;
  std::string default_number;
  std::string emergency_number;
  Duration digit_timeout{5};
  std::int64_t repeats = 2;
  std::int64_t max_invalid = 3;
  std::vector<std::string> new_client_pool; // employee ids offered to unknown callers
};

enum class Decay { step, linear, exponential };

// One type of interaction document and how much it says about responsibility.
struct DocumentType {
  std::string type;
  std::string title;
  double weight = 1.0;
  Duration validity{90 * 86400};
  std::string decay = "linear"; // step | linear | exponential
  Duration half_life{0};        // exponential decay only
  // Where `sync` reads this type from 1C (all empty: not synced). Names are 1C attributes as
  // in the configurator ("Контрагент"); sync resolves them against $metadata.
  std::string entity;                    // "Document_ЗаказКлиента"
  std::string date = "Date";             // the document's date attribute
  std::string client;                    // reference (or composite) to the client
  std::vector<std::string> client_types; // composite client: accepted sets ([] = any)
  std::string client_phone;              // text with a phone, used when `client` is empty
  std::string user;                      // reference to the responsible user
  std::string filter;                    // extra OData $filter, e.g. "Posted eq true"
  Position pos;
  Decay decay_kind() const;
};

// Per-employee corrections that win over imported data.
struct EmployeeOverride {
  std::string id;
  bool exclude = false;
  std::string spoken_name;
  std::string extension;
  Position pos;
};

// Weekly working hours of one employee or one group.
struct Schedule {
  std::string employee;
  std::string group;
  std::string days = "mon-fri"; // "mon-fri", "mon,wed,fri", "sat-sun"
  std::string hours = "09:00-18:00";
  unsigned day_mask = 0; // bit 0 = Monday … bit 6 = Sunday, derived from `days`
  int start_minute = 0;  // derived from `hours`
  int end_minute = 0;
  Position pos;
};

// A dated absence (holiday, vacation, sick leave) of one employee or one group.
struct Exception {
  std::string employee;
  std::string group;
  std::string from;  // first day, "2026-12-31"
  std::string until; // last day, inclusive
  std::string reason;
  Position pos;
};

// The phrases menus are made of. Empty keys take the language's defaults; placeholders:
// {name} (the employee's name, declined for Russian), {digit}.
struct TemplatesSection {
  std::string language = "ru"; // ru | en: which default phrase set fills empty keys
  std::string greeting;        // known clients, first thing they hear
  std::string greeting_new;    // unknown numbers and clients without history
  std::string menu_start;      // before the options ("" = nothing)
  std::string last_spoke; // "В прошлый раз вы разговаривали с {name}."
  std::string press;      // "Чтобы соединиться с {name}, нажмите {digit}."
  std::string menu_end;   // after the options
  std::string connecting; // direct mode: "Соединяю вас с {name}."
  std::string invalid;    // after a digit that is not offered
  std::string repeat;     // before the menu is repeated
  std::string transfer;   // before the call goes to the default number
};

struct TtsSection {
  std::string engine = "espeak"; // espeak | command | yandex | speechpro
  std::string voice = "ru";      // espeak: ru; yandex: alena, filipp…; speechpro: from its list
  std::string role;              // yandex emotion/role ("" = the voice's default)
  double speed = 1.0;
  std::string salt;             // change it to synthesise everything again
  std::string api = "v1";       // yandex: v1 | v3
  std::string auth = "api-key"; // yandex: api-key (Api-Key header) | iam (Bearer token)
  std::string folder_id;        // yandex with a user IAM token
  std::string url;              // "" = the service's official address (tests point it elsewhere)
  std::string user;             // speechpro user name
  std::int64_t domain_id = 0;   // speechpro domain
  SecretRef api_key;            // yandex API key or IAM token; speechpro password
  std::vector<std::string> command; // command engine: argv with {text} {voice} {out} {rate}
  std::int64_t sample_rate = 16000; // the master rate the cache keeps (.sln16)
  std::int64_t concurrency = 4;
  double rate_limit = 10.0; // requests per second at most
  std::int64_t retries = 5; // attempts after the first on 429/5xx/network errors
  Duration timeout{30};
  double price_per_million_chars = 0; // for warm --dry-run estimates
  double price_per_request = 0;
  double loudness = -20.0;       // target RMS level of every fragment, dBFS
  std::int64_t padding_ms = 150; // silence added after trimming, at the end of each fragment
};

struct OnecSection {
  std::string url;
  std::string user;
  SecretRef password;
  Duration connect_timeout{10};
  Duration timeout{60};
  bool verify_tls = true;
  std::string ca_file;
  std::int64_t page_size = 5000;
  std::string time_zone;     // zone of 1C's naive dates; "" = routing.time_zone
  bool allowed_only = false; // adds allowedOnly=true (row-level security)
  std::int64_t retries = 3;  // after network errors and 502/503/504
  // Employees: a catalog of users, their name, flags that make them not routable, and where
  // the PBX extension comes from ("contacts": the contact-information section's phone rows,
  // an attribute name, or "" for [[employees]] overrides only).
  std::string users = "Catalog_Пользователи";
  std::string user_name = "Description";
  std::vector<std::string> user_inactive{"DeletionMark", "Недействителен", "Служебный"};
  std::string user_extension = "contacts";
  // Clients: the catalog, its name, references that also identify a client (a document that
  // points at a Партнер resolves to the Контрагент whose Партнер it is), an extra $filter.
  std::string clients = "Catalog_Контрагенты";
  std::string client_name = "Description";
  std::vector<std::string> client_aliases;
  std::string client_filter;
  std::string contacts = "КонтактнаяИнформация"; // tabular section with the phones
  std::string phone_type = "Телефон";            // its `Тип` value for phone rows
};

struct AgiSection {
  std::string listen = "127.0.0.1";
  std::int64_t port = 4574;
  std::vector<std::string> allow{"127.0.0.1", "::1"};
  std::int64_t max_sessions = 1000;
};

// The Asterisk Manager Interface, for `preview --call`: the PBX rings an extension and plays
// a caller's menu (the reference product's "Listen" button).
struct AmiSection {
  std::string host = "127.0.0.1";
  std::int64_t port = 5038;
  std::string user;
  SecretRef secret;
  std::string channel = "PJSIP/{ext}"; // the channel to ring, {ext} = the extension given
  Duration originate_timeout{30};      // how long the extension may ring
  Duration timeout{10};                // connecting, and each reply of Asterisk
};

// The whole effective configuration: built-in defaults, then the file, then environment
// variables (SMARTROUTE_<SECTION>_<KEY>), then command-line flags.
struct Config {
  StoreSection store;
  PhoneSection phone;
  RoutingSection routing;
  std::vector<DocumentType> documents;
  std::vector<EmployeeOverride> employees;
  std::vector<Schedule> schedules;
  std::vector<Exception> exceptions;
  TemplatesSection templates;
  TtsSection tts;
  OnecSection onec;
  AgiSection agi;
  AmiSection ami;

  std::filesystem::path file;            // the file read, empty when none
  std::map<std::string, Origin> origins; // "routing.menu_size" -> where it came from

  std::filesystem::path database_path() const;
  // The zone 1C's naive dates are read in: onec.time_zone, else routing.time_zone.
  const std::string& onec_time_zone() const;
  std::filesystem::path cache_path() const;
  std::filesystem::path call_log_path() const;
  const DocumentType* document(std::string_view type) const;
};

// Values given on the command line; they win over everything else.
struct Overrides {
  std::string state_dir;
};

// One problem found in a configuration; `config check` prints them all.
struct Diagnostic {
  Position pos;
  std::string message;
};

// Which file to read: --config, then $SMARTROUTE_CONFIG, then /etc/smartroute/smartroute.toml,
// then ./smartroute.toml; empty when none exists (built-in defaults only).
std::filesystem::path locate(const std::string& flag_value);

// Loads and validates; throws sr::Error listing every problem as "file:line:col: message".
Config load(const std::filesystem::path& file, const Overrides& overrides = {});

// Loads and validates, returning every problem instead of throwing on the first.
std::vector<Diagnostic> check(const std::filesystem::path& file, Config& out,
                              const Overrides& overrides = {});

// "file:line:col: message", or "file: message" when the problem has no position.
std::string format_diagnostic(const std::filesystem::path& file, const Diagnostic& d);

// The secret's value from its environment variable or file; throws sr::Error naming the
// reference (never the value) when it is missing.
std::string resolve_secret(const SecretRef& ref, std::string_view what);

// Every effective setting, in schema order, for `config show`.
struct Setting {
  std::string key;
  std::string value; // secrets are never here: only the reference and whether it resolves
  Origin origin;
};
std::vector<Setting> settings(const Config& config);

// "built-in", "file", "env", "flag".
std::string_view origin_name(Origin origin);

} // namespace sr::config
