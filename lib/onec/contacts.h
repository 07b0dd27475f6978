#pragma once

// Phone numbers in 1C's contact-information rows (BSP "КонтактнаяИнформация"), which people
// fill in by hand: "+7 (495) 123-45-67, доб. 204", "8 912 345-67-89; 8(912)000-11-22".

#include "onec/metadata.h"
#include "onec/page.h"
#include "phone/phone.h"

#include <span>
#include <string>
#include <vector>

namespace sr::onec {

struct ContactPhone {
  phone::Number number; // E.164
  std::string raw;      // the text it came from
};

struct ContactPhones {
  std::vector<ContactPhone> numbers; // public numbers, each once, in row order
  std::string extension;             // the first PBX extension found ("доб. 204", "204")
  std::vector<std::string> invalid;  // texts that are not phone numbers, for warnings
};

// Reads the phone rows (`Тип` = phone_type) of a contact-information section. Per row the
// structured BSP value ("Значение" JSON) wins; else the presentation is split into numbers
// (on ';', and on ',' when a whole number follows; otherwise ',' starts an extension); else
// "НомерТелефона".
ContactPhones read_phones(std::span<const Row> rows, const Contacts& contacts,
                          std::string_view phone_type, const phone::Normalizer& normalizer);

} // namespace sr::onec
