#include "audio/audio.h"
#include "util/error.h"
#include "util/fs.h"

#include <catch2/catch.hpp>
#include <sndfile.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

namespace fs = std::filesystem;
using sr::audio::Pcm;

namespace {

// A scratch directory removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "sr-audio-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write_bytes(const fs::path& p, std::string_view bytes) {
  std::ofstream(p, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

// Real Russian speech from espeak-ng (22050 Hz WAV), synthesised once per test run.
const Pcm& speech() {
  static const Pcm pcm = [] {
    TempDir dir;
    fs::path wav = dir.path / "speech.wav";
    std::string cmd =
        "espeak-ng -v ru -w '" + wav.string() + "' 'Здравствуйте, это проверка' 2>/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    return sr::audio::decode(sr::util::read_file(wav));
  }();
  return pcm;
}

Pcm scaled(const Pcm& in, float gain) {
  Pcm out = in;
  for (float& s : out.samples)
    s *= gain;
  return out;
}

Pcm padded(const Pcm& in, double seconds) {
  Pcm out;
  out.rate = in.rate;
  out.samples.assign(std::size_t(seconds * in.rate), 0.0f);
  out.samples.insert(out.samples.end(), in.samples.begin(), in.samples.end());
  out.samples.resize(out.samples.size() + std::size_t(seconds * in.rate), 0.0f);
  return out;
}

double rms_db(const std::vector<float>& s, std::size_t begin, std::size_t end) {
  double e = 0;
  for (std::size_t i = begin; i < end; ++i)
    e += double(s[i]) * s[i];
  return 10 * std::log10(e / double(end - begin));
}

double peak_db(const std::vector<float>& s) {
  double p = 0;
  for (float x : s)
    p = std::max(p, double(std::fabs(x)));
  return 20 * std::log10(p);
}

std::size_t ms(int rate, int millis) {
  return std::size_t(std::lround(rate * millis / 1000.0));
}

// Writes samples with libsndfile in the given format and returns the file's bytes.
std::string write_with_sndfile(int format, int rate, int channels, const std::vector<float>& v) {
  TempDir dir;
  fs::path p = dir.path / "out";
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  SNDFILE* f = sf_open(p.c_str(), SFM_WRITE, &info);
  REQUIRE(f != nullptr);
  sf_writef_float(f, v.data(), sf_count_t(v.size() / std::size_t(channels)));
  sf_close(f);
  return sr::util::read_file(p);
}

// Reads a headerless G.711 file back with libsndfile's decoder (independent of ours).
std::vector<short> read_g711(const std::string& bytes, int subformat) {
  TempDir dir;
  fs::path p = dir.path / "in.raw";
  write_bytes(p, bytes);
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = 1;
  info.format = SF_FORMAT_RAW | subformat;
  SNDFILE* f = sf_open(p.c_str(), SFM_READ, &info);
  REQUIRE(f != nullptr);
  std::vector<short> out(bytes.size());
  out.resize(std::size_t(sf_read_short(f, out.data(), sf_count_t(out.size()))));
  sf_close(f);
  return out;
}

} // namespace

TEST_CASE("audio: espeak-ng speech decodes to 22050 Hz mono", "[audio]") {
  const Pcm& s = speech();
  CHECK(s.rate == 22050);
  CHECK(s.seconds() > 1.0);
  CHECK(s.seconds() < 5.0);
  CHECK(peak_db(s.samples) > -20);
}

TEST_CASE("audio: resampling to 16000 and 8000 Hz keeps the duration within 1%", "[audio]") {
  const Pcm& s = speech();
  for (int rate : {16000, 8000}) {
    Pcm r = sr::audio::resample(s, rate);
    CHECK(r.rate == rate);
    CHECK(std::fabs(r.seconds() - s.seconds()) < s.seconds() * 0.01);
    CHECK(std::fabs(rms_db(r.samples, 0, r.samples.size()) -
                    rms_db(s.samples, 0, s.samples.size())) < 1.0);
  }
  CHECK(sr::audio::resample(s, 22050).samples == s.samples);
}

TEST_CASE("audio: finish trims 1 s of silence at both edges to lead + speech + padding",
          "[audio]") {
  sr::audio::Finish how;
  const Pcm plain = sr::audio::finish(speech(), how);
  Pcm input = padded(speech(), 1.0);
  // A click in the leading silence is too short to lift a 10 ms window over the threshold.
  input.samples[std::size_t(input.rate / 2)] = 0.05f;
  const Pcm out = sr::audio::finish(input, how);
  const double edges = (how.lead_ms + how.padding_ms) / 1000.0;
  CHECK(std::fabs(out.seconds() - plain.seconds()) < 0.003);
  CHECK(out.seconds() <= speech().seconds() + edges + 0.003);
  CHECK(out.seconds() > speech().seconds() * 0.8);
  CHECK(out.samples.front() == Approx(0).margin(1e-3));
  // The tail ends in digital silence, so fragments join without a click.
  const std::size_t tail = ms(out.rate, 80);
  for (std::size_t i = out.samples.size() - tail; i < out.samples.size(); ++i)
    REQUIRE(out.samples[i] == 0.0f);
}

TEST_CASE("audio: finish levels quiet and loud speech to the same RMS, peak limited", "[audio]") {
  sr::audio::Finish how;
  std::vector<double> levels;
  std::vector<double> durations;
  for (float gain : {0.1f, 0.9f}) {
    const Pcm out = sr::audio::finish(scaled(padded(speech(), 1.0), gain), how);
    durations.push_back(out.seconds());
    const std::size_t begin = ms(out.rate, how.lead_ms);
    const std::size_t end = out.samples.size() - ms(out.rate, how.padding_ms);
    levels.push_back(rms_db(out.samples, begin, end));
    CHECK(levels.back() == Approx(how.loudness_dbfs).margin(0.5));
    CHECK(peak_db(out.samples) <= how.peak_dbfs + 1e-4);
  }
  CHECK(std::fabs(levels[0] - levels[1]) < 0.5);
  // The threshold applies after levelling: a quiet copy keeps its soft consonants too.
  CHECK(std::fabs(durations[0] - durations[1]) < 0.015);

  SECTION("a peak limit below the crest of the speech wins over the RMS target") {
    how.peak_dbfs = -12;
    const Pcm out = sr::audio::finish(speech(), how);
    CHECK(peak_db(out.samples) == Approx(-12).margin(0.01));
  }
}

TEST_CASE("audio: finish of silence throws 'only silence'", "[audio]") {
  Pcm quiet{8000, std::vector<float>(8000, 0.001f)}; // -60 dBFS hum
  CHECK_THROWS_WITH(sr::audio::finish(quiet, {}), Catch::Contains("only silence"));
  CHECK_THROWS_AS(sr::audio::finish(Pcm{8000, {}}, {}), sr::Error);
}

TEST_CASE("audio: encode_wav writes the canonical header and verifies as an Asterisk .wav",
          "[audio]") {
  TempDir dir;
  const Pcm pcm = sr::audio::finish(sr::audio::resample(speech(), 8000), {});
  const std::string wav = sr::audio::encode_wav(pcm);
  REQUIRE(wav.size() == 44 + 2 * pcm.samples.size());
  CHECK(wav.substr(0, 4) == "RIFF");
  CHECK(wav.substr(8, 8) == "WAVEfmt ");
  CHECK(wav.substr(36, 4) == "data");
  write_bytes(dir.path / "x.wav", wav);
  auto info = sr::audio::verify_file(dir.path / "x.wav");
  CHECK(info.problem == "");
  CHECK(info.rate == 8000);
  CHECK(info.samples == std::int64_t(pcm.samples.size()));

  const Pcm back = sr::audio::decode(wav);
  REQUIRE(back.rate == 8000);
  REQUIRE(back.samples.size() == pcm.samples.size());
  for (std::size_t i = 0; i < pcm.samples.size(); ++i)
    REQUIRE(std::fabs(back.samples[i] - pcm.samples[i]) <= 1.0f / 32768);

  SECTION("a 16 kHz .wav is a problem, the same bytes as .wav16 are fine") {
    const std::string wide = sr::audio::encode_wav(sr::audio::resample(pcm, 16000));
    write_bytes(dir.path / "w.wav", wide);
    write_bytes(dir.path / "w.wav16", wide);
    CHECK_THAT(sr::audio::verify_file(dir.path / "w.wav").problem,
               Catch::Contains("16000 Hz (want 8000)"));
    CHECK(sr::audio::verify_file(dir.path / "w.wav16").problem == "");
  }
  SECTION("a truncated .wav is a problem") {
    write_bytes(dir.path / "t.wav", std::string_view(wav).substr(0, wav.size() - 100));
    CHECK_THAT(sr::audio::verify_file(dir.path / "t.wav").problem, Catch::Contains("bytes"));
    write_bytes(dir.path / "h.wav", std::string_view(wav).substr(0, 30));
    CHECK(sr::audio::verify_file(dir.path / "h.wav").problem != "");
  }
  SECTION("a stereo or 8-bit .wav is a problem") {
    write_bytes(dir.path / "s.wav",
                write_with_sndfile(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 2, {0, 0, 0, 0}));
    CHECK_THAT(sr::audio::verify_file(dir.path / "s.wav").problem, Catch::Contains("2 channels"));
    write_bytes(dir.path / "u.wav",
                write_with_sndfile(SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 8000, 1, {0, 0}));
    CHECK_THAT(sr::audio::verify_file(dir.path / "u.wav").problem, Catch::Contains("8-bit"));
  }
}

TEST_CASE("audio: verify_file checks headerless files by extension", "[audio]") {
  TempDir dir;
  write_bytes(dir.path / "a.sln16", std::string(3200, '\0'));
  auto ok = sr::audio::verify_file(dir.path / "a.sln16");
  CHECK(ok.problem == "");
  CHECK(ok.rate == 16000);
  CHECK(ok.samples == 1600);
  write_bytes(dir.path / "b.sln16", std::string(3201, '\0'));
  CHECK_THAT(sr::audio::verify_file(dir.path / "b.sln16").problem, Catch::Contains("odd"));
  write_bytes(dir.path / "c.sln", std::string(101, '\0'));
  CHECK(sr::audio::verify_file(dir.path / "c.sln").problem != "");
  write_bytes(dir.path / "d.alaw", "");
  CHECK_THAT(sr::audio::verify_file(dir.path / "d.alaw").problem, Catch::Contains("empty"));
  write_bytes(dir.path / "e.ulaw", std::string(801, '\xFF'));
  auto ulaw = sr::audio::verify_file(dir.path / "e.ulaw");
  CHECK(ulaw.problem == "");
  CHECK(ulaw.samples == 801);
  CHECK(ulaw.rate == 8000);
  write_bytes(dir.path / "f.mp3", "x");
  CHECK_THAT(sr::audio::verify_file(dir.path / "f.mp3").problem,
             Catch::Contains("unknown extension"));
  CHECK_THROWS_AS(sr::audio::verify_file(dir.path / "missing.wav"), sr::Error);
}

TEST_CASE("audio: headerless s16le decodes with the given rate", "[audio]") {
  const Pcm pcm = sr::audio::resample(speech(), 16000);
  const std::string sln = sr::audio::encode_sln(pcm);
  CHECK(sln.size() == 2 * pcm.samples.size());
  const Pcm back = sr::audio::decode(sln, 16000);
  CHECK(back.rate == 16000);
  REQUIRE(back.samples.size() == pcm.samples.size());
  for (std::size_t i = 0; i < pcm.samples.size(); ++i)
    REQUIRE(std::fabs(back.samples[i] - pcm.samples[i]) <= 1.0f / 32768);
  CHECK(sr::audio::decode(std::string("\x00\x80\xff\x7f", 4), 8000).samples ==
        std::vector<float>{-1.0f, 32767.0f / 32768});
  CHECK_THROWS_WITH(sr::audio::decode(sln.substr(1), 16000), Catch::Contains("odd byte count"));
  CHECK_THROWS_WITH(sr::audio::decode("", 16000), Catch::Contains("empty"));
  CHECK_THROWS_WITH(sr::audio::decode(""), Catch::Contains("empty"));
}

TEST_CASE("audio: decoding something that is not audio says so", "[audio]") {
  CHECK_THROWS_WITH(sr::audio::decode("<html>503 Service Unavailable</html>"),
                    Catch::Contains("not audio"));
  CHECK_THROWS_WITH(sr::audio::decode(std::string(1000, '\x42')), Catch::Contains("not audio"));
  CHECK_THROWS_AS(sr::audio::decode("{\"error\":\"quota\"}"), sr::Error);
}

TEST_CASE("audio: stereo is mixed down to mono", "[audio]") {
  const std::string wav =
      write_with_sndfile(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 2, {0.5f, 0.25f, -0.5f, 0.0f});
  const Pcm pcm = sr::audio::decode(wav);
  CHECK(pcm.rate == 8000);
  CHECK(pcm.samples == std::vector<float>{0.375f, -0.25f});
}

TEST_CASE("audio: Ogg/Opus and FLAC from libsndfile decode", "[audio]") {
  const Pcm s = sr::audio::resample(speech(), 16000);
  for (int format : {SF_FORMAT_OGG | SF_FORMAT_OPUS, SF_FORMAT_FLAC | SF_FORMAT_PCM_16}) {
    SF_INFO probe{};
    probe.samplerate = 16000;
    probe.channels = 1;
    probe.format = format;
    if (!sf_format_check(&probe)) {
      WARN("libsndfile cannot write format " << format << "; skipped");
      continue;
    }
    const Pcm pcm = sr::audio::decode(write_with_sndfile(format, 16000, 1, s.samples));
    CHECK(std::fabs(pcm.seconds() - s.seconds()) < 0.05);
    CHECK(std::fabs(rms_db(pcm.samples, 0, pcm.samples.size()) -
                    rms_db(s.samples, 0, s.samples.size())) < 1.0);
  }
}

TEST_CASE("audio: concat joins same-rate fragments and refuses mixed rates", "[audio]") {
  Pcm a{8000, std::vector<float>(80, 0.1f)};
  Pcm b{8000, std::vector<float>(40, 0.2f)};
  Pcm c{16000, std::vector<float>(10, 0.0f)};
  const Pcm ab = sr::audio::concat({a, b});
  CHECK(ab.rate == 8000);
  CHECK(ab.samples.size() == 120);
  CHECK(ab.samples[80] == 0.2f);
  CHECK_THROWS_WITH(sr::audio::concat({a, c}), Catch::Contains("8000 Hz and 16000 Hz"));
}

TEST_CASE("audio: G.711 encoders give the ITU reference codes", "[audio]") {
  auto one = [](float x) { return Pcm{8000, {x}}; };
  CHECK(sr::audio::encode_alaw(one(0)) == "\xD5");
  CHECK(sr::audio::encode_alaw(one(-1.0f / 32768)) == "\x55");
  CHECK(sr::audio::encode_alaw(one(1.0f)) == "\xAA");
  CHECK(sr::audio::encode_alaw(one(-1.0f)) == "\x2A");
  CHECK(sr::audio::encode_ulaw(one(0)) == "\xFF");
  CHECK(sr::audio::encode_ulaw(one(-1.0f / 32768)) == "\x7F");
  CHECK(sr::audio::encode_ulaw(one(1.0f)) == "\x80");
  CHECK(sr::audio::encode_ulaw(one(-1.0f)) == std::string(1, '\0'));

  // Every 7th 16-bit value survives libsndfile's (independent) G.711 decoder within the
  // quantisation step of its segment.
  Pcm ramp{8000, {}};
  for (int v = -32768; v <= 32767; v += 7)
    ramp.samples.push_back(float(v) / 32768);
  for (auto [encoded, sub] : {std::pair{sr::audio::encode_alaw(ramp), SF_FORMAT_ALAW},
                              std::pair{sr::audio::encode_ulaw(ramp), SF_FORMAT_ULAW}}) {
    const std::vector<short> back = read_g711(encoded, sub);
    REQUIRE(back.size() == ramp.samples.size());
    for (std::size_t i = 0; i < back.size(); ++i) {
      double x = double(ramp.samples[i]) * 32768;
      REQUIRE(std::fabs(back[i] - x) <= 0.035 * std::fabs(x) + 20);
    }
  }
}
