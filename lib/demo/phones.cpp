#include "demo/phones.h"

#include "demo/output.h"

#include <algorithm>
#include <iterator>

namespace sr::demo {

namespace {

using u64 = std::uint64_t;

struct Area {
  std::string_view cc;
  std::string_view code;
  int nsn;
  int blocks; // `code` followed by one more digit, from `first` on, for each block
  int first;
  Line line;
  std::string_view groups;
};

// Each checked valid with libphonenumber for every number. The block count is the weight:
// Moscow has the most; a foreign block is a tenth of a Russian one (one digit longer prefix).
constexpr Area k_areas[] = {
    {"7", "495", 10, 9, 1, Line::landline, ""},
    {"7", "499", 10, 5, 1, Line::landline, ""},
    {"7", "812", 10, 6, 1, Line::landline, ""},
    {"7", "343", 10, 2, 2, Line::landline, ""},
    {"7", "383", 10, 2, 2, Line::landline, ""},
    {"7", "846", 10, 2, 2, Line::landline, ""},
    {"7", "863", 10, 2, 2, Line::landline, ""},
    {"7", "861", 10, 2, 2, Line::landline, ""},
    {"7", "831", 10, 2, 2, Line::landline, ""},
    {"7", "843", 10, 2, 2, Line::landline, ""},
    {"7", "800", 10, 2, 1, Line::toll_free, ""},
    {"44", "2079", 10, 2, 4, Line::foreign, "2-4-4"},
    {"375", "291", 9, 3, 2, Line::foreign, "2-3-2-2"},
    {"375", "172", 9, 1, 2, Line::foreign, "2-3-2-2"},
    {"49", "3012", 10, 1, 3, Line::foreign, "2-8"},
    {"998", "901", 9, 2, 2, Line::foreign, "2-3-2-2"},
    {"7", "7272", 10, 2, 5, Line::foreign, "3-3-2-2"}, // Almaty: +7, but Kazakhstan
    {"1", "2125", 10, 1, 5, Line::foreign, "3-3-4"},
    {"374", "10", 8, 1, 2, Line::foreign, "2-6"},
};

// Regional landline codes and mobile codes, one block each.
constexpr int k_regional[] = {342, 351, 391, 473, 381, 347, 345, 395, 423, 421, 485, 487,
                              484, 481, 482, 483, 472, 471, 474, 475, 491, 492, 493, 494,
                              844, 845, 841, 842, 865, 385, 384, 382, 353, 851, 833, 341,
                              821, 818, 815, 817, 816, 811, 814, 401, 496, 498};
constexpr int k_mobile[] = {
    900, 901, 902, 903, 904, 905, 906, 908, 909, 910, 911, 912, 913, 914, 915, 916, 917, 918, 919,
    920, 921, 922, 923, 924, 925, 926, 927, 928, 929, 930, 931, 932, 933, 934, 935, 936, 937, 938,
    939, 950, 951, 952, 953, 958, 960, 961, 962, 963, 964, 965, 966, 967, 968, 969, 977, 978, 980,
    981, 982, 983, 984, 985, 986, 987, 988, 989, 991, 992, 993, 994, 995, 996, 997, 998, 999};

// How people write a Russian number ('#' takes the next digit), with weights out of 100.
struct Style {
  std::string_view pattern;
  u64 weight;
};
constexpr Style k_russian_styles[] = {
    {"8 (###) ###-##-##", 25}, {"+7 (###) ###-##-##", 15}, {"+7 ### #######", 6},
    {"7##########", 6},        {"##########", 6},          {"8-###-###-##-##", 8},
    {"+7 ### ### ## ##", 8},   {"8##########", 8},         {"+7##########", 8},
    {"8 ### ###-##-##", 6},    {"(###) ###-##-##", 4},
};

u64 power10(int n) {
  u64 v = 1;
  while (n-- > 0)
    v *= 10;
  return v;
}

void put_pattern(std::string& out, std::string_view pattern, std::string_view digits) {
  std::size_t next = 0;
  for (char c : pattern)
    out += c == '#' ? digits[next++] : c;
}

// "+44 20 7946 0958" (style 0), "+375 (29) 123-45-67" (1) or "+375291234567" (2).
void put_foreign(std::string& out, const Block& b, std::string_view n, int style) {
  out += '+';
  out += b.cc;
  if (style == 2) {
    out += n;
    return;
  }
  std::size_t pos = 0;
  for (std::size_t i = 0; i < b.groups.size(); i += 2) {
    auto part = n.substr(pos, static_cast<std::size_t>(b.groups[i] - '0'));
    bool first = pos == 0;
    pos += part.size();
    if (style == 1 && first) {
      out += " (";
      out += part;
      out += ')';
    } else {
      out += first || style == 0 ? ' ' : '-';
      out += part;
    }
  }
}

} // namespace

NumberSpace::NumberSpace() {
  auto add = [&](std::string_view cc, std::string prefix, int nsn, Line line,
                 std::string_view groups) {
    Block b{cc, std::move(prefix), nsn, line, groups, 0};
    b.size = power10(nsn - static_cast<int>(b.prefix.size()));
    m_offsets.push_back(m_total);
    m_total += b.size;
    m_blocks.push_back(std::move(b));
  };
  for (const auto& a : k_areas)
    for (int k = 0; k < a.blocks; ++k)
      add(a.cc, std::string(a.code) + static_cast<char>('0' + a.first + k), a.nsn, a.line,
          a.groups);
  for (int code : k_regional)
    add("7", std::to_string(code) + static_cast<char>('1' + code % 9), 10, Line::landline, "");
  for (int code : k_mobile)
    add("7", std::to_string(code) + static_cast<char>('1' + code % 9), 10, Line::mobile, "");
}

const Block& NumberSpace::at(u64 x, std::string& nsn) const {
  auto i = static_cast<std::size_t>(std::upper_bound(m_offsets.begin(), m_offsets.end(), x) -
                                    m_offsets.begin()) -
           1;
  const Block& b = m_blocks[i];
  nsn = b.prefix;
  put_uint(nsn, x - m_offsets[i], b.nsn - static_cast<int>(b.prefix.size()));
  return b;
}

int style_count(Line line) {
  return line == Line::foreign ? 3 : static_cast<int>(std::size(k_russian_styles));
}

int pick_style(Line line, u64 bits) {
  if (line == Line::foreign)
    return static_cast<int>(bits % 3);
  u64 r = bits % 100;
  for (std::size_t s = 0; s < std::size(k_russian_styles); ++s) {
    if (r < k_russian_styles[s].weight)
      return static_cast<int>(s);
    r -= k_russian_styles[s].weight;
  }
  return 0;
}

void put_typed(std::string& out, const Block& b, std::string_view nsn, int style,
               u64 extension_bits) {
  if (b.line == Line::foreign) {
    put_foreign(out, b, nsn, style);
    return;
  }
  put_pattern(out, k_russian_styles[static_cast<std::size_t>(style)].pattern, nsn);
  if (b.line != Line::mobile && extension_bits % 100 < 8) {
    out += (extension_bits >> 8) % 5 == 0 ? " ext " : " доб. ";
    put_uint(out, 10 + (extension_bits >> 16) % 990);
  }
}

void put_trunk_number(std::string& out, const Block& b, std::string_view nsn, Rng& rng) {
  if (b.line == Line::foreign) {
    out += '+';
    out += b.cc;
  } else {
    u64 r = rng.below(100);
    out += r < 45 ? "7" : r < 75 ? "8" : r < 95 ? "+7" : "";
  }
  out += nsn;
}

void put_dialled_number(std::string& out, const Block& b, std::string_view nsn, Rng& rng) {
  u64 r = rng.below(100);
  if (b.cc != "7") {
    out += r < 50 ? "810" : "+";
    out += b.cc;
  } else {
    out += r < 70 ? "8" : r < 90 ? "+7" : "7";
  }
  out += nsn;
}

} // namespace sr::demo
