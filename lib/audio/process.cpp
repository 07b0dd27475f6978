// Post-processing of a fragment: resampling, trimming, levelling and padding, so that
// fragments from any engine concatenate into one even-sounding menu.

#include "audio/audio.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <samplerate.h>

namespace sr::audio {
namespace {

double db_to_linear(double db) {
  return std::pow(10.0, db / 20.0);
}

std::size_t ms_to_samples(int rate, int ms) {
  return ms > 0 ? std::size_t(std::llround(double(rate) * ms / 1000.0)) : 0;
}

// The voiced span [begin, end) found with 10 ms RMS windows: a lone click is too short to
// lift a window above the threshold, and a soft onset is not cut by a single sample.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// The threshold applies to the signal as it will sound after levelling, so a quiet engine
// loses no more of its soft consonants than a loud one. The provisional level is the RMS
// of the windows within 30 dB of the loudest; input whose loudest window is below the
// threshold in absolute terms is silence.
std::optional<Span> voiced_span(const Pcm& in, const Finish& how) {
  const std::size_t window = std::max<std::size_t>(1, std::size_t(in.rate / 100));
  std::vector<double> energy; // mean square per window
  for (std::size_t start = 0; start < in.samples.size(); start += window) {
    std::size_t stop = std::min(in.samples.size(), start + window);
    double e = 0;
    for (std::size_t i = start; i < stop; ++i)
      e += double(in.samples[i]) * in.samples[i];
    energy.push_back(e / double(stop - start));
  }
  const double loudest = energy.empty() ? 0.0 : *std::max_element(energy.begin(), energy.end());
  const double threshold = db_to_linear(how.threshold_dbfs);
  if (loudest < threshold * threshold)
    return std::nullopt;
  double sum = 0;
  std::size_t count = 0;
  for (double e : energy)
    if (e >= loudest * 1e-3) {
      sum += e;
      ++count;
    }
  const double gain = db_to_linear(how.loudness_dbfs) / std::sqrt(sum / double(count));
  const double limit = threshold / gain;
  std::optional<Span> span;
  for (std::size_t w = 0; w < energy.size(); ++w) {
    if (energy[w] < limit * limit)
      continue;
    std::size_t stop = std::min(in.samples.size(), (w + 1) * window);
    if (!span)
      span = Span{w * window, stop};
    span->end = stop;
  }
  return span;
}

double rms(const std::vector<float>& s, std::size_t begin, std::size_t end) {
  double energy = 0;
  for (std::size_t i = begin; i < end; ++i)
    energy += double(s[i]) * s[i];
  return end > begin ? std::sqrt(energy / double(end - begin)) : 0.0;
}

// A look-ahead brickwall limiter: the gain at each sample is the smallest gain any sample
// within ±window needs, averaged over ±window, so it is never more than the sample itself
// needs and it moves smoothly (no clicks). Speech has a crest factor near 20 dB; without it
// a -20 dBFS RMS target under a -1 dBFS peak would be missed for typical TTS output.
void limit(std::vector<float>& s, double ceiling, std::size_t window) {
  std::vector<double> need(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    double a = std::fabs(double(s[i]));
    need[i] = a > ceiling ? ceiling / a : 1.0;
  }
  std::vector<double> lowest(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::size_t from = i > window ? i - window : 0;
    std::size_t to = std::min(s.size(), i + window + 1);
    lowest[i] =
        *std::min_element(need.begin() + std::ptrdiff_t(from), need.begin() + std::ptrdiff_t(to));
  }
  std::vector<double> sum(s.size() + 1, 0.0);
  for (std::size_t i = 0; i < s.size(); ++i)
    sum[i + 1] = sum[i] + lowest[i];
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::size_t from = i > window ? i - window : 0;
    std::size_t to = std::min(s.size(), i + window + 1);
    double g = std::min(need[i], (sum[to] - sum[from]) / double(to - from));
    s[i] = float(s[i] * g);
  }
}

} // namespace

Pcm resample(const Pcm& in, int rate) {
  if (rate <= 0 || in.rate <= 0)
    throw Error("audio: cannot resample from " + std::to_string(in.rate) + " Hz to " +
                std::to_string(rate) + " Hz");
  if (rate == in.rate)
    return in;
  Pcm out;
  out.rate = rate;
  if (in.samples.empty())
    return out;
  const double ratio = double(rate) / in.rate;
  out.samples.resize(std::size_t(std::ceil(double(in.samples.size()) * ratio)) + 16);
  SRC_DATA data{};
  data.data_in = in.samples.data();
  data.input_frames = long(in.samples.size());
  data.data_out = out.samples.data();
  data.output_frames = long(out.samples.size());
  data.src_ratio = ratio;
  data.end_of_input = 1;
  // The fastest of libsamplerate's sinc converters still keeps 97 dB SNR and 80 % of the band
  // (6.4 kHz at 16 kHz, 3.2 kHz at 8 kHz: the telephone band); the better ones cost most of
  // a warm run's CPU (docs/benchmarks.md).
  if (int err = src_simple(&data, SRC_SINC_FASTEST, 1))
    throw Error(std::string("audio: resampling failed: ") + src_strerror(err));
  out.samples.resize(std::size_t(data.output_frames_gen));
  return out;
}

// The head keeps lead_ms of the real signal before the first loud window (soft consonants
// start below the threshold), faded in; the tail keeps a short faded release of the real
// signal, then digital silence up to padding_ms. Only the voiced span sets the level, so
// the length of the edges never changes the gain; a limiter keeps the peaks under the
// ceiling.
Pcm finish(const Pcm& in, const Finish& how) {
  if (in.rate <= 0)
    throw Error("audio: cannot finish audio without a sample rate");
  auto span = voiced_span(in, how);
  if (!span)
    throw Error("audio: only silence (nothing louder than " +
                std::to_string(int(how.threshold_dbfs)) + " dBFS)");
  const std::size_t lead = ms_to_samples(in.rate, how.lead_ms);
  const std::size_t padding = ms_to_samples(in.rate, how.padding_ms);
  const std::size_t release = std::min(padding, ms_to_samples(in.rate, 50));
  const std::size_t voiced = span->end - span->begin;

  Pcm out;
  out.rate = in.rate;
  out.samples.assign(lead + voiced + padding, 0.0f);
  // Head: real signal before the onset, zero-filled where the input starts too early.
  for (std::size_t k = 0; k < lead; ++k) {
    if (span->begin + k < lead)
      continue;
    float fade = float(k + 1) / float(lead + 1);
    out.samples[k] = in.samples[span->begin + k - lead] * fade;
  }
  std::copy(in.samples.begin() + std::ptrdiff_t(span->begin),
            in.samples.begin() + std::ptrdiff_t(span->end),
            out.samples.begin() + std::ptrdiff_t(lead));
  for (std::size_t k = 0; k < release && span->end + k < in.samples.size(); ++k) {
    float fade = float(release - k) / float(release + 1);
    out.samples[lead + voiced + k] = in.samples[span->end + k] * fade;
  }

  const double level = rms(out.samples, lead, lead + voiced);
  double peak = 0;
  for (float s : out.samples)
    peak = std::max(peak, double(std::fabs(s)));
  // The limiter takes at most 6 dB off the loudest peaks; beyond that the RMS target yields,
  // since heavier limiting of speech is audible.
  constexpr double k_max_limiting = 2.0;
  const double ceiling = db_to_linear(how.peak_dbfs) * (1 - 1e-6); // float rounding margin
  double gain = std::min(db_to_linear(how.loudness_dbfs) / level, ceiling * k_max_limiting / peak);
  for (float& s : out.samples)
    s = float(s * gain);
  if (peak * gain > ceiling)
    limit(out.samples, ceiling, ms_to_samples(in.rate, 2));
  return out;
}

Pcm concat(const std::vector<Pcm>& parts) {
  Pcm out;
  for (const Pcm& p : parts) {
    if (out.rate != 0 && p.rate != out.rate)
      throw Error("audio: cannot concatenate fragments at " + std::to_string(out.rate) +
                  " Hz and " + std::to_string(p.rate) + " Hz; resample them first");
    out.rate = p.rate;
    out.samples.insert(out.samples.end(), p.samples.begin(), p.samples.end());
  }
  return out;
}

} // namespace sr::audio
