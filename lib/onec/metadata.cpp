#include "onec/metadata.h"

#include "util/error.h"
#include "util/strings.h"

#include <fmt/format.h>

#include <algorithm>
#include <pugixml.hpp>
#include <span>

namespace sr::onec {

namespace {

std::string_view local_name(const pugi::xml_node& n) {
  std::string_view name = n.name();
  auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view unqualified(std::string_view type) {
  auto dot = type.rfind('.');
  return dot == std::string_view::npos ? type : type.substr(dot + 1);
}

EntityType read_type(const pugi::xml_node& node) {
  EntityType t;
  for (auto p : node.children())
    if (local_name(p) == "Property")
      t.properties.emplace(p.attribute("Name").value(), p.attribute("Type").value());
  return t;
}

template <class Map> std::vector<std::string_view> keys_of(const Map& m) {
  std::vector<std::string_view> out;
  for (auto& [k, v] : m)
    out.push_back(k);
  return out;
}

std::string hint(std::string_view word, const std::vector<std::string_view>& candidates) {
  auto h = util::did_you_mean(word, std::span<const std::string_view>(candidates));
  return h.empty() ? "" : fmt::format(" (did you mean '{}'?)", h);
}

std::string compose_hint() {
  return "add it to the standard OData interface composition (1C: Администрирование → "
         "Синхронизация данных → «Настройки стандартного интерфейса OData»)";
}

// Resolves one attribute of `type` named as in the configurator.
Field find_field(const EntityType& type, std::string_view name) {
  Field f;
  auto has = [&](std::string_view p) { return type.properties.find(p) != type.properties.end(); };
  auto type_of = [&](std::string_view p) { return type.properties.find(p)->second; };
  auto key = fmt::format("{}_Key", name);
  if (name.ends_with("_Key") && has(name)) {
    f = {Field::Kind::reference, std::string(name), type_of(name)};
  } else if (has(key)) {
    f = {Field::Kind::reference, key, type_of(key)};
  } else if (has(name) && has(fmt::format("{}_Type", name))) {
    f = {Field::Kind::composite, std::string(name), type_of(name)};
  } else if (has(name)) {
    f = {Field::Kind::plain, std::string(name), type_of(name)};
  }
  return f;
}

class Resolver {
public:
  Resolver(const Metadata& md, std::vector<Problem>& problems) : m_md(md), m_problems(problems) {}

  const EntityType* set(std::string_view key, std::string_view name) {
    auto it = m_md.sets.find(name);
    if (it != m_md.sets.end())
      return &it->second;
    problem(key, fmt::format("1C does not publish {}{}: {}", name, hint(name, keys_of(m_md.sets)),
                             compose_hint()));
    return nullptr;
  }

  // kinds: which kinds are acceptable; edm: the Edm type required of a plain field ("" = any).
  Field field(std::string_view key, std::string_view set, const EntityType& type,
              std::string_view name, std::initializer_list<Field::Kind> kinds,
              std::string_view edm = {}) {
    auto f = find_field(type, name);
    if (f.kind == Field::Kind::absent) {
      problem(key, fmt::format("{} has no attribute '{}'{}", set, name,
                               hint(name, keys_of(type.properties))));
      return f;
    }
    if (std::find(kinds.begin(), kinds.end(), f.kind) == kinds.end()) {
      problem(key,
              fmt::format("{}.{} is {}, not {}", set, f.property, describe_kind(f), wanted(kinds)));
      f.kind = Field::Kind::absent;
      return f;
    }
    if (f.kind == Field::Kind::plain && !edm.empty() && f.type != edm) {
      problem(key, fmt::format("{}.{} is {}, not {}", set, f.property, f.type, edm));
      f.kind = Field::Kind::absent;
    }
    return f;
  }

  Contacts contacts(std::string_view key, std::string_view set, const EntityType& type,
                    const config::OnecSection& onec) {
    Contacts c;
    if (onec.contacts.empty())
      return c;
    auto* rows = m_md.section(type, onec.contacts);
    if (!rows) {
      problem(key,
              fmt::format("{} has no tabular section '{}' (onec.contacts)", set, onec.contacts));
      return c;
    }
    for (auto need : {"Тип", "Представление"})
      if (!rows->properties.count(need)) {
        problem(key, fmt::format("{}.{} has no column '{}'", set, onec.contacts, need));
        return c;
      }
    c.section = onec.contacts;
    c.has_value_json = rows->properties.count("Значение") > 0;
    c.has_number = rows->properties.count("НомерТелефона") > 0;
    return c;
  }

private:
  static std::string describe_kind(const Field& f) {
    switch (f.kind) {
    case Field::Kind::reference:
      return "a reference";
    case Field::Kind::composite:
      return "a composite reference";
    default:
      return fmt::format("a value ({})", f.type);
    }
  }
  static std::string wanted(std::initializer_list<Field::Kind> kinds) {
    std::string out;
    for (auto k : kinds)
      out += fmt::format("{}{}", out.empty() ? "" : " or ",
                         k == Field::Kind::reference   ? "a reference"
                         : k == Field::Kind::composite ? "a composite reference"
                                                       : "a value");
    return out;
  }
  void problem(std::string_view key, std::string message) {
    m_problems.push_back({std::string(key), std::move(message)});
  }

  const Metadata& m_md;
  std::vector<Problem>& m_problems;
};

using K = Field::Kind;

} // namespace

const EntityType* Metadata::section(const EntityType& owner, std::string_view property) const {
  auto it = owner.properties.find(property);
  if (it == owner.properties.end())
    return nullptr;
  std::string_view type = it->second;
  if (!type.starts_with("Collection(") || !type.ends_with(")"))
    return nullptr;
  auto row = unqualified(type.substr(11, type.size() - 12));
  auto r = rows.find(row);
  return r == rows.end() ? nullptr : &r->second;
}

Metadata parse_metadata(std::string_view xml) {
  pugi::xml_document doc;
  auto ok = doc.load_buffer(xml.data(), xml.size());
  if (!ok)
    throw Error(
        fmt::format("1C $metadata is not XML ({} at byte {})", ok.description(), ok.offset));
  Metadata md;
  std::map<std::string, EntityType, std::less<>> types;
  std::vector<std::pair<std::string, std::string>> sets; // set → entity type
  bool csdl = false;
  auto walk = [&](auto&& self, const pugi::xml_node& node) -> void {
    for (auto child : node.children()) {
      auto name = local_name(child);
      if (name == "Schema")
        csdl = true;
      if (name == "EntityType")
        types.emplace(child.attribute("Name").value(), read_type(child));
      else if (name == "ComplexType")
        md.rows.emplace(child.attribute("Name").value(), read_type(child));
      else if (name == "EntitySet")
        sets.emplace_back(child.attribute("Name").value(),
                          std::string(unqualified(child.attribute("EntityType").value())));
      else
        self(self, child);
    }
  };
  walk(walk, doc);
  if (!csdl)
    throw Error("1C $metadata has no <Schema>: is onec.url the OData address "
                "(…/odata/standard.odata/)?");
  for (auto& [set, type] : sets)
    if (auto it = types.find(type); it != types.end())
      md.sets.emplace(set, it->second);
  return md;
}

Mapping resolve(const config::Config& config, const Metadata& md, std::vector<Problem>& problems) {
  Mapping m;
  Resolver r(md, problems);
  auto& onec = config.onec;
  if (!onec.users.empty()) {
    if (auto* t = r.set("onec.users", onec.users)) {
      m.users.set = onec.users;
      m.users.name =
          r.field("onec.user_name", onec.users, *t, onec.user_name, {K::plain}, "Edm.String");
      for (auto& flag : onec.user_inactive)
        m.users.inactive.push_back(
            r.field("onec.user_inactive", onec.users, *t, flag, {K::plain}, "Edm.Boolean"));
      if (onec.user_extension == "contacts") {
        m.users.extension_from_contacts = true;
      } else if (!onec.user_extension.empty()) {
        m.users.extension =
            r.field("onec.user_extension", onec.users, *t, onec.user_extension, {K::plain});
      }
      m.users.contacts = r.contacts("onec.contacts", onec.users, *t, onec);
      if (m.users.extension_from_contacts && m.users.contacts.section.empty())
        m.users.extension_from_contacts = false;
    }
  }
  if (!onec.clients.empty()) {
    if (auto* t = r.set("onec.clients", onec.clients)) {
      m.clients.set = onec.clients;
      m.clients.name =
          r.field("onec.client_name", onec.clients, *t, onec.client_name, {K::plain}, "Edm.String");
      for (auto& alias : onec.client_aliases)
        m.clients.aliases.push_back(
            r.field("onec.client_aliases", onec.clients, *t, alias, {K::reference}));
      m.clients.contacts = r.contacts("onec.contacts", onec.clients, *t, onec);
    }
  }
  for (std::size_t i = 0; i < config.documents.size(); ++i) {
    auto& d = config.documents[i];
    if (d.entity.empty())
      continue;
    auto key = [&](std::string_view field) { return fmt::format("documents[{}].{}", i, field); };
    auto* t = r.set(key("entity"), d.entity);
    if (!t)
      continue;
    DocumentMapping dm;
    dm.type = &d;
    dm.date = r.field(key("date"), d.entity, *t, d.date, {K::plain}, "Edm.DateTime");
    if (!d.client.empty())
      dm.client = r.field(key("client"), d.entity, *t, d.client, {K::reference, K::composite});
    if (!d.client_phone.empty())
      dm.client_phone =
          r.field(key("client_phone"), d.entity, *t, d.client_phone, {K::plain}, "Edm.String");
    dm.user = r.field(key("user"), d.entity, *t, d.user, {K::reference});
    for (auto& ct : d.client_types)
      if (!md.sets.count(ct))
        problems.push_back(
            {key("client_types"), fmt::format("client_types names {}, which 1C does not publish{}",
                                              ct, hint(ct, keys_of(md.sets)))});
    m.documents.push_back(std::move(dm));
  }
  return m;
}

std::vector<std::string> describe(const Mapping& m) {
  std::vector<std::string> out;
  auto f = [](const Field& field) {
    switch (field.kind) {
    case K::reference:
      return fmt::format("{} (reference)", field.property);
    case K::composite:
      return fmt::format("{} + {}_Type (composite)", field.property, field.property);
    case K::plain:
      return fmt::format("{} ({})", field.property, field.type);
    default:
      return std::string("-");
    }
  };
  if (!m.users.set.empty()) {
    std::string flags;
    for (auto& i : m.users.inactive)
      flags += (flags.empty() ? "" : ", ") + i.property;
    out.push_back(fmt::format("employees  {}: name {}; not routable when {}; extension {}",
                              m.users.set, f(m.users.name), flags.empty() ? "-" : flags,
                              m.users.extension_from_contacts
                                  ? fmt::format("from {} phone rows", m.users.contacts.section)
                              : m.users.extension.kind != K::absent ? f(m.users.extension)
                                                                    : "from [[employees]] only"));
  }
  if (!m.clients.set.empty()) {
    std::string aliases;
    for (auto& a : m.clients.aliases)
      aliases += (aliases.empty() ? "" : ", ") + a.property;
    out.push_back(fmt::format("clients    {}: name {}; phones from {}; aliases {}", m.clients.set,
                              f(m.clients.name),
                              m.clients.contacts.section.empty() ? "-" : m.clients.contacts.section,
                              aliases.empty() ? "-" : aliases));
  }
  for (auto& d : m.documents)
    out.push_back(fmt::format("{:<10} {}: date {}; client {}{}; user {}", d.type->type,
                              d.type->entity, f(d.date), f(d.client),
                              d.client_phone.kind != K::absent
                                  ? fmt::format(", else by phone in {}", f(d.client_phone))
                                  : "",
                              f(d.user)));
  return out;
}

} // namespace sr::onec
