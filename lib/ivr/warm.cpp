#include "ivr/warm.h"

#include "scoring/directory.h"
#include "store/db.h"
#include "tts/journal.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

namespace sr::ivr {

namespace {

using Clock = std::chrono::steady_clock;

// At most `rate` requests a second on average, bursts of up to `burst`.
class TokenBucket {
public:
  TokenBucket(double rate, double burst) : m_rate(rate), m_burst(burst), m_tokens(burst) {}
  void acquire() {
    std::unique_lock lock(m_mutex);
    for (;;) {
      auto now = Clock::now();
      m_tokens = std::min(m_burst,
                          m_tokens + m_rate * std::chrono::duration<double>(now - m_last).count());
      m_last = now;
      if (m_tokens >= 1.0) {
        m_tokens -= 1.0;
        return;
      }
      auto wait = std::chrono::duration<double>((1.0 - m_tokens) / m_rate);
      lock.unlock();
      std::this_thread::sleep_for(wait);
      lock.lock();
    }
  }

private:
  std::mutex m_mutex;
  double m_rate, m_burst, m_tokens;
  Clock::time_point m_last = Clock::now();
};

struct Done {
  std::size_t index;
  std::int64_t bytes;
};

// The shared state of one run's workers.
struct Run {
  Run(const config::Config& c, tts::Engine& e, const tts::Cache& k, const std::vector<Phrase>& t,
      double rate, double burst)
      : config(c), engine(e), cache(k), todo(t), bucket(rate, burst), journal(k.root()) {}
  const config::Config& config;
  tts::Engine& engine;
  const tts::Cache& cache;
  const std::vector<Phrase>& todo;
  TokenBucket bucket;
  tts::Journal journal;
  std::unordered_map<std::string, tts::Synthesized> recovered;
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> finished{0};
  std::atomic<std::size_t> failed{0};
  std::atomic<std::size_t> requests{0};
  std::atomic<std::size_t> retries{0};
  std::atomic<bool> aborted{false};
  std::atomic<int> live{0};      // request workers still running
  std::atomic<int> finishing{0}; // finishing threads still running
  std::mutex queue_mutex;        // answers waiting to be turned into files
  std::condition_variable queue_cv;
  std::deque<std::pair<std::size_t, tts::Synthesized>> queue;
  std::mutex mutex; // guards the vectors below
  std::vector<Done> done;
  std::vector<WarmFailure> failures;
  std::string abort_reason;
};

// Exponential backoff with jitter, or what the service asked for.
std::chrono::duration<double> backoff(int attempt, std::optional<double> retry_after,
                                      std::mt19937& rng) {
  if (retry_after)
    return std::chrono::duration<double>(std::min(*retry_after, 60.0));
  double base = std::min(30.0, 0.5 * std::pow(2.0, attempt));
  return std::chrono::duration<double>(base * std::uniform_real_distribution(0.5, 1.5)(rng));
}

void work(Run& run, std::mt19937& rng);

void worker(Run& run, unsigned seed) {
  std::mt19937 rng(seed);
  work(run, rng);
  {
    std::lock_guard lock(run.queue_mutex);
    --run.live;
  }
  run.queue_cv.notify_all();
}

// Turns an answer into cache files; runs on the finishing threads, off the request path.
void finish_one(Run& run, std::size_t i, const tts::Synthesized& audio) {
  auto& phrase = run.todo[i];
  try {
    auto bytes = run.cache.store(phrase.key, tts::master(audio, run.config.tts));
    std::lock_guard lock(run.mutex);
    run.done.push_back({i, bytes});
  } catch (const std::exception& e) { // undecodable audio, a full disk…
    std::lock_guard lock(run.mutex);
    run.failures.push_back({phrase.text, phrase.use, e.what()});
    ++run.failed;
  }
  ++run.finished;
}

void finisher(Run& run) {
  for (;;) {
    std::unique_lock lock(run.queue_mutex);
    run.queue_cv.wait(lock, [&] { return !run.queue.empty() || run.live == 0; });
    if (run.queue.empty())
      return;
    auto [i, audio] = std::move(run.queue.front());
    run.queue.pop_front();
    lock.unlock();
    finish_one(run, i, audio);
  }
}

// Requests answers and journals them; decoding and writing files happen on the finishing
// threads, so the fsyncs of one phrase never delay the next request.
void work(Run& run, std::mt19937& rng) {
  for (;;) {
    auto i = run.next++;
    if (i >= run.todo.size() || run.aborted)
      return;
    auto& phrase = run.todo[i];
    std::optional<tts::Synthesized> audio;
    // An answer a killed run paid for is finished without a new request.
    if (auto it = run.recovered.find(phrase.key); it != run.recovered.end())
      audio = it->second;
    for (int attempt = 0; !audio; ++attempt) {
      if (run.aborted)
        return;
      try {
        run.bucket.acquire();
        ++run.requests;
        audio = run.engine.synthesize(phrase.text);
        run.journal.append(phrase.key, *audio);
      } catch (const tts::EngineError& e) {
        audio.reset();
        if (e.failure() == tts::Failure::abort) {
          std::lock_guard lock(run.mutex);
          if (!run.aborted.exchange(true))
            run.abort_reason = e.what();
          return;
        }
        if (e.failure() == tts::Failure::retry && attempt < run.config.tts.retries) {
          ++run.retries;
          std::this_thread::sleep_for(backoff(attempt, e.retry_after(), rng));
          continue;
        }
        std::lock_guard lock(run.mutex);
        run.failures.push_back({phrase.text, phrase.use, e.what()});
        ++run.failed;
        ++run.finished;
        break;
      } catch (const std::exception& e) { // the journal could not be written
        std::lock_guard lock(run.mutex);
        if (!run.aborted.exchange(true))
          run.abort_reason = e.what();
        return;
      }
    }
    if (!audio)
      continue;
    {
      std::lock_guard lock(run.queue_mutex);
      run.queue.emplace_back(i, std::move(*audio));
    }
    run.queue_cv.notify_one();
  }
}

} // namespace

WarmReport warm(store::Database& db, const config::Config& config, tts::Engine& engine,
                const tts::Cache& cache, const WarmOptions& options, const Progress& progress) {
  auto started = Clock::now();
  WarmReport r;
  auto identity = engine.identity();
  r.engine = identity.value("engine", config.tts.engine);
  std::vector<Phrase> phrases;
  {
    scoring::Directory dir(db, config);
    auto c = build_catalogue(dir, config, identity);
    r.fragments = c.fragments;
    phrases = std::move(c.phrases);
  }
  r.phrases = phrases.size();
  std::vector<Phrase> present;
  for (auto& p : phrases) {
    if (cache.complete(p.key)) {
      present.push_back(p);
      continue;
    }
    for (unsigned char ch : p.text) // characters, as services bill them: UTF-8 code points
      r.characters += (ch & 0xC0) != 0x80;
    r.estimated_cost += engine.price(p.text);
    r.missing.push_back(p);
  }
  r.present = present.size();
  // Phrases left on disk by a run that was killed before it wrote the manifest.
  if (options.dry_run == DryRun::no && !present.empty()) {
    store::Transaction tx(db);
    auto known = db.prepare("SELECT 1 FROM audio_cache WHERE key = ?");
    for (auto& p : present) {
      known.reset();
      known.bind(1, p.key);
      if (!known.step()) {
        std::error_code ec;
        std::int64_t bytes = 0;
        for (auto f : tts::k_formats)
          bytes += std::int64_t(std::filesystem::file_size(cache.file(p.key, f), ec));
        tts::record(db, p.key, p.text, identity, bytes);
      }
    }
    tx.commit();
  }
  if (options.dry_run == DryRun::yes || r.missing.empty()) {
    r.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return r;
  }

  int workers = int(std::min<std::size_t>(
      {std::size_t(options.concurrency.value_or(int(config.tts.concurrency))),
       std::size_t(std::max(1, engine.max_concurrency())), r.missing.size()}));
  r.workers = workers;
  // A local engine has no quota: only the workers bound it.
  double rate = engine.rate_limited() ? config.tts.rate_limit : 1e9;
  Run run(config, engine, cache, r.missing, rate, std::max(1.0, std::min(rate, double(workers))));
  std::vector<std::thread> threads;
  std::vector<std::filesystem::path> old_journals;
  run.recovered = tts::Journal::recover(cache.root(), old_journals);
  run.live = workers;
  for (int w = 0; w < workers; ++w)
    threads.emplace_back(worker, std::ref(run), unsigned(w + 1));
  // Decoding, resampling and fsync'd writes: one thread per core is plenty.
  std::vector<std::thread> finishers;
  run.finishing = int(std::max(1u, std::thread::hardware_concurrency()));
  for (int f = 0; f < run.finishing; ++f)
    finishers.emplace_back([&run] {
      finisher(run);
      --run.finishing;
    });
  while (run.finishing > 0) {
    if (progress)
      progress(run.finished, r.missing.size(), run.failed);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (auto& t : threads)
    t.join();
  for (auto& t : finishers)
    t.join();
  if (progress)
    progress(run.finished, r.missing.size(), run.failed);

  // Every answer of this run is stored or failed for good; those of killed runs were used.
  run.journal.remove();
  if (!run.aborted)
    for (auto& f : old_journals) {
      std::error_code ec;
      std::filesystem::remove(f, ec);
    }
  store::Transaction tx(db);
  for (auto& d : run.done) {
    auto& p = r.missing[d.index];
    tts::record(db, p.key, p.text, identity, d.bytes);
    r.bytes += d.bytes;
  }
  tx.commit();
  r.synthesized = run.done.size();
  r.requests = run.requests;
  r.retries = run.retries;
  r.failures = std::move(run.failures);
  r.aborted = run.aborted;
  r.abort_reason = run.abort_reason;
  r.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return r;
}

} // namespace sr::ivr
