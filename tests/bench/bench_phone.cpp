// Prints how long phone normalisation takes per number: the hand-written +7 path that the call
// path and most imports hit, and the libphonenumber path for other countries.
//
//   g++ -std=c++20 -O2 -Ilib -o bench_phone tests/bench/bench_phone.cpp lib/phone/phone.cpp
//       -lphonenumber && ./bench_phone [count]
#include "phone/phone.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

// A fixed-seed generator, so every run normalises the same texts.
class Random {
public:
  std::uint32_t next() {
    m_state = m_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(m_state >> 33);
  }
  std::string digits(int n) {
    std::string s;
    for (int i = 0; i < n; ++i)
      s += static_cast<char>('0' + next() % 10);
    return s;
  }

private:
  std::uint64_t m_state = 42;
};

// Russian numbers in the shapes 1C catalogues and CDRs hold them.
std::string russian(Random& r) {
  static const char* const k_codes[] = {"495", "499", "812", "343", "912", "916", "926", "800"};
  const std::string code = k_codes[r.next() % 8];
  const std::string a = r.digits(3), b = r.digits(2), c = r.digits(2);
  switch (r.next() % 6) {
  case 0:
    return "8 (" + code + ") " + a + "-" + b + "-" + c;
  case 1:
    return "+7 " + code + " " + a + b + c;
  case 2:
    return "7" + code + a + b + c;
  case 3:
    return "8" + code + a + b + c;
  case 4:
    return code + a + b + c;
  default:
    return "+7 (" + code + ") " + a + "-" + b + "-" + c + " доб. " + r.digits(3);
  }
}

// Foreign numbers, written with '+' or with an IDD prefix.
std::string foreign(Random& r) {
  switch (r.next() % 5) {
  case 0:
    return "+44 20 7946 " + r.digits(4);
  case 1:
    return "+1 212 555 " + r.digits(4);
  case 2:
    return "+380 44 " + r.digits(3) + " " + r.digits(4);
  case 3:
    return "00 49 30 " + r.digits(7);
  default:
    return "8 10 33 1 " + r.digits(8);
  }
}

struct Figures {
  double ns_per_number = 0;
  std::size_t e164 = 0;
};

Figures run(const sr::phone::Normalizer& normalizer, const std::vector<std::string>& texts) {
  Figures f;
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& text : texts)
    f.e164 += normalizer.normalize(text).kind == sr::phone::Kind::e164;
  const auto elapsed = std::chrono::steady_clock::now() - start;
  f.ns_per_number =
      std::chrono::duration<double, std::nano>(elapsed).count() / static_cast<double>(texts.size());
  return f;
}

} // namespace

int main(int argc, char** argv) {
  const std::size_t count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1'000'000;
  Random random;
  std::vector<std::string> mix, russian_only, foreign_only;
  mix.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    // Four in five numbers of a Russian company's clients are Russian.
    if (random.next() % 5 == 0) {
      mix.push_back(foreign(random));
      foreign_only.push_back(mix.back());
    } else {
      mix.push_back(russian(random));
      russian_only.push_back(mix.back());
    }
  }

  const sr::phone::Normalizer normalizer;
  run(normalizer, foreign_only); // warm up libphonenumber's metadata and regex caches
  const Figures fast = run(normalizer, russian_only);
  const Figures slow = run(normalizer, foreign_only);
  const Figures all = run(normalizer, mix);
  std::printf("%-22s %9s %12s %9s\n", "path", "numbers", "ns/number", "e164");
  std::printf("%-22s %9zu %12.1f %9zu\n", "+7 fast path", russian_only.size(), fast.ns_per_number,
              fast.e164);
  std::printf("%-22s %9zu %12.1f %9zu\n", "libphonenumber path", foreign_only.size(),
              slow.ns_per_number, slow.e164);
  std::printf("%-22s %9zu %12.1f %9zu\n", "mix", mix.size(), all.ns_per_number, all.e164);
  return fast.e164 == russian_only.size() && slow.e164 == foreign_only.size() ? 0 : 1;
}
