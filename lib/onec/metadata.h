#pragma once

// 1C's `$metadata` (CSDL v3) reduced to what sync needs, and the configured mapping resolved
// against it: 1C attribute names ("Контрагент") become OData properties ("Контрагент_Key",
// or "АбонентКонтакт" + "АбонентКонтакт_Type" for a composite reference).

#include "config/config.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sr::onec {

struct EntityType {
  std::map<std::string, std::string, std::less<>> properties; // name → "Edm.Guid", "Collection(…)"
};

struct Metadata {
  std::map<std::string, EntityType, std::less<>> sets; // "Catalog_Контрагенты" → its type
  std::map<std::string, EntityType, std::less<>> rows; // complex row types by full name
  // The row type of a tabular section property, or null.
  const EntityType* section(const EntityType& owner, std::string_view property) const;
};

// Throws sr::Error when the text is not a CSDL document.
Metadata parse_metadata(std::string_view xml);

// How a document or catalog attribute is read.
struct Field {
  enum class Kind { absent, plain, reference, composite } kind = Kind::absent;
  std::string property; // the OData name ("Контрагент_Key", "Date", "АбонентКонтакт")
  std::string type; // Edm type of `property`
};

// The contact-information section of a catalog.
struct Contacts {
  std::string section;         // "КонтактнаяИнформация" ("" = none)
  bool has_value_json = false; // "Значение" (BSP 3: JSON with the phone's parts)
  bool has_number = false;     // "НомерТелефона"
};

struct UserMapping {
  std::string set;
  Field name;
  std::vector<Field> inactive;
  Field extension; // plain attribute, or absent when from contacts / config only
  bool extension_from_contacts = false;
  Contacts contacts;
};

struct ClientMapping {
  std::string set;
  Field name;
  std::vector<Field> aliases;
  Contacts contacts;
};

struct DocumentMapping {
  const config::DocumentType* type = nullptr;
  Field date, client, client_phone, user;
};

struct Mapping {
  UserMapping users;     // set "" = employees are not synced
  ClientMapping clients; // set "" = clients are not synced
  std::vector<DocumentMapping> documents;
};

// One problem with the mapping, with the fix.
struct Problem {
  std::string key;     // "documents[1].client" / "onec.users"
  std::string message; // what is wrong and what to do
};

// Resolves every mapped set and field; every problem is reported, none thrown.
Mapping resolve(const config::Config& config, const Metadata& metadata,
                std::vector<Problem>& problems);

// The whole mapping as text, for `sync --check` ("documents[0] call: Document_X …").
std::vector<std::string> describe(const Mapping& mapping);

} // namespace sr::onec
