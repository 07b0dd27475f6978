#include "onec/sync.h"

#include "onec/contacts.h"
#include "onec/refs.h"
#include "phone/phone.h"
#include "store/store.h"
#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <sys/resource.h>

namespace sr::onec {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view k_zero_guid = "00000000-0000-0000-0000-000000000000";
constexpr std::string_view k_type_prefix = "StandardODATA.";
// Up to this many interactions in the store, a first sync rebuilds the per-client index rather
// than updating it row by row: sorting them again costs less than the random inserts it saves.
constexpr std::int64_t k_bulk_store_rows = 100'000;

// A string property of a row ("" when absent, null or not a string), trimmed: 1C pads
// fixed-length strings with spaces.
std::string_view text(const Row& row, std::string_view key) {
  return util::trim(row.text(key));
}

bool flag(const Row& row, std::string_view key) {
  return row.flag(key);
}

// A reference: lower-case GUID, "" for the empty reference.
std::string guid(std::string_view s) {
  if (s.empty() || s == k_zero_guid)
    return {};
  return util::ascii_lower(s);
}

bool valid_extension(std::string_view s) {
  return !s.empty() && s.size() <= 12 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

EntityReport report(std::string what, std::string entity) {
  EntityReport r;
  r.what = std::move(what);
  r.entity = std::move(entity);
  return r;
}

void count(store::Upserted what, EntityReport& r) {
  ++(what == store::Upserted::inserted  ? r.added
     : what == store::Upserted::updated ? r.updated
                                        : r.unchanged);
}

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto tv = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return tv(u.ru_utime) + tv(u.ru_stime);
}

// "Ref_Key,DataVersion,…" without repeats.
class Select {
public:
  Select& add(const std::string& p) {
    if (!p.empty() && std::find(m_fields.begin(), m_fields.end(), p) == m_fields.end())
      m_fields.push_back(p);
    return *this;
  }
  Select& add(const Field& f) {
    if (f.kind == Field::Kind::absent)
      return *this;
    add(f.property);
    if (f.kind == Field::Kind::composite)
      add(f.property + "_Type");
    return *this;
  }
  std::string text() const {
    std::string out;
    for (auto& f : m_fields)
      out += (out.empty() ? "" : ",") + f;
    return out;
  }

private:
  std::vector<std::string> m_fields;
};

// A value per catalog reference, for one catalog at a time: a GUID (1C's references all are)
// in 16 bytes, anything else as text. Filled, then sorted once at the first lookup. A hash table
// of strings instead (a heap node and a heap string per row) left the heap so fragmented that
// the documents read after 30,000 clients cost 40 % more CPU in a nightly re-sync (measured).
template <class V> class RefMap {
public:
  void add(std::string_view ref, V value) {
    auto g = parse_guid(ref);
    if (g && format_guid(*g) == ref)
      m_guids.emplace_back(*g, std::move(value));
    else
      m_other.emplace_back(std::string(ref), std::move(value));
    m_sorted = false;
  }
  const V* find(std::string_view ref) {
    sort();
    auto g = parse_guid(ref);
    if (g && format_guid(*g) == ref)
      return search(m_guids, *g);
    return search(m_other, std::string(ref));
  }
  // f(ref, value) in the order of the text of refs (GUIDs first).
  template <class F> void each(F&& f) {
    sort();
    for (auto& [g, v] : m_guids)
      f(format_guid(g), v);
    for (auto& [text, v] : m_other)
      f(text, v);
  }
  void release() {
    decltype(m_guids)().swap(m_guids);
    decltype(m_other)().swap(m_other);
    m_sorted = true;
  }

private:
  void sort() {
    if (m_sorted)
      return;
    auto by_key = [](const auto& a, const auto& b) { return a.first < b.first; };
    std::stable_sort(m_guids.begin(), m_guids.end(), by_key);
    std::stable_sort(m_other.begin(), m_other.end(), by_key);
    m_sorted = true;
  }
  template <class K> static const V* search(const std::vector<std::pair<K, V>>& v, const K& key) {
    auto it = std::lower_bound(v.begin(), v.end(), key,
                               [](const auto& item, const K& k) { return item.first < k; });
    return it != v.end() && it->first == key ? &it->second : nullptr;
  }

  std::vector<std::pair<Guid, V>> m_guids;
  std::vector<std::pair<std::string, V>> m_other;
  bool m_sorted = true;
};

class Syncer {
public:
  Syncer(store::Database& db, const config::Config& config, OData& odata, const Mapping& mapping,
         const SyncOptions& options)
      : m_db(db), m_config(config), m_odata(odata), m_mapping(mapping), m_options(options),
        m_phones(
            phone::Options{config.phone.default_country, int(config.phone.internal_max_digits)}),
        m_now(options.now ? options.now : util::now()) {}

  SyncReport run();

private:
  void users();
  void clients();
  void documents(const DocumentMapping& d);

  // Scans a set, calling `row` for each row, with progress and timing into `report`.
  template <class F> void scan(EntityReport& report, const Query& query, F&& row);
  // A catalog's DataVersions as the last sync saw them, read once when the catalog starts; the
  // rows seen and the versions to remember are kept in memory until it ends.
  void begin_catalog(const std::string& entity);
  // Whether the row's DataVersion is what the last sync saw.
  bool unchanged(const std::string& ref, std::string_view version);
  void remember(const std::string& ref, std::string_view version);
  void see(std::string_view ref) { m_seen.add(ref, true); }
  bool seen(std::string_view ref) { return m_seen.find(ref) != nullptr; }
  // Writes the versions to remember (in key order) and forgets the rows not seen.
  void end_catalog(const std::string& entity);
  // Deletes clients with every row that references them.
  void delete_clients(const std::vector<std::int64_t>& ids);
  std::string fingerprint() const;
  void record(const EntityReport& r);

  // The clients, their aliases and the employees by 1C reference, read once before the
  // documents (after the catalogs changed them).
  void load_refs();
  std::optional<std::int64_t> client_by_ref(const Guid& ref) const;

  store::Database& m_db;
  const config::Config& m_config;
  OData& m_odata;
  const Mapping& m_mapping;
  const SyncOptions& m_options;
  phone::Normalizer m_phones;
  util::UnixTime m_now;
  bool m_ignore_versions = false;
  double m_entity_cpu = 0; // CPU time when the current entity started
  SyncReport m_report;
  RefMap<std::string> m_versions, m_remembered; // of the catalog being read
  RefMap<bool> m_seen;
  RefIndex m_client_refs, m_alias_refs, m_employee_refs;
  bool m_refs_loaded = false;
  // A first sync: the unique index of document keys is built at the end.
  bool m_doc_index_dropped = false;
};

template <class F> void Syncer::scan(EntityReport& report, const Query& query, F&& row) {
  auto started = Clock::now();
  std::int64_t total = -1;
  if (m_options.progress) {
    if (m_options.count_first)
      total = m_odata.count(report.entity, query.filter);
    m_options.progress(report.entity, 0, total, false);
  }
  m_odata.scan(report.entity, query, [&](const Page& page) {
    for (auto& r : page.rows()) {
      ++report.read;
      row(r);
    }
    if (m_options.progress)
      m_options.progress(report.entity, report.read, total, false);
  });
  if (m_options.progress)
    m_options.progress(report.entity, report.read, total, true);
  report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
}

void Syncer::begin_catalog(const std::string& entity) {
  m_versions.release();
  m_remembered.release();
  m_seen.release();
  auto st = m_db.prepare("SELECT ref, version FROM onec_refs WHERE entity = ?");
  st.bind(1, entity);
  while (st.step())
    m_versions.add(st.column_text(0), std::string(st.column_text(1)));
}

bool Syncer::unchanged(const std::string& ref, std::string_view version) {
  if (m_ignore_versions || version.empty())
    return false;
  auto* known = m_versions.find(ref);
  return known && *known == version;
}

void Syncer::remember(const std::string& ref, std::string_view version) {
  m_remembered.add(ref, std::string(version));
}

void Syncer::end_catalog(const std::string& entity) {
  // In key order: rows arrive in 1C's order of references, which is not the order of the text,
  // and inserting them as they came would cost a random B-tree descent each.
  auto put = m_db.prepare("INSERT INTO onec_refs(entity, ref, version) VALUES(?, ?, ?) ON "
                          "CONFLICT(entity, ref) DO UPDATE SET version = excluded.version");
  m_remembered.each([&](const std::string& ref, const std::string& version) {
    put.reset();
    put.bind(1, entity).bind(2, ref).bind(3, version).step();
  });
  auto forget = m_db.prepare("DELETE FROM onec_refs WHERE entity = ? AND ref = ?");
  m_versions.each([&](const std::string& ref, const std::string&) {
    if (!seen(ref)) {
      forget.reset();
      forget.bind(1, entity).bind(2, ref).step();
    }
  });
  m_versions.release();
  m_remembered.release();
  m_seen.release();
}

void Syncer::delete_clients(const std::vector<std::int64_t>& ids) {
  if (ids.empty())
    return;
  m_db.exec("CREATE TEMP TABLE IF NOT EXISTS sync_gone(id INTEGER PRIMARY KEY); "
            "DELETE FROM temp.sync_gone");
  auto add = m_db.prepare("INSERT INTO temp.sync_gone(id) VALUES(?)");
  for (auto id : ids) {
    add.reset();
    add.bind(1, id).step();
  }
  // The sync runs with foreign-key enforcement off (see run()), so the schema's ON DELETE
  // CASCADE is carried out here, for every table that references clients as the schema says
  // now; a reference that does not cascade stops the sync rather than leave rows pointing
  // nowhere. No table references those tables in turn.
  std::vector<std::pair<std::string, std::string>> children;
  auto refs = m_db.prepare(
      "SELECT m.name, f.\"from\", f.on_delete FROM sqlite_schema AS m, "
      "pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table' AND f.\"table\" = 'clients'");
  while (refs.step()) {
    if (refs.column_text(2) != "CASCADE")
      throw Error(fmt::format("store: {}.{} references clients without ON DELETE CASCADE; the "
                              "sync cannot delete clients",
                              refs.column_text(0), refs.column_text(1)));
    children.emplace_back(refs.column_text(0), refs.column_text(1));
  }
  for (auto& [table, column] : children)
    m_db.exec(fmt::format("DELETE FROM \"{}\" WHERE \"{}\" IN (SELECT id FROM temp.sync_gone)",
                          table, column));
  m_db.exec("DELETE FROM clients WHERE id IN (SELECT id FROM temp.sync_gone)");
}

std::string Syncer::fingerprint() const {
  std::string out;
  for (auto& line : describe(m_mapping))
    out += line + "\n";
  auto& o = m_config.onec;
  out += fmt::format("{}|{}|{}|{}", o.phone_type, o.user_extension, m_config.phone.default_country,
                     m_config.phone.internal_max_digits);
  return out;
}

void Syncer::record(const EntityReport& r) {
  auto st = m_db.prepare(
      "INSERT OR REPLACE INTO sync_state(entity, finished_at, rows, added, updated, deleted, "
      "seconds) VALUES(?, ?, ?, ?, ?, ?, ?)");
  st.bind(1, r.entity).bind(2, m_now).bind(3, r.read).bind(4, r.added).bind(5, r.updated);
  st.bind(6, r.deleted).bind(7, r.seconds).step();
  m_report.entities.push_back(r);
  m_report.entities.back().cpu_seconds = cpu_seconds() - m_entity_cpu;
}

void Syncer::users() {
  m_entity_cpu = cpu_seconds();
  auto& m = m_mapping.users;
  auto r = report("employees", m.set);
  Select select;
  select.add("Ref_Key").add("DataVersion").add("DeletionMark").add(m.name);
  for (auto& f : m.inactive)
    select.add(f);
  select.add(m.extension);
  if (m.extension_from_contacts)
    select.add(m.contacts.section);
  auto upsert = m_db.prepare(
      "INSERT INTO employees(key, name, extension, active, source) VALUES(?1, ?2, ?3, ?4, 2) "
      "ON CONFLICT(key) DO UPDATE SET name = excluded.name, extension = excluded.extension, "
      "active = excluded.active, source = 2 WHERE name <> excluded.name OR extension <> "
      "excluded.extension OR active <> excluded.active OR source <> 2");
  begin_catalog(m.set);
  scan(r, {select.text(), ""}, [&](const Row& row) {
    auto ref = guid(text(row, "Ref_Key"));
    if (ref.empty()) {
      ++r.skipped["no Ref_Key"];
      return;
    }
    see(ref);
    auto version = text(row, "DataVersion");
    if (unchanged(ref, version)) {
      ++r.unchanged;
      return;
    }
    auto name = text(row, m.name.property);
    bool inactive = flag(row, "DeletionMark");
    for (auto& f : m.inactive)
      inactive = inactive || flag(row, f.property);
    std::string extension;
    if (m.extension.kind != Field::Kind::absent) {
      extension = std::string(text(row, m.extension.property));
    } else if (m.extension_from_contacts) {
      extension = read_phones(row.section(m.contacts.section), m.contacts, m_config.onec.phone_type,
                              m_phones)
                      .extension;
    }
    if (!extension.empty() && !valid_extension(extension)) {
      util::warn(fmt::format("{} {} ({}): extension '{}' is not digits; ignored", m.set, ref, name,
                             extension));
      extension.clear();
    }
    upsert.reset();
    upsert.bind(1, ref).bind(2, name.empty() ? std::string_view(ref) : name);
    upsert.bind(3, extension).bind(4, std::int64_t(inactive ? 0 : 1));
    count(store::step_upsert(m_db, upsert), r);
    remember(ref, version);
  });
  // Employees 1C no longer has stay (interactions point at them) but are never offered.
  std::vector<std::int64_t> gone;
  {
    auto st = m_db.prepare("SELECT id, key FROM employees WHERE source = 2 AND active = 1");
    while (st.step())
      if (!seen(st.column_text(1)))
        gone.push_back(st.column_int(0));
  }
  auto deactivate = m_db.prepare("UPDATE employees SET active = 0 WHERE id = ?");
  for (auto id : gone) {
    deactivate.reset();
    deactivate.bind(1, id).step();
  }
  r.deleted = std::int64_t(gone.size());
  end_catalog(m.set);
  record(r);
}

void Syncer::clients() {
  m_entity_cpu = cpu_seconds();
  auto& m = m_mapping.clients;
  auto r = report("clients", m.set);
  Select select;
  select.add("Ref_Key").add("DataVersion").add("DeletionMark").add(m.name);
  for (auto& a : m.aliases)
    select.add(a);
  select.add(m.contacts.section);
  auto upsert = m_db.prepare(
      "INSERT INTO clients(key, name, source) VALUES(?1, ?2, 2) ON CONFLICT(key) DO UPDATE SET "
      "name = excluded.name, source = 2 WHERE name <> excluded.name OR source <> 2");
  auto id_of = m_db.prepare("SELECT id FROM clients WHERE key = ?");
  auto old_phones = m_db.prepare(
      "SELECT phone, raw, extension FROM client_phones WHERE client = ? ORDER BY phone");
  auto drop_phones = m_db.prepare("DELETE FROM client_phones WHERE client = ?");
  auto add_phone = m_db.prepare(
      "INSERT OR IGNORE INTO client_phones(phone, client, raw, extension) VALUES(?, ?, ?, ?)");
  auto drop_aliases = m_db.prepare("DELETE FROM onec_aliases WHERE client = ?");
  auto add_alias = m_db.prepare("INSERT OR IGNORE INTO onec_aliases(alias, client) VALUES(?, ?)");
  using Phone = std::tuple<std::string, std::string, std::string>;
  std::vector<Phone> phones, old;
  begin_catalog(m.set);
  scan(r, {select.text(), m_config.onec.client_filter}, [&](const Row& row) {
    auto ref = guid(text(row, "Ref_Key"));
    if (ref.empty()) {
      ++r.skipped["no Ref_Key"];
      return;
    }
    if (flag(row, "DeletionMark")) {
      ++r.skipped["deletion mark"]; // removed below if the store has it
      return;
    }
    see(ref);
    auto version = text(row, "DataVersion");
    if (unchanged(ref, version)) {
      ++r.unchanged;
      return;
    }
    auto name = text(row, m.name.property);
    phones.clear();
    if (!m.contacts.section.empty()) {
      auto found = read_phones(row.section(m.contacts.section), m.contacts,
                               m_config.onec.phone_type, m_phones);
      for (auto& p : found.numbers)
        phones.emplace_back(p.number.value, p.raw, p.number.extension);
      r.invalid_phones += std::int64_t(found.invalid.size());
      for (auto& bad : found.invalid)
        util::info(
            fmt::format("{} {} ({}): '{}' is not a phone number; ignored", m.set, ref, name, bad));
    }
    std::sort(phones.begin(), phones.end());
    upsert.reset();
    upsert.bind(1, ref).bind(2, name.empty() ? std::string_view(ref) : name);
    auto what = store::step_upsert(m_db, upsert);
    bool changed = what != store::Upserted::unchanged;
    bool added = what == store::Upserted::inserted;
    std::int64_t id;
    if (added) {
      id = m_db.last_insert_rowid();
    } else {
      id_of.reset();
      id_of.bind(1, ref).step();
      id = id_of.column_int(0);
    }
    old.clear();
    if (!added) { // a new client has no phones or aliases yet
      old_phones.reset();
      old_phones.bind(1, id);
      while (old_phones.step())
        old.emplace_back(old_phones.column_text(0), old_phones.column_text(1),
                         old_phones.column_text(2));
    }
    if (old != phones) {
      changed = true;
      if (!added) {
        drop_phones.reset();
        drop_phones.bind(1, id).step();
      }
      for (auto& [e164, raw, extension] : phones) {
        add_phone.reset();
        add_phone.bind(1, e164).bind(2, id).bind(3, raw).bind(4, extension).step();
      }
    }
    if (!added) {
      drop_aliases.reset();
      drop_aliases.bind(1, id).step();
    }
    for (auto& a : m.aliases) {
      auto alias = guid(text(row, a.property));
      if (alias.empty())
        continue;
      add_alias.reset();
      add_alias.bind(1, alias).bind(2, id).step();
    }
    ++(added ? r.added : changed ? r.updated : r.unchanged);
    remember(ref, version);
  });
  // Clients deleted in 1C (or deletion-marked) go, with their phones and interactions.
  std::vector<std::int64_t> gone;
  {
    auto st = m_db.prepare("SELECT id, key FROM clients WHERE source = 2");
    while (st.step())
      if (!seen(st.column_text(1)))
        gone.push_back(st.column_int(0));
  }
  delete_clients(gone);
  r.deleted = std::int64_t(gone.size());
  end_catalog(m.set);
  record(r);
}

void Syncer::load_refs() {
  if (m_refs_loaded)
    return;
  m_refs_loaded = true;
  auto load = [&](RefIndex& index, const char* sql) {
    auto st = m_db.prepare(sql);
    while (st.step())
      if (auto g = parse_guid(st.column_text(1)))
        index.add(*g, st.column_int(0));
    index.seal();
  };
  load(m_client_refs, "SELECT id, key FROM clients");
  load(m_alias_refs, "SELECT client, alias FROM onec_aliases");
  load(m_employee_refs, "SELECT id, key FROM employees");
}

std::optional<std::int64_t> Syncer::client_by_ref(const Guid& ref) const {
  if (auto id = m_client_refs.find(ref))
    return id;
  return m_alias_refs.find(ref);
}

namespace {

bool empty_reference(std::string_view text) {
  return text.empty() || text == k_zero_guid;
}

// A reference property: nullopt when empty (the zero GUID, "") or not a GUID.
std::optional<Guid> reference(const Row& row, std::string_view property) {
  auto g = parse_guid(text(row, property));
  if (!g || *g == Guid{})
    return std::nullopt;
  return g;
}

// What the store holds of one document from 1C.
struct LocalDocument {
  Guid key; // in 1C's order
  std::int64_t id, at, client, employee;
};

// A document the store does not have yet.
struct NewDocument {
  Guid key; // in the order of its text
  std::int64_t at, client, employee;
};

} // namespace

void Syncer::documents(const DocumentMapping& d) {
  m_entity_cpu = cpu_seconds();
  auto& type = *d.type;
  auto r = report(type.type, type.entity);
  auto* zone = util::find_zone(m_config.onec_time_zone());
  auto since = m_now - type.validity.seconds;
  Select select;
  select.add("Ref_Key").add("DeletionMark").add(d.date).add(d.client).add(d.client_phone);
  select.add(d.user);
  auto client_type = d.client.property + "_Type";
  m_db.prepare("INSERT OR IGNORE INTO doc_types(name) VALUES(?)").bind(1, type.type).step();
  auto type_id = m_db.prepare("SELECT id FROM doc_types WHERE name = ?");
  type_id.bind(1, type.type).step();
  auto doc_type = type_id.column_int(0);
  load_refs();
  // What the store has of this type, in memory in reference order: each document 1C returns is
  // compared here, and those it did not return are deleted afterwards.
  std::vector<LocalDocument> local;
  std::vector<std::int64_t> gone; // rows whose key is no GUID: never returned by 1C
  {
    // A pass over the table: through the (source, doc_type, doc_key) index every row would
    // cost a seek.
    auto st = m_db.prepare("SELECT id, doc_key, at, client, employee FROM interactions "
                           "NOT INDEXED WHERE source = 2 AND doc_type = ?");
    st.bind(1, doc_type);
    while (st.step()) {
      auto key = parse_guid(st.column_text(1));
      if (!key)
        gone.push_back(st.column_int(0));
      else
        local.push_back({onec_order(*key), st.column_int(0), st.column_int(2), st.column_int(3),
                         st.column_int(4)});
    }
    std::sort(local.begin(), local.end(),
              [](const LocalDocument& a, const LocalDocument& b) { return a.key < b.key; });
  }
  std::vector<bool> seen(local.size());
  SortedCursor cursor(local); // 1C sends documents in the order of `local`
  // New documents wait until the set is read, then go in in the order of their keys, the
  // order of the unique index: in 1C's order they would land at random places of it (or, when
  // it is rebuilt at the end, make its sort miss the cache at every step); this costs 40 bytes
  // a new document while the set is read.
  std::vector<NewDocument> added;
  auto update =
      m_db.prepare("UPDATE interactions SET at = ?, client = ?, employee = ? WHERE id = ?");
  auto by_phone = m_db.prepare("SELECT client FROM client_phones WHERE phone = ? LIMIT 2");
  scan(r, {select.text(), window_filter(d, since, m_config.onec_time_zone())}, [&](const Row& row) {
    auto ref = reference(row, "Ref_Key");
    if (!ref) {
      ++r.skipped["no Ref_Key"];
      return;
    }
    if (flag(row, "DeletionMark")) {
      ++r.skipped["deletion mark"]; // removed below if the store has it
      return;
    }
    auto date = text(row, d.date.property);
    auto at = util::parse_timestamp(date, zone);
    if (!at) {
      util::warn(fmt::format("{} {}: date '{}' is not a date; skipped", type.entity,
                             text(row, "Ref_Key"), date));
      ++r.skipped["bad date"];
      return;
    }
    if (*at < since) {
      ++r.skipped["before the window"];
      return;
    }
    std::optional<std::int64_t> client;
    std::string_view why = "no client";
    if (d.client.kind != Field::Kind::absent) {
      auto target = reference(row, d.client.property);
      if (d.client.kind == Field::Kind::composite && target) {
        auto kind = text(row, client_type);
        if (kind.starts_with(k_type_prefix))
          kind.remove_prefix(k_type_prefix.size());
        if (kind == "Undefined" || kind.empty())
          target.reset();
        else if (!type.client_types.empty() &&
                 std::find(type.client_types.begin(), type.client_types.end(), kind) ==
                     type.client_types.end()) {
          target.reset();
          why = "client of another type";
        }
      } else if (!target && !empty_reference(text(row, d.client.property))) {
        why = "unknown client"; // not a reference at all
      }
      if (target) {
        client = client_by_ref(*target);
        if (!client)
          why = "unknown client";
      }
    }
    if (!client && d.client_phone.kind != Field::Kind::absent) {
      auto n = m_phones.normalize(text(row, d.client_phone.property));
      if (n.kind == phone::Kind::e164) {
        by_phone.reset();
        by_phone.bind(1, n.value);
        int matches = 0;
        while (by_phone.step()) {
          client = by_phone.column_int(0);
          ++matches;
        }
        if (matches > 1) {
          client.reset();
          why = "phone of several clients";
        } else if (matches == 0) {
          why = "unknown phone";
        }
      }
    }
    if (!client) {
      ++r.skipped[std::string(why)];
      return;
    }
    auto user = reference(row, d.user.property);
    auto employee = user ? m_employee_refs.find(*user) : std::nullopt;
    if (!employee) {
      ++r.skipped[empty_reference(text(row, d.user.property)) ? "no user" : "unknown user"];
      return;
    }
    if (auto* it = cursor.find(onec_order(*ref))) {
      seen[std::size_t(it - local.data())] = true;
      if (it->at == *at && it->client == *client && it->employee == *employee) {
        ++r.unchanged;
        return;
      }
      update.reset();
      update.bind(1, *at).bind(2, *client).bind(3, *employee).bind(4, it->id).step();
      it->at = *at;
      it->client = *client;
      it->employee = *employee;
      ++r.updated;
      return;
    }
    added.push_back({*ref, *at, *client, *employee});
  });
  // A key 1C returned twice (it should not: pages follow Ref_Key) is one document, the last.
  std::stable_sort(added.begin(), added.end(),
                   [](const NewDocument& a, const NewDocument& b) { return a.key < b.key; });
  // Without the unique index (a first sync) a plain insert: the keys are unique by now, and
  // the store has no document of this type (see run()).
  auto insert = m_db.prepare(
      m_doc_index_dropped
          ? "INSERT INTO interactions(source, doc_type, doc_key, at, client, employee) "
            "VALUES(2, ?, ?, ?, ?, ?)"
          : "INSERT INTO interactions(source, doc_type, doc_key, at, client, employee) "
            "VALUES(2, ?, ?, ?, ?, ?) ON CONFLICT(source, doc_type, doc_key) DO UPDATE SET "
            "at = excluded.at, client = excluded.client, employee = excluded.employee");
  for (std::size_t i = 0; i < added.size(); ++i) {
    auto& doc = added[i];
    if (i + 1 < added.size() && added[i + 1].key == doc.key) {
      ++r.unchanged; // read twice, counted once
      continue;
    }
    insert.reset();
    insert.bind(1, doc_type).bind(2, format_guid(doc.key)).bind(3, doc.at);
    insert.bind(4, doc.client).bind(5, doc.employee).step();
    ++r.added;
  }
  std::vector<NewDocument>().swap(added);
  // Documents 1C no longer returns: deleted, deletion-marked, re-dated out of the window, or
  // older than the validity (they no longer count).
  auto remove = m_db.prepare("DELETE FROM interactions WHERE id = ?");
  for (std::size_t i = 0; i < local.size(); ++i)
    if (!seen[i])
      gone.push_back(local[i].id);
  for (auto id : gone) {
    remove.reset();
    remove.bind(1, id).step();
  }
  r.deleted = std::int64_t(gone.size());
  record(r);
}

SyncReport Syncer::run() {
  auto started = Clock::now();
  auto cpu = cpu_seconds();
  // The sync resolves every reference itself, from tables it read or wrote in this transaction
  // (clients, aliases, employees, document types), so SQLite's foreign-key lookups (three per
  // interaction, one per phone and alias) would only repeat that work; the one cascade the sync
  // relies on, deleting clients, is done by delete_clients. The pragma only changes outside a
  // transaction: it is restored after the transaction ends, committed or not.
  struct ForeignKeysOff {
    store::Database& db;
    explicit ForeignKeysOff(store::Database& d) : db(d) { db.exec("PRAGMA foreign_keys=OFF"); }
    ~ForeignKeysOff() {
      try {
        db.exec("PRAGMA foreign_keys=ON");
      } catch (...) {
      }
    }
    ForeignKeysOff(const ForeignKeysOff&) = delete;
    ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;
  } foreign_keys_off(m_db);
  store::Transaction tx(m_db);
  auto print = fingerprint();
  m_ignore_versions = store::get_meta(m_db, "onec_mapping").value_or("") != print;
  if (!m_mapping.users.set.empty())
    users();
  if (!m_mapping.clients.set.empty())
    clients();
  // A first sync into a store with few interactions brings most of them: like a bulk import it
  // builds the per-client index and the unique index of document keys once at the end (a sort
  // each) instead of inserting into them in random order, and asks for a full `score` instead
  // of marking clients one row at a time.
  bool bulk = !m_mapping.documents.empty() &&
              m_db.scalar("SELECT count(*) FROM interactions") <= k_bulk_store_rows &&
              m_db.scalar("SELECT count(*) FROM interactions WHERE source = 2") == 0;
  if (bulk) {
    m_db.exec("DROP INDEX interactions_client");
    m_db.exec("DROP INDEX interactions_doc");
    m_doc_index_dropped = true;
    m_db.exec(store::k_drop_score_dirty_triggers);
  }
  for (auto& d : m_mapping.documents)
    documents(d);
  if (bulk) {
    m_db.exec(store::k_interactions_doc_index);
    m_doc_index_dropped = false;
    m_db.exec(store::k_interactions_client_index);
    m_db.exec(store::k_score_dirty_triggers);
    store::set_meta(m_db, "score_full_needed", "1");
  }
  store::set_meta(m_db, "onec_mapping", print);
  store::set_meta(m_db, "last_sync", util::format_utc(m_now));
  m_report.transfer = m_odata.stats();
  if (!m_options.dry_run) {
    tx.commit();
    m_report.committed = true;
  }
  m_report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  m_report.cpu_seconds = cpu_seconds() - cpu;
  return m_report;
}

} // namespace

std::string window_filter(const DocumentMapping& d, util::UnixTime since, const std::string& zone) {
  auto local = util::format_local(since, util::find_zone(zone)).substr(0, 19);
  auto filter = fmt::format("{} ge datetime'{}'", d.date.property, local);
  if (!d.type->filter.empty())
    filter += fmt::format(" and ({})", d.type->filter);
  return filter;
}

SyncReport sync(store::Database& db, const config::Config& config, OData& odata,
                const Mapping& mapping, const SyncOptions& options) {
  return Syncer(db, config, odata, mapping, options).run();
}

} // namespace sr::onec
