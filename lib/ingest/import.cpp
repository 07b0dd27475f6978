#include "ingest/import.h"

#include "ingest/id_map.h"
#include "ingest/records.h"
#include "phone/phone.h"
#include "store/store.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strings.h"
#include "util/time.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <tuple>

namespace sr::ingest {

std::string RowError::text() const {
  return fmt::format("{}:{}: {}", file, line, message);
}

namespace {

constexpr Column k_employee_columns[] = {
    {"id", true},        {"name", true},         {"extension", false}, {"active", false},
    {"excluded", false}, {"spoken_name", false}, {"group", false}};
constexpr Column k_client_columns[] = {{"id", true}, {"name", true}, {"phones", false}};
constexpr Column k_interaction_columns[] = {
    {"type", true}, {"key", true}, {"at", true}, {"client", true}, {"employee", true}};

// A typical interaction row, to estimate a file's row count from its size.
constexpr std::uintmax_t k_bytes_per_row = 64;

bool valid_extension(std::string_view s) {
  return !s.empty() && s.size() <= 12 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

using Phone = std::tuple<std::string, std::string, std::string>; // e164, raw, extension

} // namespace

// Applies rows to the store; one instance per import run.
class Importer {
public:
  Importer(store::Database& db, const config::Config& config, const ImportRequest& request)
      : m_db(db), m_config(config), m_request(request),
        m_phones(
            phone::Options{config.phone.default_country, int(config.phone.internal_max_digits)}),
        m_zone(util::find_zone(config.routing.time_zone)) {}

  ImportReport run();

private:
  bool fail(const RecordReader& reader, const Record& r, std::string message, Tally& tally);
  // Counts the row; false (and reported) when malformed or a required field is empty.
  bool well_formed(const RecordReader& reader, const Record& r, Tally& tally);
  void employees(const std::filesystem::path& file);
  void clients(const std::filesystem::path& file);
  void interactions(const std::filesystem::path& file);
  void cdr(const std::filesystem::path& file);
  void load_doc_types();
  void load_extensions();
  void upsert_interaction(store::Source source, std::int64_t type, std::string_view key,
                          std::int64_t at, std::int64_t client, std::int64_t employee,
                          Tally& tally);
  bool parse_phones(std::string_view text, std::vector<Phone>& out, std::string& problem) const;

  store::Database& m_db;
  const config::Config& m_config;
  const ImportRequest& m_request;
  phone::Normalizer m_phones;
  const date::time_zone* m_zone;
  ImportReport m_report;
  IdMap m_employee_ids;
  IdMap m_client_ids;
  IdMap m_type_ids;
  IdMap m_extension_employee;
  std::optional<store::Statement> m_upsert;
};

bool Importer::fail(const RecordReader& reader, const Record& r, std::string message,
                    Tally& tally) {
  m_report.errors.push_back({reader.path().string(), r.line, std::move(message)});
  ++tally.skipped;
  return false;
}

bool Importer::well_formed(const RecordReader& reader, const Record& r, Tally& tally) {
  ++tally.read;
  if (!r.error.empty())
    return fail(reader, r, r.error, tally);
  for (std::size_t i = 0; i < r.values.size(); ++i)
    if (reader.columns()[i].required && r.values[i].empty())
      return fail(reader, r, fmt::format("field '{}' is empty", reader.columns()[i].name), tally);
  return true;
}

void Importer::employees(const std::filesystem::path& file) {
  RecordReader reader(file, k_employee_columns);
  auto insert = m_db.prepare("INSERT INTO employees(key, name, extension, active, excluded, "
                             "spoken_name, grp, source) VALUES(?, ?, ?, ?, ?, ?, ?, 0)");
  auto update =
      m_db.prepare("UPDATE employees SET name = ?2, extension = ?3, active = ?4, excluded = ?5, "
                   "spoken_name = ?6, grp = ?7 WHERE id = ?1 AND (name <> ?2 OR extension <> ?3 OR "
                   "active <> ?4 OR excluded <> ?5 OR spoken_name <> ?6 OR grp <> ?7)");
  Record r;
  auto& tally = m_report.employees;
  while (reader.next(r)) {
    if (!well_formed(reader, r, tally))
      continue;
    auto& v = r.values;
    if (!v[2].empty() && !valid_extension(v[2])) {
      fail(reader, r, fmt::format("field 'extension': '{}' is not a PBX extension (digits)", v[2]),
           tally);
      continue;
    }
    std::int64_t flags[2] = {1, 0};
    std::string problem;
    for (int i = 0; i < 2; ++i) {
      if (v[3 + i].empty())
        continue;
      bool ok = false;
      flags[i] = util::parse_bool(v[3 + i], ok);
      if (!ok)
        problem = fmt::format("field '{}': '{}' is not 1/0, true/false or yes/no",
                              k_employee_columns[3 + i].name, v[3 + i]);
    }
    if (!problem.empty()) {
      fail(reader, r, problem, tally);
      continue;
    }
    auto existing = m_employee_ids.find(v[0]);
    auto& st = existing ? update : insert;
    st.reset();
    const int base = 2; // ?1 is the key for an insert, the row id for an update
    if (existing)
      st.bind(1, *existing);
    else
      st.bind(1, v[0]);
    st.bind(base, v[1]).bind(base + 1, v[2]).bind(base + 2, flags[0]).bind(base + 3, flags[1]);
    st.bind(base + 4, v[5]).bind(base + 5, v[6]);
    st.step();
    if (!existing) {
      m_employee_ids.insert(v[0], m_db.last_insert_rowid());
      ++tally.inserted;
    } else if (m_db.changes() > 0) {
      ++tally.updated;
    } else {
      ++tally.unchanged;
    }
  }
}

bool Importer::parse_phones(std::string_view text, std::vector<Phone>& out,
                            std::string& problem) const {
  out.clear();
  for (auto part : util::split(text, ';')) {
    part = util::trim(part);
    if (part.empty())
      continue;
    auto n = m_phones.normalize(part);
    if (n.kind == phone::Kind::invalid) {
      problem = fmt::format("phone '{}': {}", part, n.reason);
      return false;
    }
    if (n.kind == phone::Kind::internal) {
      problem = fmt::format("phone '{}' is a short internal number, not a client's", part);
      return false;
    }
    out.emplace_back(n.value, std::string(part), n.extension);
  }
  std::sort(out.begin(), out.end());
  // The same number written twice for one client is one phone.
  out.erase(std::unique(out.begin(), out.end(),
                        [](auto& a, auto& b) { return std::get<0>(a) == std::get<0>(b); }),
            out.end());
  return true;
}

void Importer::clients(const std::filesystem::path& file) {
  RecordReader reader(file, k_client_columns);
  auto insert = m_db.prepare("INSERT INTO clients(key, name, source) VALUES(?, ?, 0)");
  auto rename = m_db.prepare("UPDATE clients SET name = ?2 WHERE id = ?1 AND name <> ?2");
  auto select_phones = m_db.prepare(
      "SELECT phone, raw, extension FROM client_phones WHERE client = ? ORDER BY phone");
  auto delete_phones = m_db.prepare("DELETE FROM client_phones WHERE client = ?");
  auto insert_phone =
      m_db.prepare("INSERT INTO client_phones(phone, client, raw, extension) VALUES(?, ?, ?, ?)");
  Record r;
  std::vector<Phone> phones, old;
  std::string problem;
  auto& tally = m_report.clients;
  while (reader.next(r)) {
    if (!well_formed(reader, r, tally))
      continue;
    auto& v = r.values;
    if (!parse_phones(v[2], phones, problem)) {
      fail(reader, r, problem, tally);
      continue;
    }
    auto existing = m_client_ids.find(v[0]);
    std::int64_t id;
    bool changed = false;
    if (!existing) {
      insert.reset();
      insert.bind(1, v[0]).bind(2, v[1]).step();
      id = m_db.last_insert_rowid();
      m_client_ids.insert(v[0], id);
      ++tally.inserted;
    } else {
      id = *existing;
      rename.reset();
      rename.bind(1, id).bind(2, v[1]).step();
      changed = m_db.changes() > 0;
      old.clear();
      select_phones.reset();
      select_phones.bind(1, id);
      while (select_phones.step())
        old.emplace_back(select_phones.column_text(0), select_phones.column_text(1),
                         select_phones.column_text(2));
      if (old == phones) {
        ++(changed ? tally.updated : tally.unchanged);
        continue;
      }
      changed = true;
      delete_phones.reset();
      delete_phones.bind(1, id).step();
      ++tally.updated;
    }
    for (auto& [e164, raw, extension] : phones) {
      insert_phone.reset();
      insert_phone.bind(1, e164).bind(2, id).bind(3, raw).bind(4, extension).step();
    }
  }
}

void Importer::load_doc_types() {
  auto insert = m_db.prepare("INSERT OR IGNORE INTO doc_types(name) VALUES(?)");
  for (auto& d : m_config.documents) {
    insert.reset();
    insert.bind(1, d.type).step();
  }
  auto select = m_db.prepare("SELECT name, id FROM doc_types");
  while (select.step())
    m_type_ids.insert(select.column_text(0), select.column_int(1));
}

static void count(store::Upserted what, Tally& tally) {
  ++(what == store::Upserted::inserted  ? tally.inserted
     : what == store::Upserted::updated ? tally.updated
                                        : tally.unchanged);
}

void Importer::upsert_interaction(store::Source source, std::int64_t type, std::string_view key,
                                  std::int64_t at, std::int64_t client, std::int64_t employee,
                                  Tally& tally) {
  static constexpr std::string_view sql =
      "INSERT INTO interactions(source, doc_type, doc_key, at, client, employee) "
      "VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(source, doc_type, doc_key) DO UPDATE SET "
      "at = excluded.at, client = excluded.client, employee = excluded.employee WHERE "
      "at <> excluded.at OR client <> excluded.client OR employee <> excluded.employee";
  if (!m_upsert)
    m_upsert.emplace(m_db, sql);
  auto& st = *m_upsert;
  st.reset();
  st.bind(1, std::int64_t(source)).bind(2, type).bind_view(3, key).bind(4, at).bind(5, client);
  st.bind(6, employee);
  count(store::step_upsert(m_db, st), tally);
}

void Importer::interactions(const std::filesystem::path& file) {
  RecordReader reader(file, k_interaction_columns);
  std::vector<std::string_view> types;
  for (auto& d : m_config.documents)
    types.push_back(d.type);
  Record r;
  auto& tally = m_report.interactions;
  while (reader.next(r)) {
    if (!well_formed(reader, r, tally))
      continue;
    auto& v = r.values;
    auto type = m_type_ids.find(v[0]);
    if (!type || !m_config.document(v[0])) {
      auto hint = util::did_you_mean(v[0], types);
      fail(reader, r,
           fmt::format("unknown document type '{}'{} (types come from [[documents]] in the "
                       "configuration)",
                       v[0], hint.empty() ? "" : fmt::format(", did you mean '{}'?", hint)),
           tally);
      continue;
    }
    auto at = util::parse_timestamp(v[2], m_zone);
    if (!at) {
      fail(reader, r,
           fmt::format("field 'at': '{}' is not a time like 2026-11-20T10:15:00+03:00", v[2]),
           tally);
      continue;
    }
    auto client = m_client_ids.find(v[3]);
    if (!client) {
      fail(reader, r, fmt::format("unknown client '{}' (import it with --clients)", v[3]), tally);
      continue;
    }
    auto employee = m_employee_ids.find(v[4]);
    if (!employee) {
      fail(reader, r, fmt::format("unknown employee '{}' (import it with --employees)", v[4]),
           tally);
      continue;
    }
    upsert_interaction(store::Source::file, *type, v[1], *at, *client, *employee, tally);
  }
}

void Importer::load_extensions() {
  // Active employees win when an extension was reused after a dismissal.
  auto st = m_db.prepare("SELECT extension, id FROM employees WHERE extension <> '' "
                         "ORDER BY active, id");
  while (st.step())
    m_extension_employee.insert(st.column_text(0), st.column_int(1));
}

namespace {

// The extension in a channel name: "PJSIP/201-0000001a", "SIP/201-…", "Local/201@from-internal-…".
std::string_view channel_extension(std::string_view channel) {
  auto slash = channel.find('/');
  if (slash == std::string_view::npos)
    return {};
  auto rest = channel.substr(slash + 1);
  return rest.substr(0, rest.find_first_of("-@;"));
}

enum CdrField {
  k_src = 1,
  k_dst = 2,
  k_channel = 5,
  k_dstchannel = 6,
  k_start = 9,
  k_answer = 10,
  k_billsec = 13,
  k_disposition = 14,
  k_uniqueid = 16,
  k_min_fields = 16,
};

} // namespace

void Importer::cdr(const std::filesystem::path& file) {
  auto call = m_type_ids.find("call");
  if (!call || !m_config.document("call"))
    throw Error(fmt::format("{}: a CDR import needs a [[documents]] entry with type = \"call\"",
                            file.string()));
  util::MappedFile text(file);
  util::CsvReader reader(text.view(), ',');
  auto by_phone = m_db.prepare("SELECT client FROM client_phones WHERE phone = ?");
  std::vector<std::string_view> f;
  std::vector<std::int64_t> clients;
  auto& tally = m_report.cdr;
  auto error = [&](std::string message) {
    m_report.errors.push_back({file.string(), reader.line(), std::move(message)});
    ++tally.skipped;
  };
  while (reader.next(f)) {
    ++tally.read;
    if (!reader.error().empty() || f.size() < k_min_fields) {
      error(reader.error().empty() ? fmt::format("expected at least {} cdr_csv fields, found {}",
                                                 int(k_min_fields), f.size())
                                   : reader.error());
      continue;
    }
    std::int64_t billsec = std::atoll(std::string(f[k_billsec]).c_str());
    if (f[k_disposition] != "ANSWERED" || billsec <= 0) {
      ++m_report.cdr_ignored;
      continue;
    }
    auto when = f[k_answer].empty() ? f[k_start] : f[k_answer];
    auto at = util::parse_timestamp(when, m_zone);
    if (!at) {
      error(fmt::format("'{}' is not a time like 2026-11-20 10:15:00", when));
      continue;
    }
    // Which side is the employee and which the client: incoming or outgoing.
    auto employee_of = [&](std::string_view number, std::string_view channel) {
      if (auto id = m_extension_employee.find(number))
        return id;
      return m_extension_employee.find(channel_extension(channel));
    };
    std::optional<std::int64_t> employee;
    std::string_view other;
    if ((employee = employee_of(f[k_dst], f[k_dstchannel])))
      other = f[k_src];
    else if ((employee = employee_of(f[k_src], f[k_channel])))
      other = f[k_dst];
    auto number = m_phones.normalize(other);
    if (!employee || number.kind != phone::Kind::e164) {
      ++m_report.cdr_ignored;
      continue;
    }
    clients.clear();
    by_phone.reset();
    by_phone.bind(1, number.value);
    while (by_phone.step())
      clients.push_back(by_phone.column_int(0));
    if (clients.empty()) {
      ++m_report.cdr_ignored;
      continue;
    }
    std::string key =
        f.size() > k_uniqueid && !f[k_uniqueid].empty()
            ? std::string(f[k_uniqueid])
            : fmt::format("{}|{}|{}|{}", f[k_start], f[k_channel], f[k_src], f[k_dst]);
    for (auto client : clients) {
      // A number shared by several clients is evidence for each of them.
      auto doc_key = clients.size() == 1 ? key : fmt::format("{}#{}", key, client);
      upsert_interaction(store::Source::cdr, *call, doc_key, *at, client, *employee, tally);
    }
  }
}

ImportReport Importer::run() {
  auto started = std::chrono::steady_clock::now();
  // The importer resolves every reference itself before writing, so SQLite's per-row
  // foreign-key lookups (three per interaction) would only repeat that work.
  m_db.exec("PRAGMA foreign_keys=OFF");
  store::Transaction tx(m_db);
  {
    auto st = m_db.prepare("SELECT key, id FROM employees");
    while (st.step())
      m_employee_ids.insert(st.column_text(0), st.column_int(1));
  }
  if (!m_request.clients.empty() || !m_request.interactions.empty()) {
    m_client_ids.reserve(std::size_t(m_db.scalar("SELECT count(*) FROM clients")) + 1024);
    auto st = m_db.prepare("SELECT key, id FROM clients");
    while (st.step())
      m_client_ids.insert(st.column_text(0), st.column_int(1));
  }
  load_doc_types();
  for (auto& f : m_request.employees)
    employees(f);
  for (auto& f : m_request.clients)
    clients(f);
  // Inserting many rows in random client order into the (client, at) index costs more than
  // sorting them once: when this run brings at least as many rows as the store holds, the
  // index is dropped and rebuilt inside the same transaction, and instead of a trigger per
  // row marking clients for `score`, the next `score` is made a full one.
  std::uintmax_t bytes = 0;
  for (auto& f : m_request.interactions)
    bytes += std::filesystem::file_size(f);
  bool rebuild =
      bytes / k_bytes_per_row >= 100'000 &&
      std::int64_t(bytes / k_bytes_per_row) >= m_db.scalar("SELECT count(*) FROM interactions");
  if (rebuild) {
    m_db.exec("DROP INDEX interactions_client");
    m_db.exec(store::k_drop_score_dirty_triggers);
  }
  for (auto& f : m_request.interactions)
    interactions(f);
  if (rebuild) {
    m_db.exec(store::k_interactions_client_index);
    m_db.exec(store::k_score_dirty_triggers);
    store::set_meta(m_db, "score_full_needed", "1");
  }
  if (!m_request.cdr.empty())
    load_extensions();
  for (auto& f : m_request.cdr)
    cdr(f);
  if (m_report.errors.empty() || m_request.on_invalid == OnInvalid::skip) {
    store::set_meta(m_db, "last_import", util::format_utc(util::now()));
    tx.commit();
    m_report.committed = true;
  }
  m_db.exec("PRAGMA foreign_keys=ON");
  m_report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return m_report;
}

ImportReport import_files(store::Database& db, const config::Config& config,
                          const ImportRequest& request) {
  return Importer(db, config, request).run();
}

} // namespace sr::ingest
