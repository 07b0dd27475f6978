#include "demo/generator.h"

#include "demo/calendar.h"
#include "demo/cdr.h"
#include "demo/output.h"
#include "demo/population.h"
#include "util/error.h"
#include "util/fs.h"

#include <fmt/format.h>

#include <array>
#include <string>

namespace sr::demo {

namespace fs = std::filesystem;

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;

constexpr int k_max_employees = 50'000;
constexpr i64 k_max_clients = 20'000'000;
constexpr i64 k_min_end = 1'500'000'000; // July 2017, well after Moscow's last clock change
constexpr i64 k_max_end = 4'102'444'800; // 2100-01-01: four-digit years

void put_employee_id(std::string& out, i64 i) {
  out += 'e';
  put_uint(out, static_cast<u64>(i) + 1, 4);
}

void put_client_id(std::string& out, i64 i) {
  out += 'c';
  put_uint(out, static_cast<u64>(i) + 1, 6);
}

void write_employees(const World& w, const fs::path& path) {
  Output f(path);
  auto& out = f.buf();
  out += "id,name,extension,active,excluded,spoken_name,group\n";
  for (std::size_t i = 0; i < w.employees().size(); ++i) {
    const auto& e = w.employees()[i];
    put_employee_id(out, static_cast<i64>(i));
    out += ',';
    put_csv(out, e.name);
    out += ',';
    if (e.extension != 0)
      put_uint(out, static_cast<u64>(e.extension));
    out += e.active ? ",1" : ",0";
    out += e.excluded ? ",1," : ",0,";
    put_csv(out, e.spoken);
    out += ',';
    out += group_name(e.group);
    out += '\n';
    f.row_done();
  }
  f.commit();
}

// Companies (~70%), sole traders as "ИП Фамилия И. О." (~15%) and private persons; phones
// separated by "; ". Returns the number of phones written.
i64 write_clients(const World& w, const Options& o, const fs::path& path) {
  Output f(path);
  auto& out = f.buf();
  Rng rng(o.seed, tag::clients_stream);
  std::string name;
  i64 phones = 0;
  out += "id,name,phones\n";
  for (i64 c = 0; c < o.clients; ++c) {
    put_client_id(out, c);
    out += ',';
    name.clear();
    u64 kind = rng.below(100);
    if (kind < 70)
      put_company(name, rng);
    else if (kind < 85)
      name = "ИП " + make_person(rng).initials;
    else
      name = make_person(rng).full;
    put_csv(out, name);
    out += ',';
    int count = w.phone_count(c);
    for (int s = 0; s < count; ++s) {
      if (s > 0)
        out += "; ";
      w.put_typed_phone(out, c, s);
    }
    phones += count;
    out += '\n';
    f.row_done();
  }
  f.commit();
  return phones;
}

// Calls (~60%), orders (~25%) and invoices (~15%), keyed "call-00000001"… per type. The first
// rows name each client with history once, so every one of them has at least one.
void write_interactions(const World& w, const Options& o, const fs::path& path) {
  Output f(path);
  auto& out = f.buf();
  Rng rng(o.seed, tag::interactions_stream);
  Calendar calendar(o.end);
  std::array<u64, 3> keys{};
  static constexpr std::string_view types[] = {"call", "order", "invoice"};
  out += "type,key,at,client,employee\n";
  for (i64 r = 0; r < o.interactions; ++r) {
    u64 t = rng.below(100);
    Doc doc = t < 60 ? Doc::call : t < 85 ? Doc::order : Doc::invoice;
    auto d = static_cast<std::size_t>(doc);
    i64 client = r < w.active_clients() ? w.client_in_order(r) : w.pick_client(rng);
    i64 at = calendar.sample(rng);
    int employee = w.pick_employee(client, doc, at, rng);
    out += types[d];
    out += ',';
    out += types[d];
    out += '-';
    put_uint(out, ++keys[d], 8);
    out += ',';
    put_local(out, at + k_moscow, 'T');
    out += "+03:00,";
    put_client_id(out, client);
    out += ',';
    put_employee_id(out, employee);
    out += '\n';
    f.row_done();
  }
  f.commit();
}

void validate(const Options& o) {
  if (o.out.empty())
    throw Error("demo: no output directory given");
  if (o.employees < 1 || o.employees > k_max_employees)
    throw Error(fmt::format("demo: employees must be between 1 and {} (got {})", k_max_employees,
                            o.employees));
  if (o.clients < 1 || o.clients > k_max_clients)
    throw Error(
        fmt::format("demo: clients must be between 1 and {} (got {})", k_max_clients, o.clients));
  if (o.interactions < 0)
    throw Error(fmt::format("demo: interactions must not be negative (got {})", o.interactions));
  if (o.cdr_calls < -1)
    throw Error(fmt::format(
        "demo: cdr calls must be -1 (a tenth of the interactions) or more (got {})", o.cdr_calls));
  if (o.end < k_min_end || o.end > k_max_end)
    throw Error(fmt::format("demo: end must be a Unix time between {} (2017) and {} (2100), "
                            "usually now (got {})",
                            k_min_end, k_max_end, o.end));
}

} // namespace

Summary generate(const Options& options) {
  validate(options);
  util::ensure_directory(options.out / "cdr");
  World world(options);
  Summary s;
  s.employees = options.employees;
  s.clients = options.clients;
  s.interactions = options.interactions;
  s.cdr_rows = options.cdr_calls < 0 ? options.interactions / 10 : options.cdr_calls;
  s.files = {options.out / "employees.csv", options.out / "clients.csv",
             options.out / "interactions.csv", options.out / "cdr" / "Master.csv"};
  write_employees(world, s.files[0]);
  s.phones = write_clients(world, options, s.files[1]);
  write_interactions(world, options, s.files[2]);
  write_cdr(world, options, s.cdr_rows, s.files[3]);
  return s;
}

} // namespace sr::demo
