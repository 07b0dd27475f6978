/* agi_minimal: the practical ceiling for a FastAGI server on this machine. One epoll loop,
 * non-blocking sockets, and nothing but the script: read the header up to its empty line, send
 * STREAM FILE "x" "123", read the reply line, send SET VARIABLE "SMARTROUTE_TARGET" "102", read
 * the reply line, close. No parsing beyond finding line ends, no timeouts, no logging.
 *
 * With --floor it sends serve-agi's command sequence for a menu call instead (pre-set target,
 * STREAM FILE, then SMARTROUTE_TARGET, _RESULT, _EMPLOYEE and _CLIENT in one EXEC MSet): the
 * same protocol work as serve-agi with no planning, so the two can be compared command for
 * command.
 *
 * Build: cc -O2 -o agi_minimal tests/bench/agi_minimal.c
 * Usage: agi_minimal PORT [--floor]   (listens on 127.0.0.1, backlog SOMAXCONN)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
  int step;    /* -1 while reading the header, then the index of the command awaiting its reply */
  int last_nl; /* the previous byte seen was '\n' (for the header's empty line) */
} Conn;

static Conn *conns;
static int nconns;

static const char *k_two[] = {"STREAM FILE \"x\" \"123\"\n", "SET VARIABLE \"SMARTROUTE_TARGET\" \"102\"\n"};
static const char *k_floor[] = {
    "SET VARIABLE \"SMARTROUTE_TARGET\" \"200\"\n",
    "STREAM FILE \"/var/lib/smartroute/cache/ab/abcdef0123456789\" \"1234\"\n",
    "EXEC \"MSet\" \"SMARTROUTE_TARGET=102,SMARTROUTE_RESULT=selected,SMARTROUTE_EMPLOYEE=e0002,"
    "SMARTROUTE_CLIENT=c000001\"\n"};
static const char **script = k_two;
static int nscript = 2;

static void drop(int ep, int fd) {
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
}

/* Commands are a few dozen bytes into an empty socket buffer: one send() suffices. */
static int say(int fd, const char *s, size_t n) {
  return send(fd, s, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

static void on_data(int ep, int fd) {
  Conn *c = &conns[fd];
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return;
    if (n <= 0) {
      drop(ep, fd);
      return;
    }
    for (ssize_t i = 0; i < n; i++) {
      if (buf[i] != '\n') {
        c->last_nl = 0;
        continue;
      }
      if (c->step < 0 && !c->last_nl) { /* a header line */
        c->last_nl = 1;
        continue;
      }
      /* the header's empty line, or the reply line to script[step]: send the next command */
      c->last_nl = 0;
      if (++c->step == nscript) {
        drop(ep, fd);
        return;
      }
      if (say(fd, script[c->step], strlen(script[c->step])) < 0) {
        drop(ep, fd);
        return;
      }
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--floor"))) {
    fprintf(stderr, "usage: agi_minimal PORT [--floor]\n");
    return 2;
  }
  if (argc == 3) {
    script = k_floor;
    nscript = 3;
  }
  signal(SIGPIPE, SIG_IGN);
  nconns = 1 << 16;
  conns = calloc((size_t)nconns, sizeof *conns);
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, SOMAXCONN) < 0) {
    perror("agi_minimal: listen");
    return 1;
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  fprintf(stderr, "agi_minimal: listening on 127.0.0.1:%s, %d commands\n", argv[1], nscript);
  struct epoll_event evs[256];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd != ls) {
        on_data(ep, fd);
        continue;
      }
      for (;;) {
        int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0)
          break;
        if (c >= nconns) {
          close(c);
          continue;
        }
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conns[c] = (Conn){-1, 0};
        struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
      }
    }
  }
}
