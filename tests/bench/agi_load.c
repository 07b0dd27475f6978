/* agi_load: a synthetic Asterisk for FastAGI servers (shared/reference/agi.md §1.2, §1.4, §1.8).
 *
 * N sessions to 127.0.0.1:PORT, C at a time, one epoll loop, non-blocking sockets. Each session
 * sends the 24-line Asterisk 22 header (agi_arg_1 = a caller number, agi_arg_2 = the DID), then
 * answers the server's commands in strict lock-step, as Asterisk does:
 *   STREAM FILE    -> after --hold-ms: "200 result=50 endpos=9760" (digit 2) the first time,
 *                     "200 result=0 endpos=40000" after that
 *   WAIT FOR DIGIT -> "200 result=50"
 *   SET VARIABLE   -> "200 result=1" (the value of SMARTROUTE_TARGET / _RESULT is remembered)
 *   EXEC MSet      -> "200 result=0" (the same, for each NAME=value of its argument)
 *   anything else  -> "510 Invalid or unknown command"
 * and expects the server to close. A server that sends a second command before the reply to the
 * first (pipelining; Asterisk would never execute it, §1.8) fails the session.
 *
 * Failures: connect errors (refused, no port, or not connected within 2000 ms, Asterisk's
 * MAX_AGI_CONNECT), resets, timeouts (no byte from the server for --timeout-ms while a command or
 * the close is due), protocol (pipelining, over-long line), and sessions that ended without
 * SMARTROUTE_TARGET being set.
 *
 * Build: cc -O2 -o agi_load tests/bench/agi_load.c
 * Usage: agi_load --port P (--caller NUM | --callers FILE) [--sessions N] [--concurrency C]
 *                 [--hold-ms T] [--burst N] [--rate R] [--timeout-ms MS] [--max-seconds S]
 *                 [--watch-pid PID] [--name LABEL] [--seed S]
 * Prints a human summary on stderr and one "RESULT key=value ..." line on stdout.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_US 2000000LL
#define INBUF 8192
#define OUTBUF 2048

enum { S_FREE, S_CONNECTING, S_RUNNING, S_HOLDING };
enum { F_CONNECT, F_RESET, F_TIMEOUT, F_NOTARGET, F_PROTOCOL, F_KINDS };
static const char *fail_names[F_KINDS] = {"connect", "reset", "timeout", "no_target", "protocol"};

typedef struct {
  int fd, state, streams, commands, target_set, armed;
  int64_t t_start, t_first_cmd, deadline, hold_until;
  size_t inlen, outlen, outoff;
  char in[INBUF];
  char out[OUTBUF];
  char pending[64]; /* the reply to send when the hold ends */
  char result[32];
  long id;
} Sess;

typedef struct {
  int64_t t;
  long id; /* the session it belongs to; stale once the slot is reused */
  int sid;
  int kind; /* 0 = deadline check, 1 = hold end */
} Timer;

/* options */
static int o_port, o_sessions = 1000, o_concurrency = 100, o_hold_ms = 0, o_timeout_ms = 5000;
static int o_max_seconds = 300, o_burst = 0, o_watch = 0;
static double o_rate = 0;
static unsigned long long o_seed = 1;
static const char *o_name = "server";
static char **callers;
static size_t ncallers;

static Sess *sess;
static int nslots, epfd;
static Timer *heap;
static size_t heapn, heapcap;
static int64_t *lat_first, *lat_session;
static long nok, nfail[F_KINDS], started, finished, active, holding, max_open, max_holding;
static long results_n[8];
static char results_s[8][32];
static int nresults;
static long total_commands;

static int64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(2);
}

/* ---- timers: a binary min-heap, entries checked lazily against the session ---- */
static void heap_push(int64_t t, int sid, int kind) {
  long id = sess[sid].id;
  if (heapn == heapcap) {
    heapcap = heapcap ? heapcap * 2 : 1024;
    heap = realloc(heap, heapcap * sizeof *heap);
    if (!heap)
      die("out of memory");
  }
  size_t i = heapn++;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (heap[p].t <= t)
      break;
    heap[i] = heap[p];
    i = p;
  }
  heap[i] = (Timer){t, id, sid, kind};
}

static Timer heap_pop(void) {
  Timer top = heap[0], last = heap[--heapn];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= heapn)
      break;
    if (c + 1 < heapn && heap[c + 1].t < heap[c].t)
      c++;
    if (heap[c].t >= last.t)
      break;
    heap[i] = heap[c];
    i = c;
  }
  if (heapn)
    heap[i] = last;
  return top;
}

/* ---- the watched server: CPU ticks and RSS from /proc ---- */
static long long proc_cpu_ticks(int pid) {
  char path[64], buf[2048];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')'); /* the command name may contain spaces */
  if (!p)
    return -1;
  unsigned long long ut = 0, st = 0;
  /* after ") ": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
    return -1;
  return (long long)(ut + st);
}

static void proc_rss(int pid, long *rss, long *anon) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  *rss = *anon = -1;
  FILE *f = fopen(path, "r");
  if (!f)
    return;
  while (fgets(line, sizeof line, f)) {
    if (!strncmp(line, "VmRSS:", 6))
      *rss = atol(line + 6);
    else if (!strncmp(line, "RssAnon:", 8))
      *anon = atol(line + 8);
  }
  fclose(f);
}

static long rss_peak = -1, anon_peak = -1;
static void sample_rss(void) {
  if (!o_watch)
    return;
  long r, a;
  proc_rss(o_watch, &r, &a);
  if (r > rss_peak)
    rss_peak = r;
  if (a > anon_peak)
    anon_peak = a;
}

/* ---- sessions ---- */
static unsigned long long rng_state;
static unsigned long long rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static void set_events(Sess *s, int out) {
  struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.u32 = (uint32_t)(s - sess)};
  epoll_ctl(epfd, EPOLL_CTL_MOD, s->fd, &ev);
}

static void end_session(Sess *s, int fail) {
  int64_t t = now_us();
  if (fail < 0 && !s->target_set)
    fail = F_NOTARGET;
  if (fail < 0) {
    lat_first[nok] = s->t_first_cmd - s->t_start;
    lat_session[nok] = t - s->t_start;
    nok++;
    int k;
    for (k = 0; k < nresults; k++)
      if (!strcmp(results_s[k], s->result))
        break;
    if (k == nresults && nresults < 8)
      snprintf(results_s[nresults++], sizeof results_s[0], "%s", s->result);
    if (k < 8)
      results_n[k]++;
    total_commands += s->commands;
  } else {
    nfail[fail]++;
  }
  if (s->state == S_HOLDING)
    holding--;
  epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
  close(s->fd);
  s->fd = -1;
  s->state = S_FREE;
  active--;
  finished++;
}

/* Sends what is in s->out; returns -1 after ending the session. */
static int flush_out(Sess *s) {
  while (s->outoff < s->outlen) {
    ssize_t n = send(s->fd, s->out + s->outoff, s->outlen - s->outoff, MSG_NOSIGNAL);
    if (n > 0) {
      s->outoff += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      set_events(s, 1);
      return 0;
    }
    end_session(s, F_RESET);
    return -1;
  }
  s->outoff = s->outlen = 0;
  set_events(s, 0);
  return 0;
}

static int queue_out(Sess *s, const char *data, size_t len) {
  if (s->outlen + len > OUTBUF) {
    end_session(s, F_PROTOCOL);
    return -1;
  }
  memcpy(s->out + s->outlen, data, len);
  s->outlen += len;
  return flush_out(s);
}

static void start_session(int64_t t) {
  int sid;
  for (sid = 0; sid < nslots; sid++)
    if (sess[sid].state == S_FREE)
      break;
  if (sid == nslots)
    die("no free slot");
  Sess *s = &sess[sid];
  memset(s, 0, offsetof(Sess, in));
  s->pending[0] = s->result[0] = 0;
  s->id = started++;
  s->t_start = t;
  s->deadline = t + CONNECT_TIMEOUT_US;
  active++;
  if (active > max_open)
    max_open = active;
  s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd < 0)
    die("socket: %s (raise ulimit -n)", strerror(errno));
  int one = 1;
  setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o_port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  s->state = S_CONNECTING;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)sid};
  epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev);
  if (connect(s->fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
    end_session(s, F_CONNECT);
    return;
  }
  heap_push(s->deadline, sid, 0);
  s->armed = 1;
}

static void send_header(Sess *s) {
  const char *caller = callers[ncallers > 1 ? rng() % ncallers : 0];
  char h[OUTBUF];
  int n = snprintf(h, sizeof h,
                   "agi_network: yes\n"
                   "agi_network_script: smartroute\n"
                   "agi_request: agi://127.0.0.1:%d/smartroute\n"
                   "agi_channel: PJSIP/trunk-%08lx\n"
                   "agi_language: ru\n"
                   "agi_type: PJSIP\n"
                   "agi_uniqueid: 1795683658.%ld\n"
                   "agi_version: 22.10.1\n"
                   "agi_callerid: %s\n"
                   "agi_calleridname: unknown\n"
                   "agi_callingpres: 0\n"
                   "agi_callingani2: 0\n"
                   "agi_callington: 0\n"
                   "agi_callingtns: 0\n"
                   "agi_dnid: 5551000\n"
                   "agi_rdnis: unknown\n"
                   "agi_context: from-trunk\n"
                   "agi_extension: 5551000\n"
                   "agi_priority: 2\n"
                   "agi_enhanced: 0.0\n"
                   "agi_accountcode: \n"
                   "agi_threadid: 139818202347200\n"
                   "agi_arg_1: %s\n"
                   "agi_arg_2: 5551000\n"
                   "\n",
                   o_port, s->id, s->id, caller, caller);
  s->state = S_RUNNING;
  s->deadline = now_us() + (int64_t)o_timeout_ms * 1000;
  queue_out(s, h, (size_t)n);
}

/* Asterisk's tokeniser (parse_args): blanks separate, '"' toggles quoting, '\' escapes. */
static int tokens(const char *line, char out[][128], int max) {
  int n = 0, inq = 0, esc = 0, len = 0, have = 0;
  for (const char *p = line;; p++) {
    char c = *p;
    if (!c || (!inq && !esc && (c == ' ' || c == '\t'))) {
      if (have && n < max) {
        out[n][len] = 0;
        n++;
      }
      have = len = 0;
      if (!c)
        break;
      continue;
    }
    if (esc) {
      esc = 0;
    } else if (c == '\\') {
      esc = 1;
      have = 1;
      continue;
    } else if (c == '"') {
      inq = !inq;
      have = 1;
      continue;
    }
    if (n < max && len < 127)
      out[n][len++] = c;
    have = 1;
  }
  return n;
}

static int starts(const char *line, const char *verb) {
  size_t n = strlen(verb);
  return !strncasecmp(line, verb, n) && (line[n] == ' ' || line[n] == 0);
}

/* One command line from the server; returns -1 when the session ended. */
static int on_command(Sess *s, char *line) {
  s->commands++;
  if (!s->t_first_cmd)
    s->t_first_cmd = now_us();
  const char *reply = "510 Invalid or unknown command\n";
  if (starts(line, "STREAM FILE")) {
    reply = s->streams++ == 0 ? "200 result=50 endpos=9760\n" : "200 result=0 endpos=40000\n";
    if (o_hold_ms > 0) {
      snprintf(s->pending, sizeof s->pending, "%s", reply);
      s->state = S_HOLDING;
      holding++;
      if (holding > max_holding) {
        max_holding = holding;
        if (holding % 250 == 0 || holding == o_concurrency)
          sample_rss();
      }
      s->hold_until = now_us() + (int64_t)o_hold_ms * 1000;
      heap_push(s->hold_until, (int)(s - sess), 1);
      return 0;
    }
  } else if (starts(line, "WAIT FOR DIGIT")) {
    reply = "200 result=50\n";
  } else if (starts(line, "SET VARIABLE")) {
    char t[4][128];
    int n = tokens(line, t, 4);
    reply = "200 result=1\n";
    if (n == 4) {
      if (!strcmp(t[2], "SMARTROUTE_TARGET") && t[3][0])
        s->target_set = 1;
      else if (!strcmp(t[2], "SMARTROUTE_RESULT"))
        snprintf(s->result, sizeof s->result, "%.31s", t[3]);
    } else {
      reply = "520 Invalid command syntax.  Proper usage not available.\n";
    }
  } else if (starts(line, "EXEC")) {
    /* EXEC "MSet" "NAME=value,NAME=value": what MSet sets, as SET VARIABLE would */
    char t[3][128];
    reply = "200 result=-2\n"; /* Asterisk's answer for an application it does not have */
    if (tokens(line, t, 3) == 3 && !strcmp(t[1], "MSet")) {
      reply = "200 result=0\n";
      for (char *pair = strtok(t[2], ","); pair; pair = strtok(NULL, ",")) {
        char *eq = strchr(pair, '=');
        if (!eq)
          continue;
        *eq = 0;
        if (!strcmp(pair, "SMARTROUTE_TARGET") && eq[1])
          s->target_set = 1;
        else if (!strcmp(pair, "SMARTROUTE_RESULT"))
          snprintf(s->result, sizeof s->result, "%.31s", eq + 1);
      }
    }
  }
  return queue_out(s, reply, strlen(reply));
}

static void on_readable(Sess *s) {
  for (;;) {
    if (s->inlen == INBUF) {
      end_session(s, F_PROTOCOL); /* a line longer than Asterisk's 8 KiB buffer */
      return;
    }
    ssize_t n = recv(s->fd, s->in + s->inlen, INBUF - s->inlen, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return;
    if (n < 0) {
      end_session(s, F_RESET);
      return;
    }
    if (n == 0) { /* the server closed: the normal end */
      end_session(s, (s->inlen || s->state == S_HOLDING) ? F_PROTOCOL : -1);
      return;
    }
    s->inlen += (size_t)n;
    s->deadline = now_us() + (int64_t)o_timeout_ms * 1000;
    if (s->state != S_RUNNING || s->outlen) {
      end_session(s, F_PROTOCOL); /* bytes while a command is outstanding: pipelining */
      return;
    }
    char *nl = memchr(s->in, '\n', s->inlen);
    if (!nl)
      continue;
    size_t linelen = (size_t)(nl - s->in);
    if (linelen + 1 != s->inlen) {
      end_session(s, F_PROTOCOL); /* a second command behind the first */
      return;
    }
    *nl = 0;
    if (linelen && s->in[linelen - 1] == '\r')
      s->in[linelen - 1] = 0;
    char line[INBUF];
    memcpy(line, s->in, linelen + 1);
    s->inlen = 0;
    if (on_command(s, line) < 0)
      return;
  }
}

static void on_event(int sid, uint32_t ev) {
  Sess *s = &sess[sid];
  if (s->state == S_FREE)
    return;
  if (s->state == S_CONNECTING) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err || (ev & (EPOLLERR | EPOLLHUP))) {
      end_session(s, F_CONNECT);
      return;
    }
    if (ev & EPOLLOUT)
      send_header(s);
    return;
  }
  if ((ev & EPOLLOUT) && s->outlen && flush_out(s) < 0)
    return;
  if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))
    on_readable(s);
}

static void on_timer(Timer t, int64_t now) {
  Sess *s = &sess[t.sid];
  if (s->state == S_FREE || s->id != t.id)
    return;
  if (t.kind == 1) {
    if (s->state != S_HOLDING || s->hold_until != t.t)
      return;
    s->state = S_RUNNING;
    holding--;
    s->deadline = now + (int64_t)o_timeout_ms * 1000;
    if (!s->armed) {
      heap_push(s->deadline, t.sid, 0);
      s->armed = 1;
    }
    queue_out(s, s->pending, strlen(s->pending));
    return;
  }
  s->armed = 0;
  if (s->state == S_HOLDING)
    return; /* re-armed when the hold ends */
  if (s->deadline <= now) {
    end_session(s, s->state == S_CONNECTING ? F_CONNECT : F_TIMEOUT);
    return;
  }
  heap_push(s->deadline, t.sid, 0);
  s->armed = 1;
}

static int cmp64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static int64_t pct(int64_t *v, long n, double p) {
  if (n <= 0)
    return -1;
  long i = (long)(p * (double)(n - 1) + 0.5);
  return v[i];
}

static void load_callers(const char *file) {
  FILE *f = fopen(file, "r");
  if (!f)
    die("cannot open %s", file);
  char line[256];
  size_t cap = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0])
      continue;
    if (ncallers == cap) {
      cap = cap ? cap * 2 : 1024;
      callers = realloc(callers, cap * sizeof *callers);
    }
    callers[ncallers++] = strdup(line);
  }
  fclose(f);
  if (!ncallers)
    die("%s: no numbers", file);
}

static void usage(void) {
  die("usage: agi_load --port P (--caller NUM | --callers FILE) [--sessions N] [--concurrency C]\n"
      "       [--hold-ms T] [--burst N] [--rate PER_S] [--timeout-ms MS] [--max-seconds S]\n"
      "       [--watch-pid PID] [--name LABEL] [--seed S]");
}

int main(int argc, char **argv) {
  static char *one[1];
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (!strcmp(a, name) && v && ++i)
    if (OPT("--port"))
      o_port = atoi(v);
    else if (OPT("--sessions"))
      o_sessions = atoi(v);
    else if (OPT("--concurrency"))
      o_concurrency = atoi(v);
    else if (OPT("--hold-ms"))
      o_hold_ms = atoi(v);
    else if (OPT("--burst"))
      o_burst = atoi(v);
    else if (OPT("--rate"))
      o_rate = atof(v);
    else if (OPT("--timeout-ms"))
      o_timeout_ms = atoi(v);
    else if (OPT("--max-seconds"))
      o_max_seconds = atoi(v);
    else if (OPT("--watch-pid"))
      o_watch = atoi(v);
    else if (OPT("--name"))
      o_name = v;
    else if (OPT("--seed"))
      o_seed = strtoull(v, NULL, 10);
    else if (OPT("--caller")) {
      one[0] = (char *)v;
      callers = one;
      ncallers = 1;
    } else if (OPT("--callers"))
      load_callers(v);
    else
      usage();
#undef OPT
  }
  if (o_port <= 0 || !ncallers)
    usage();
  if (o_burst > 0) { /* every connection opened at once */
    o_sessions = o_concurrency = o_burst;
    o_rate = 0;
  }
  if (o_concurrency > o_sessions)
    o_concurrency = o_sessions;
  if (o_concurrency < 1 || o_sessions < 1)
    usage();
  rng_state = o_seed * 0x9E3779B97F4A7C15ULL + 1;

  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < (rlim_t)o_concurrency + 64) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)o_concurrency + 64)
      die("ulimit -n %llu is below the concurrency", (unsigned long long)rl.rlim_cur);
  }

  nslots = o_concurrency;
  sess = calloc((size_t)nslots, sizeof *sess);
  lat_first = calloc((size_t)o_sessions, sizeof *lat_first);
  lat_session = calloc((size_t)o_sessions, sizeof *lat_session);
  if (!sess || !lat_first || !lat_session)
    die("out of memory");
  for (int i = 0; i < nslots; i++)
    sess[i].fd = -1;
  epfd = epoll_create1(EPOLL_CLOEXEC);

  long long cpu0 = o_watch ? proc_cpu_ticks(o_watch) : -1;
  long rss0 = -1, anon0 = -1;
  if (o_watch) {
    proc_rss(o_watch, &rss0, &anon0);
    rss_peak = rss0;
    anon_peak = anon0;
  }
  int64_t t0 = now_us(), stop_at = t0 + (int64_t)o_max_seconds * 1000000, next_sample = t0;
  double next_start = (double)t0;
  int timed_out = 0;
  struct epoll_event evs[512];

  while (finished < o_sessions) {
    int64_t t = now_us();
    if (t >= stop_at) {
      timed_out = 1;
      break;
    }
    /* start sessions up to the concurrency (and the rate, if any) */
    while (started < o_sessions && active < o_concurrency && (o_rate <= 0 || (double)t >= next_start)) {
      start_session(t);
      if (o_rate > 0)
        next_start += 1e6 / o_rate;
    }
    if (o_watch && t >= next_sample) {
      sample_rss();
      next_sample = t + 50000;
    }
    int64_t wake = stop_at;
    if (heapn && heap[0].t < wake)
      wake = heap[0].t;
    if (o_rate > 0 && started < o_sessions && active < o_concurrency && (int64_t)next_start < wake)
      wake = (int64_t)next_start;
    if (o_watch && next_sample < wake)
      wake = next_sample;
    int ms = wake <= t ? 0 : (int)((wake - t + 999) / 1000);
    int n = epoll_wait(epfd, evs, 512, ms);
    for (int i = 0; i < n; i++)
      on_event((int)evs[i].data.u32, evs[i].events);
    t = now_us();
    while (heapn && heap[0].t <= t)
      on_timer(heap_pop(), t);
  }
  int64_t t1 = now_us();
  if (timed_out) { /* the run's own bound: whatever is still open failed */
    for (int i = 0; i < nslots; i++)
      if (sess[i].state != S_FREE)
        end_session(&sess[i], sess[i].state == S_CONNECTING ? F_CONNECT : F_TIMEOUT);
    nfail[F_TIMEOUT] += o_sessions - started;
  }
  long long cpu1 = o_watch ? proc_cpu_ticks(o_watch) : -1;
  long rss1 = -1, anon1 = -1;
  if (o_watch) {
    sample_rss();
    proc_rss(o_watch, &rss1, &anon1);
  }

  qsort(lat_first, (size_t)nok, sizeof *lat_first, cmp64);
  qsort(lat_session, (size_t)nok, sizeof *lat_session, cmp64);
  double secs = (double)(t1 - t0) / 1e6;
  long failures = 0;
  for (int k = 0; k < F_KINDS; k++)
    failures += nfail[k];
  double cpu_us = -1;
  if (cpu0 >= 0 && cpu1 >= 0 && nok > 0)
    cpu_us = (double)(cpu1 - cpu0) * 1e6 / (double)sysconf(_SC_CLK_TCK) / (double)nok;

  fprintf(stderr,
          "%s: %ld sessions (concurrency %d, hold %d ms%s) in %.2f s: %.0f sessions/s, %ld ok, "
          "%ld failed (",
          o_name, (long)o_sessions, o_concurrency, o_hold_ms, o_burst ? ", burst" : "", secs,
          (double)nok / secs, nok, failures);
  for (int k = 0; k < F_KINDS; k++)
    fprintf(stderr, "%s%s %ld", k ? ", " : "", fail_names[k], nfail[k]);
  fprintf(stderr, ")\n  connect->first command p50 %lld us, p99 %lld us, max %lld us; session p50 %lld us, p99 %lld us\n",
          (long long)pct(lat_first, nok, .5), (long long)pct(lat_first, nok, .99),
          (long long)pct(lat_first, nok, 1), (long long)pct(lat_session, nok, .5),
          (long long)pct(lat_session, nok, .99));
  fprintf(stderr, "  commands per session %.2f; most open at once %ld, holding %ld; results:",
          nok ? (double)total_commands / (double)nok : 0.0, max_open, max_holding);
  for (int k = 0; k < nresults; k++)
    fprintf(stderr, " %s=%ld", results_s[k][0] ? results_s[k] : "(unset)", results_n[k]);
  fputc('\n', stderr);
  if (o_watch)
    fprintf(stderr, "  server pid %d: cpu %.1f us/session; VmRSS %ld -> peak %ld -> end %ld KB (anon %ld -> %ld -> %ld KB)\n",
            o_watch, cpu_us, rss0, rss_peak, rss1, anon0, anon_peak, anon1);

  printf("RESULT name=%s sessions=%d concurrency=%d hold_ms=%d burst=%d seconds=%.3f rate=%.1f ok=%ld "
         "failures=%ld",
         o_name, o_sessions, o_concurrency, o_hold_ms, o_burst, secs, (double)nok / secs, nok, failures);
  for (int k = 0; k < F_KINDS; k++)
    printf(" fail_%s=%ld", fail_names[k], nfail[k]);
  printf(" first_p50_us=%lld first_p99_us=%lld first_max_us=%lld session_p50_us=%lld session_p99_us=%lld "
         "commands_per_session=%.2f max_open=%ld max_holding=%ld cpu_us_per_session=%.1f rss_start_kb=%ld "
         "rss_peak_kb=%ld rss_end_kb=%ld anon_start_kb=%ld anon_peak_kb=%ld anon_end_kb=%ld timed_out=%d\n",
         (long long)pct(lat_first, nok, .5), (long long)pct(lat_first, nok, .99),
         (long long)pct(lat_first, nok, 1), (long long)pct(lat_session, nok, .5),
         (long long)pct(lat_session, nok, .99), nok ? (double)total_commands / (double)nok : 0.0, max_open,
         max_holding, cpu_us, rss0, rss_peak, rss1, anon0, anon_peak, anon1, timed_out);
  return failures ? 1 : 0;
}
