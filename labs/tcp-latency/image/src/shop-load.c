/*
 * shop-load — the front end's traffic to shopd: one long-lived connection per
 * endpoint, one request every 20 ms on each, every reply timed. Once a second it
 * writes the latency of the last 10 s, and a histogram since it started, to
 * /run/shop/latency (shopctl latency prints it).
 *
 * Usage: shop-load CONFIG REPORT — the three ports come from the `ports` line of
 * shopd's config. Which endpoint is on which port shop-load learns from the first
 * reply on each (a user record, a price record, a cart's item list).
 *
 * One thread per endpoint, named load-<endpoint> once it knows (load-<port> before).
 * Each request goes out with one write(); the reply is read as the protocol reads:
 * the 8-byte header, then the body it announces.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NEP 3
#define INTERVAL_NS 20000000L
#define WINDOW_S 10
#define RING 1024
static const char *names[NEP] = { "?", "?", "?" };   /* learned from the first reply */
static int ports[NEP];
static const double edges[] = { 1, 5, 20, 50, 100 };   /* histogram bucket bounds, ms */
#define NB 6

struct ep {
  pthread_mutex_t mu;
  double when[RING], ms[RING];
  unsigned long n, errors, hist[NB];
} eps[NEP];

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int read_full(int fd, void *buf, size_t len) {
  char *p = buf;
  while (len > 0) {
    ssize_t r = recv(fd, p, len, 0);
    if (r <= 0) { if (r < 0 && errno == EINTR) continue; return -1; }
    p += r; len -= (size_t)r;
  }
  return 0;
}

static int dial(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0) return fd;
  if (fd >= 0) close(fd);
  return -1;
}

static void *run(void *arg) {
  int i = (int)(intptr_t)arg;
  struct ep *e = &eps[i];
  int fd = -1;
  unsigned seq = 0;
  char tname[16];
  snprintf(tname, sizeof tname, "load-%d", ports[i]);   /* ps -L, top -H and /proc/<pid>/task show it */
  pthread_setname_np(pthread_self(), tname);
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (;;) {
    next.tv_nsec += INTERVAL_NS;
    if (next.tv_nsec >= 1000000000L) { next.tv_nsec -= 1000000000L; next.tv_sec++; }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
    if (t.tv_sec > next.tv_sec + 1) next = t;   /* fell far behind: do not burst to catch up */
    if (fd < 0 && (fd = dial(ports[i])) < 0) {
      pthread_mutex_lock(&e->mu); e->errors++; pthread_mutex_unlock(&e->mu);
      continue;
    }
    char req[64];
    int klen = snprintf(req + 4, sizeof req - 4, "k%06u", seq++ % 50000);
    uint32_t l = htonl((uint32_t)klen);
    memcpy(req, &l, 4);
    double t0 = now_s();
    uint32_t hdr[2];
    char body[2048];
    if (write(fd, req, 4 + (size_t)klen) != 4 + klen || read_full(fd, hdr, 8) < 0 ||
        ntohl(hdr[1]) > sizeof body || read_full(fd, body, ntohl(hdr[1])) < 0) {
      close(fd); fd = -1;
      pthread_mutex_lock(&e->mu); e->errors++; pthread_mutex_unlock(&e->mu);
      continue;
    }
    double t1 = now_s(), ms = (t1 - t0) * 1000;
    if (names[i][0] == '?') {   /* which endpoint this is, from what it answers */
      size_t n = ntohl(hdr[1]) < sizeof body ? ntohl(hdr[1]) : sizeof body - 1;
      body[n] = 0;
      names[i] = !strncmp(body, "user=", 5) ? "users" : strstr(body, "cents=") ? "prices" : strstr(body, "qty=") ? "carts" : "other";
      snprintf(tname, sizeof tname, "load-%s", names[i]);
      pthread_setname_np(pthread_self(), tname);
    }
    int b = 0;
    while (b < NB - 1 && ms >= edges[b]) b++;
    pthread_mutex_lock(&e->mu);
    e->when[e->n % RING] = t1; e->ms[e->n % RING] = ms; e->n++; e->hist[b]++;
    pthread_mutex_unlock(&e->mu);
  }
  return NULL;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void report(const char *path) {
  char tmp[256];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f) return;
  double now = now_s();
  fprintf(f, "last %d s, one request every %ld ms per endpoint:\n", WINDOW_S, INTERVAL_NS / 1000000);
  fprintf(f, "%-8s %5s %8s %8s %8s %8s %8s %8s %7s\n", "endpoint", "port", "requests", "p50 ms",
          "p90 ms", "p99 ms", "max ms", ">20 ms", "errors");
  unsigned long hist[NEP][NB];
  for (int i = 0; i < NEP; i++) {
    struct ep *e = &eps[i];
    static double v[RING];
    int c = 0, slow = 0;
    pthread_mutex_lock(&e->mu);
    unsigned long first = e->n > RING ? e->n - RING : 0, errors = e->errors;
    for (unsigned long k = first; k < e->n; k++)
      if (now - e->when[k % RING] <= WINDOW_S) { v[c] = e->ms[k % RING]; slow += v[c] > 20; c++; }
    memcpy(hist[i], e->hist, sizeof e->hist);
    pthread_mutex_unlock(&e->mu);
    qsort(v, (size_t)c, sizeof v[0], cmp);
    if (c == 0) { fprintf(f, "%-8s %5d %8d %8s %8s %8s %8s %8s %7lu\n", names[i], ports[i], 0, "-", "-", "-", "-", "-", errors); continue; }
    fprintf(f, "%-8s %5d %8d %8.2f %8.2f %8.2f %8.2f %8d %7lu\n", names[i], ports[i], c, v[c / 2],
            v[c * 9 / 10], v[c * 99 / 100], v[c - 1], slow, errors);
  }
  fprintf(f, "\nrequests by latency since shop-load started:\n");
  fprintf(f, "%-8s %5s %9s %9s %9s %9s %9s %9s\n", "endpoint", "port", "<1 ms", "1-5 ms", "5-20 ms",
          "20-50 ms", "50-100 ms", ">=100 ms");
  for (int i = 0; i < NEP; i++) {
    fprintf(f, "%-8s %5d", names[i], ports[i]);
    for (int b = 0; b < NB; b++) fprintf(f, " %9lu", hist[i][b]);
    fputc('\n', f);
  }
  fclose(f);
  rename(tmp, path);
}

/* The `ports = A B C` line of shopd's config. */
static int read_ports(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) { perror(path); return -1; }
  char line[256];
  int found = 0;
  while (!found && fgets(line, sizeof line, f))
    found = sscanf(line, " ports = %d %d %d", &ports[0], &ports[1], &ports[2]) == NEP;
  fclose(f);
  if (!found) fprintf(stderr, "shop-load: no 'ports = A B C' line in %s\n", path);
  return found ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: shop-load SHOPD_CONFIG REPORT_FILE\n"); return 2; }
  if (read_ports(argv[1]) < 0) return 2;
  for (int i = 0; i < NEP; i++) pthread_mutex_init(&eps[i].mu, NULL);
  signal(SIGPIPE, SIG_IGN);
  for (int i = 0; i < NEP; i++) { pthread_t t; pthread_create(&t, NULL, run, (void *)(intptr_t)i); }
  for (;;) { sleep(1); report(argv[2]); }
}
