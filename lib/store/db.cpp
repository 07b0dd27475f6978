#include "store/db.h"

#include "util/error.h"

#include <fmt/format.h>
#include <sqlite3.h>

namespace sr::store {

namespace {
// Memory statistics cost a global mutex per allocation; smartroute never reads them. This
// must run before SQLite initialises, hence once, at the first open.
const bool k_configured = [] { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK; }();
} // namespace

Database::Database(const std::filesystem::path& path, Access access)
    : m_path(path), m_access(access) {
  (void)k_configured;
  int flags = access == Access::read_only ? SQLITE_OPEN_READONLY
                                          : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (access == Access::read_only && !std::filesystem::exists(path))
    throw Error(fmt::format("store {}: no such database (run 'smartroute import' or "
                            "'smartroute sync' first)",
                            path.string()));
  int rc = sqlite3_open_v2(path.c_str(), &m_db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
    sqlite3_close(m_db);
    m_db = nullptr;
    throw Error(fmt::format("store {}: cannot open: {}", path.string(), message));
  }
  // Writers wait a while for each other; readers never wait thanks to WAL.
  sqlite3_busy_timeout(m_db, 10000);
  if (access == Access::read_write) {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
  }
  if (access == Access::read_only)
    exec("PRAGMA mmap_size=17179869184"); // readers map the store: no read() per page
  exec("PRAGMA foreign_keys=ON");
  // Up to 1 GiB of page cache: bulk imports into large indexes thrash with less. SQLite only
  // allocates pages as it touches them, so small stores stay small.
  exec("PRAGMA cache_size=-1048576");
  exec("PRAGMA temp_store=MEMORY");
  exec("PRAGMA threads=2"); // index builds (bulk imports) sort on helper threads
}

Database::~Database() {
  sqlite3_close_v2(m_db);
}

void Database::fail(std::string_view what) const {
  throw Error(fmt::format("store {}: {}: {}", m_path.string(), what, sqlite3_errmsg(m_db)));
}

void Database::exec(std::string_view sql) {
  char* message = nullptr;
  std::string text(sql);
  if (sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string reason = message ? message : "unknown error";
    sqlite3_free(message);
    throw Error(fmt::format("store {}: {}", m_path.string(), reason));
  }
}

Statement Database::prepare(std::string_view sql) {
  return Statement(*this, sql);
}

std::int64_t Database::changes() const {
  return sqlite3_changes64(m_db);
}

Upserted step_upsert(Database& db, Statement& statement) {
  // An upsert that updates leaves last_insert_rowid alone; one that inserts sets it.
  sqlite3_set_last_insert_rowid(db.handle(), 0);
  statement.step();
  if (db.changes() == 0)
    return Upserted::unchanged;
  return db.last_insert_rowid() != 0 ? Upserted::inserted : Upserted::updated;
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(m_db);
}

std::int64_t Database::scalar(std::string_view sql) {
  auto st = prepare(sql);
  return st.step() ? st.column_int(0) : 0;
}

Statement::Statement(Database& db, std::string_view sql) : m_db(&db) {
  if (sqlite3_prepare_v3(db.handle(), sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &m_stmt, nullptr) != SQLITE_OK)
    db.fail(fmt::format("cannot prepare '{}'", sql.substr(0, 60)));
}

Statement::~Statement() {
  sqlite3_finalize(m_stmt);
}

Statement::Statement(Statement&& other) noexcept : m_db(other.m_db), m_stmt(other.m_stmt) {
  other.m_stmt = nullptr;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(m_stmt, index, value);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(m_stmt, index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  // An empty view may have no data pointer, which SQLite would bind as NULL.
  sqlite3_bind_text(m_stmt, index, value.data() ? value.data() : "", int(value.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_view(int index, std::string_view value) {
  sqlite3_bind_text(m_stmt, index, value.data() ? value.data() : "", int(value.size()),
                    SQLITE_STATIC);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(m_stmt, index);
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  m_db->fail("query failed");
}

void Statement::reset() {
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

std::int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(m_stmt, index);
}

double Statement::column_double(int index) const {
  return sqlite3_column_double(m_stmt, index);
}

std::string_view Statement::column_text(int index) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, index));
  return p ? std::string_view(p, std::size_t(sqlite3_column_bytes(m_stmt, index)))
           : std::string_view();
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(m_stmt, index) == SQLITE_NULL;
}

Transaction::Transaction(Database& db) : m_db(db) {
  m_db.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (m_open)
    sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  m_db.exec("COMMIT");
  m_open = false;
}

} // namespace sr::store
