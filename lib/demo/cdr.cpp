#include "demo/cdr.h"

#include "demo/calendar.h"
#include "demo/output.h"
#include "demo/population.h"

#include <algorithm>
#include <string>
#include <vector>

namespace sr::demo {

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;

struct Outcome {
  std::string_view disposition;
  i64 ring = 0; // seconds before the answer, or of ringing
  i64 talk = 0; // billsec
};

// Percentages of answered, unanswered and busy calls; the rest failed.
Outcome outcome(Rng& rng, u64 answered, u64 no_answer, u64 busy) {
  u64 r = rng.below(100);
  if (r < answered) {
    i64 ring = rng.between(2, 25);
    u64 k = rng.below(100);
    i64 talk = k < 35   ? rng.between(5, 59)
               : k < 80 ? rng.between(60, 299)
               : k < 97 ? rng.between(300, 899)
                        : rng.between(900, 2700);
    return {"ANSWERED", ring, talk};
  }
  if (r < answered + no_answer)
    return {"NO ANSWER", rng.between(10, 60), 0};
  if (r < answered + no_answer + busy)
    return {"BUSY", rng.between(0, 4), 0};
  return {"FAILED", 0, 0};
}

// One row in the making; the strings are reused from row to row.
struct Call {
  std::string src, dst, clid, channel, dstchannel, lastdata;
  std::string_view dcontext;
  Outcome result;
};

// "PJSIP/201-0000001a": Asterisk's channel name, endpoint and a hex sequence number.
void put_channel(std::string& out, std::string_view endpoint, u64 seq) {
  out += "PJSIP/";
  out += endpoint;
  out += '-';
  put_hex8(out, seq);
}

// "\"Иван Петров\" <201>"
void put_clid(std::string& out, std::string_view name, std::string_view number) {
  out += '"';
  out += name;
  out += "\" <";
  out += number;
  out += '>';
}

void make_internal(const World& w, int from, int to, u64 seq, Rng& rng, Call& call) {
  const auto& caller = w.employees()[static_cast<std::size_t>(from)];
  put_uint(call.src, static_cast<u64>(caller.extension));
  put_uint(call.dst, static_cast<u64>(w.employees()[static_cast<std::size_t>(to)].extension));
  put_clid(call.clid, caller.callerid, call.src);
  put_channel(call.channel, call.src, seq);
  put_channel(call.dstchannel, call.dst, seq + 1);
  call.lastdata = "PJSIP/" + call.dst + ",30,tT";
  call.dcontext = "from-internal";
  call.result = outcome(rng, 80, 15, 5);
}

// Fills `call` with a call starting at `start`: from a client, to a client, or internal.
void make_call(const World& w, i64 start, u64 seq, Rng& rng, Call& call) {
  for (auto* s : {&call.src, &call.dst, &call.clid, &call.channel, &call.dstchannel})
    s->clear();
  const auto& callable = w.callable();
  u64 kind = rng.below(100);
  bool internal = kind >= 90 && callable.size() >= 2;
  bool incoming = !internal && (kind < 58 || kind >= 90);
  std::size_t first = rng.below(callable.size());
  int e = callable[first];
  if (internal) {
    int other = callable[(first + 1 + rng.below(callable.size() - 1)) % callable.size()];
    make_internal(w, e, other, seq, rng, call);
    return;
  }
  std::string nsn;
  const Block* b = nullptr;
  if (rng.percent(incoming ? 8 : 5)) {
    b = &w.stranger_number(rng, nsn);
  } else {
    i64 client = w.pick_client(rng);
    auto slot = static_cast<int>(rng.below(static_cast<u64>(w.phone_count(client))));
    b = &w.client_number(client, slot, nsn);
    e = w.pick_callee(client, start, rng);
  }
  const auto& emp = w.employees()[static_cast<std::size_t>(e)];
  std::string ext = std::to_string(emp.extension);
  if (incoming) {
    put_trunk_number(call.src, *b, nsn, rng);
    call.dst = ext;
    put_clid(call.clid, call.src, call.src);
    put_channel(call.channel, "trunk", seq);
    put_channel(call.dstchannel, ext, seq + 1);
    call.lastdata = "PJSIP/" + ext + ",30,tT";
    call.dcontext = "ext-local";
    call.result = outcome(rng, 74, 17, 7);
  } else {
    call.src = ext;
    put_dialled_number(call.dst, *b, nsn, rng);
    put_clid(call.clid, emp.callerid, ext);
    put_channel(call.channel, ext, seq);
    put_channel(call.dstchannel, "trunk", seq + 1);
    call.lastdata = "PJSIP/" + call.dst + "@trunk,300,T";
    call.dcontext = "from-internal";
    call.result = outcome(rng, 64, 20, 12);
  }
}

void put_time_field(std::string& out, i64 utc) {
  out += '"';
  put_local(out, utc + k_moscow, ' ');
  out += "\",";
}

// cdr_csv's columns: strings quoted, duration and billsec bare, as Asterisk writes them; an
// unanswered call has an empty answer time. uniqueid is the start time and the sequence.
void put_call(std::string& out, const Call& c, i64 start, u64 seq) {
  const Outcome& r = c.result;
  put_quoted(out, ""); // accountcode
  put_quoted(out, c.src);
  put_quoted(out, c.dst);
  put_quoted(out, c.dcontext);
  put_quoted(out, c.clid);
  put_quoted(out, c.channel);
  put_quoted(out, c.dstchannel);
  put_quoted(out, "Dial");
  put_quoted(out, c.lastdata);
  put_time_field(out, start);
  if (r.disposition == "ANSWERED")
    put_time_field(out, start + r.ring);
  else
    out += "\"\",";
  put_time_field(out, start + r.ring + r.talk);
  put_uint(out, static_cast<u64>(r.ring + r.talk));
  out += ',';
  put_uint(out, static_cast<u64>(r.talk));
  out += ',';
  put_quoted(out, r.disposition);
  put_quoted(out, "DOCUMENTATION");
  out += '"';
  put_uint(out, static_cast<u64>(start));
  out += '.';
  put_uint(out, seq);
  out += "\",\"\"\n"; // userfield
}

} // namespace

void write_cdr(const World& w, const Options& o, i64 rows, const std::filesystem::path& path) {
  Output f(path);
  Rng rng(o.seed, tag::cdr_stream);
  Calendar calendar(o.end - 3600); // the longest call still ends before `end`
  std::vector<u64> day;
  Call call;
  u64 seq = rng.below(4096);
  i64 done = 0;
  // Rows are apportioned to days by weight and sorted within a day, so the file is in time
  // order without holding it in memory.
  for (int d = 0; d < k_history_days; ++d) {
    auto upto = static_cast<i64>(static_cast<unsigned __int128>(rows) * calendar.cumulative(d) /
                                 calendar.total());
    day.clear();
    for (; done < upto; ++done)
      day.push_back(rng.below(calendar.day_mass(d)));
    std::sort(day.begin(), day.end());
    for (u64 mass : day) {
      i64 start = calendar.at(d, mass);
      make_call(w, start, seq, rng, call);
      put_call(f.buf(), call, start, seq);
      f.row_done();
      seq += 2 + rng.below(3);
    }
  }
  f.commit();
}

} // namespace sr::demo
