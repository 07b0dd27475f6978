#include "demo/population.h"

#include "demo/calendar.h"
#include "demo/names.h"
#include "demo/output.h"
#include "util/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <iterator>

namespace sr::demo {

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;

std::string join(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (auto p : parts)
    s += p;
  return s;
}

// How many employees get a role: about `percent` of n, at least one once n reaches `from`.
int quota(int n, int percent, int from) {
  if (n < from)
    return 0;
  return std::max(1, (n * percent + 50) / 100);
}

// Employees e0001… with extensions 201… (2001… past 799 employees). A permutation deals the
// roles so they are scattered: ~2% service accounts (at least the administrator and the
// exchange robot once there are 30 people), ~5% dismissed, ~3% without an extension, ~2% with
// a spoken_name override; groups mostly sales.
std::vector<Employee> make_employees(const Options& o) {
  int n = o.employees;
  int excluded = n < 30 ? quota(n, 2, 10) : std::max(2, quota(n, 2, 10));
  int dismissed = quota(n, 5, 5), no_extension = quota(n, 3, 10), spoken = quota(n, 2, 10);
  int base = n <= 799 ? 201 : n <= 7999 ? 2001 : 20001;
  Permutation roles(static_cast<u64>(n), hash(o.seed, tag::roles, 0));
  Rng rng(o.seed, tag::employees_stream);
  auto services = service_account_names();
  std::vector<Employee> out(static_cast<std::size_t>(n));
  std::size_t services_made = 0;
  for (int i = 0; i < n; ++i) {
    Employee& e = out[static_cast<std::size_t>(i)];
    Person p = make_person(rng);
    u64 g = rng.below(100);
    e.group = g < 65 ? Group::sales : g < 85 ? Group::support : Group::accounting;
    e.extension = base + i;
    auto role = static_cast<int>(roles(static_cast<u64>(i)));
    if (role < excluded) {
      std::size_t k = services_made++;
      e.name = services[k % services.size()];
      if (k >= services.size())
        e.name += " " + std::to_string(k / services.size() + 1);
      e.callerid = e.name;
      e.excluded = true;
      e.group = Group::none;
      continue;
    }
    e.name = std::move(p.full);
    e.callerid = std::move(p.short_);
    role -= excluded;
    if (role < dismissed) {
      u64 h = hash(o.seed, tag::dismissal, static_cast<u64>(i));
      e.active = false;
      e.dismissed_at =
          o.end - static_cast<i64>(20 + h % 330) * k_day - static_cast<i64>((h >> 40) % k_day);
    } else if ((role -= dismissed) < no_extension) {
      e.extension = 0;
    } else if (role - no_extension < spoken) {
      e.spoken = std::move(p.spoken);
    }
  }
  return out;
}

} // namespace

std::string_view group_name(Group g) {
  switch (g) {
  case Group::sales:
    return "sales";
  case Group::support:
    return "support";
  case Group::accounting:
    return "accounting";
  case Group::none:
    break;
  }
  return "";
}

Person make_person(Rng& rng) {
  const auto& sn = surnames()[rng.below(surnames().size())];
  const auto& father = male_names()[rng.below(male_names().size())];
  if (rng.percent(52)) {
    const auto& f = female_names()[rng.below(female_names().size())];
    return {join({sn.female, " ", f.name, " ", father.daughter}), join({f.name, " ", sn.female}),
            join({f.instrumental, " ", sn.female_instrumental}),
            join({sn.female, " ", first_letter(f.name), ". ", first_letter(father.daughter), "."})};
  }
  const auto& m = male_names()[rng.below(male_names().size())];
  return {join({sn.male, " ", m.name, " ", father.son}), join({m.name, " ", sn.male}),
          join({m.instrumental, " ", sn.male_instrumental}),
          join({sn.male, " ", first_letter(m.name), ". ", first_letter(father.son), "."})};
}

void put_company(std::string& out, Rng& rng) {
  u64 form = rng.below(100);
  out += form < 75 ? "ООО " : form < 88 ? "АО " : form < 96 ? "ЗАО " : "ПАО ";
  u64 quotes = rng.below(100);
  out += quotes < 65 ? "«" : quotes < 90 ? "\"" : "";
  if (rng.percent(45)) {
    out += company_words()[rng.below(company_words().size())];
  } else {
    out += company_prefixes()[rng.below(company_prefixes().size())];
    out += company_suffixes()[rng.below(company_suffixes().size())];
    static constexpr std::string_view decor[] = {" Плюс", "-М", " Групп", "-Центр"};
    if (rng.percent(20))
      out += decor[rng.below(std::size(decor))];
  }
  out += quotes < 65 ? "»" : quotes < 90 ? "\"" : "";
  if (rng.percent(1)) {
    out += ", филиал №";
    put_uint(out, 2 + rng.below(8));
  }
}

World::World(const Options& o)
    : m_o(o), m_employees(make_employees(o)),
      m_phones(m_space.size(), hash(o.seed, tag::phone_order, 0)),
      m_active_clients(o.clients - o.clients / 20),
      m_client_order(static_cast<u64>(m_active_clients), hash(o.seed, tag::client_order, 0)) {
  // Clients' numbers take slots [0, 3 * clients), strangers' the next clients + 1000.
  if (4 * static_cast<u64>(o.clients) + 1003 > m_space.size())
    throw Error(fmt::format("demo: too many clients for the phone number table ({})", o.clients));
  for (int i = 0; i < static_cast<int>(m_employees.size()); ++i) {
    const auto& e = m_employees[static_cast<std::size_t>(i)];
    (e.excluded ? m_services : m_agents).push_back(i);
    if (!e.excluded && e.active)
      m_active_agents.push_back(i);
    if (!e.excluded && e.active && e.extension != 0)
      m_callable.push_back(i);
  }
  if (m_active_agents.empty() || m_callable.empty())
    throw Error("demo: internal error: no active employee with an extension");
}

i64 World::pick_client(Rng& rng) const {
  // A fifth uniform; the rest take rank v(v+c)/(n+c) of a uniform v: a density ~ 1/sqrt(rank)
  // flattened at the top by c. Ranks map to clients by a permutation, so big ones are scattered.
  auto n = static_cast<u64>(m_active_clients);
  u64 rank = rng.below(n);
  if (!rng.percent(20)) {
    u64 c = std::max<u64>(1, n / 128);
    rank = static_cast<u64>(static_cast<unsigned __int128>(rank) * (rank + c) / (n + c));
  }
  return client_in_order(static_cast<i64>(rank));
}

int World::phone_count(i64 client) const {
  u64 h = hash(m_o.seed, tag::phone_count, static_cast<u64>(client)) % 100;
  return h < 90 ? 1 : h < 97 ? 2 : 3;
}

i64 World::partner(i64 client) const {
  auto sharing = [this](i64 i) {
    return i > 0 && hash(m_o.seed, tag::shared, static_cast<u64>(i)) % 100 == 0;
  };
  if (!sharing(client))
    return -1;
  u64 h = hash(m_o.seed, tag::shared, static_cast<u64>(client), 1);
  i64 p = client - 1 - static_cast<i64>(h % static_cast<u64>(std::min<i64>(client, 1000)));
  return sharing(p) ? -1 : p; // the partner writes down its own number
}

const Block& World::client_number(i64 client, int slot, std::string& nsn) const {
  i64 p = slot == 0 ? partner(client) : -1;
  u64 index =
      p >= 0 ? 3 * static_cast<u64>(p) : 3 * static_cast<u64>(client) + static_cast<u64>(slot);
  return m_space.at(m_phones(index), nsn);
}

const Block& World::stranger_number(Rng& rng, std::string& nsn) const {
  u64 first = 3 * static_cast<u64>(m_o.clients) + 3;
  return m_space.at(m_phones(first + rng.below(static_cast<u64>(m_o.clients) + 1000)), nsn);
}

int World::style_of(i64 client, int slot, Line line) const {
  return pick_style(line,
                    hash(m_o.seed, tag::style, static_cast<u64>(client), static_cast<u64>(slot)));
}

void World::put_typed_phone(std::string& out, i64 client, int slot) const {
  std::string nsn;
  const Block& b = client_number(client, slot, nsn);
  int style = style_of(client, slot, b.line);
  if (i64 p = slot == 0 ? partner(client) : -1; p >= 0 && style == style_of(p, 0, b.line))
    style = (style + 1) % style_count(b.line);
  put_typed(out, b, nsn, style,
            hash(m_o.seed, tag::extension, static_cast<u64>(client), static_cast<u64>(slot)));
}

int World::favourite(u64 client, u64 k) const {
  int chosen[3] = {-1, -1, -1};
  for (u64 i = 0; i <= k; ++i) {
    for (u64 attempt = 0; attempt < 8; ++attempt) {
      chosen[i] =
          m_agents[hash(m_o.seed, tag::favourite, client, i * 8 + attempt + 1) % m_agents.size()];
      if (std::find(chosen, chosen + i, chosen[i]) == chosen + i)
        break;
    }
  }
  return chosen[k];
}

int World::pick_employee(i64 client, Doc doc, i64 at, Rng& rng) const {
  if (doc == Doc::order && !m_services.empty() && rng.percent(3))
    return m_services[rng.below(m_services.size())];
  auto c = static_cast<u64>(client);
  u64 h = hash(m_o.seed, tag::favourite, c) % 100;
  u64 count = std::min<u64>(h < 40 ? 1 : h < 75 ? 2 : 3, m_agents.size());
  u64 r = rng.below(100), which = count; // `count` = someone else
  if (r < 88)
    which = count == 1 ? 0 : count == 2 ? (r < 66 ? 0 : 1) : (r < 57 ? 0 : r < 79 ? 1 : 2);
  int e = which < count ? favourite(c, which) : m_agents[rng.below(m_agents.size())];
  const auto& emp = m_employees[static_cast<std::size_t>(e)];
  if (!emp.active && at > emp.dismissed_at)
    e = m_active_agents[hash(m_o.seed, tag::successor, c, static_cast<u64>(e)) %
                        m_active_agents.size()];
  return e;
}

int World::pick_callee(i64 client, i64 at, Rng& rng) const {
  int e = pick_employee(client, Doc::call, at, rng);
  if (m_employees[static_cast<std::size_t>(e)].extension == 0)
    e = m_callable[hash(m_o.seed, tag::successor, static_cast<u64>(client)) % m_callable.size()];
  return e;
}

} // namespace sr::demo
