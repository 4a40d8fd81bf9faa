// tallyd — a small multi-threaded request processor (lock-contention lab).
//
// N worker threads each take requests from a built-in generator and pass every
// request through three stages, each guarding its table with its own mutex:
//   route  (route_lock) — look up where the request goes
//   cache  (cache_lock) — look up / fill the response cache
//   stats  (stats_lock) — account the request in per-client counters
// One stage also calls a slow backend (about 1 ms) for every request. Which one
// is fixed per installation, sealed in /var/lib/tallyd/profile (kdlabs-sealed.h). The backend call
// happens while that stage's lock is held, so with one global mutex the whole
// service runs one request at a time, however many threads it has.
//
// Each lock is either `global` (one mutex for the whole table) or `sharded`
// (NSHARDS mutexes, one per slice of the table, chosen by the request key),
// set per lock in /etc/tallyd.conf. Every second the service writes its
// throughput and latency to /run/tallyd/stats.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kdlabs-sealed.h>

#define NSHARDS 256
#define SLOTS 4096
#define MAX_THREADS 64
#define BACKEND_NS 1000000L /* one backend round trip: 1 ms */

enum stage { ROUTE, CACHE, STATS, NSTAGES };
static const char *const stage_names[NSTAGES] = {"route", "cache", "stats"};

// The three locks: element 0 is the only one used in global mode.
static pthread_mutex_t route_lock[NSHARDS];
static pthread_mutex_t cache_lock[NSHARDS];
static pthread_mutex_t stats_lock[NSHARDS];
static pthread_mutex_t *locks[NSTAGES] = {route_lock, cache_lock, stats_lock};

// The tables the locks protect.
static uint64_t tables[NSTAGES][SLOTS];

static int sharded[NSTAGES];
static int backend_stage; // the sealed choice, read in main()
static int nthreads = 8;

struct worker {
  pthread_t thread;
  int id;
  _Atomic uint64_t requests;
  _Atomic uint64_t latency_ns; // sum over all requests
  _Atomic uint64_t max_latency_ns;
} __attribute__((aligned(64)));
static struct worker workers[MAX_THREADS];

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}

// The slow dependency: a round trip to a backend that answers in ~1 ms.
static void call_backend(void) {
  struct timespec ts = {0, BACKEND_NS};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

static void run_stage(int s, uint64_t key) {
  // Sharded: the key picks one of NSHARDS mutexes; global: always the first.
  pthread_mutex_t *m = &locks[s][sharded[s] ? key % NSHARDS : 0];
  pthread_mutex_lock(m);
  uint64_t *slot = &tables[s][key % SLOTS];
  *slot = mix(*slot + key);
  if (s == backend_stage) call_backend(); // held across the slow call
  pthread_mutex_unlock(m);
}

static void *worker_main(void *arg) {
  struct worker *w = arg;
  char name[16];
  snprintf(name, sizeof name, "tally-w%d", w->id);
  pthread_setname_np(pthread_self(), name);
  uint64_t seq = (uint64_t)w->id << 40;
  for (;;) {
    uint64_t t0 = now_ns();
    uint64_t key = mix(++seq);
    // Parsing and building the answer: a little CPU outside any lock.
    uint64_t h = key;
    for (int i = 0; i < 2000; i++) h = mix(h + (uint64_t)i);
    for (int s = 0; s < NSTAGES; s++) run_stage(s, key ^ (h & 1));
    uint64_t lat = now_ns() - t0;
    atomic_fetch_add(&w->requests, 1);
    atomic_fetch_add(&w->latency_ns, lat);
    if (lat > atomic_load(&w->max_latency_ns)) atomic_store(&w->max_latency_ns, lat);
  }
  return NULL;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  char *e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = '\0';
  return s;
}

static int read_config(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    return -1;
  }
  char line[256];
  int lineno = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    char *l = trim(line);
    if (*l == '#' || *l == '\0') continue;
    char *eq = strchr(l, '=');
    if (!eq) {
      fprintf(stderr, "%s:%d: expected key = value\n", path, lineno);
      return -1;
    }
    *eq = '\0';
    char *k = trim(l), *v = trim(eq + 1);
    if (strcmp(k, "threads") == 0) {
      nthreads = atoi(v);
      if (nthreads < 1 || nthreads > MAX_THREADS) {
        fprintf(stderr, "%s:%d: threads must be 1..%d\n", path, lineno, MAX_THREADS);
        return -1;
      }
      continue;
    }
    int found = 0;
    for (int s = 0; s < NSTAGES; s++) {
      char want[32];
      snprintf(want, sizeof want, "%s_lock", stage_names[s]);
      if (strcmp(k, want) != 0) continue;
      found = 1;
      if (strcmp(v, "global") == 0) sharded[s] = 0;
      else if (strcmp(v, "sharded") == 0) sharded[s] = 1;
      else {
        fprintf(stderr, "%s:%d: %s must be global or sharded\n", path, lineno, k);
        return -1;
      }
    }
    if (!found) {
      fprintf(stderr, "%s:%d: unknown setting '%s'\n", path, lineno, k);
      return -1;
    }
  }
  fclose(f);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--seal") == 0) return kdlabs_seal_main(stage_names, NSTAGES);
  const char *conf = argc > 1 ? argv[1] : "/etc/tallyd.conf";
  if (read_config(conf) != 0) return 1;
  backend_stage = kdlabs_sealed_choice("/var/lib/tallyd/profile", NSTAGES);
  if (backend_stage < 0) return 1;
  for (int s = 0; s < NSTAGES; s++)
    for (int i = 0; i < NSHARDS; i++) pthread_mutex_init(&locks[s][i], NULL);

  for (int i = 0; i < nthreads; i++) {
    workers[i].id = i;
    if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
      perror("pthread_create");
      return 1;
    }
  }
  fprintf(stderr, "tallyd: %d threads; route_lock=%s cache_lock=%s stats_lock=%s\n", nthreads,
          sharded[ROUTE] ? "sharded" : "global", sharded[CACHE] ? "sharded" : "global",
          sharded[STATS] ? "sharded" : "global");

  // Once a second: requests/s and mean/max latency over the last second.
  uint64_t prev_req = 0, prev_lat = 0, t_prev = now_ns();
  for (;;) {
    sleep(1);
    uint64_t req = 0, lat = 0, max = 0, t = now_ns();
    for (int i = 0; i < nthreads; i++) {
      req += atomic_load(&workers[i].requests);
      lat += atomic_load(&workers[i].latency_ns);
      uint64_t m = atomic_exchange(&workers[i].max_latency_ns, 0);
      if (m > max) max = m;
    }
    double secs = (double)(t - t_prev) / 1e9;
    uint64_t dr = req - prev_req;
    FILE *f = fopen("/run/tallyd/stats.tmp", "w");
    if (f) {
      fprintf(f, "threads %d\nrequests_total %llu\nrequests_per_s %.0f\nlatency_avg_ms %.2f\nlatency_max_ms %.2f\n",
              nthreads, (unsigned long long)req, dr / secs, dr ? (double)(lat - prev_lat) / dr / 1e6 : 0.0,
              (double)max / 1e6);
      fclose(f);
      rename("/run/tallyd/stats.tmp", "/run/tallyd/stats");
    }
    prev_req = req;
    prev_lat = lat;
    t_prev = t;
  }
}
