/* quoted — a small pricing service, the subject of the cpu-throttling lab.
 *
 * Two kinds of work share one process (and so one cgroup, one CPU quota):
 *   - quote lookups: UDP requests on 127.0.0.1:7070, answered by the "api" thread.
 *     Each costs a fraction of a millisecond of CPU; clients care about their latency.
 *   - repricing bursts: every burst_every_ms the "feed" thread queues a burst of jobs,
 *     each job_ms of CPU time, and the pool of `workers` threads works them off.
 *     How many jobs one burst holds is up to upstream: it comes with this
 *     installation's feed subscription, sealed in /var/lib/quoted/profile
 *     (kdlabs-sealed.h), and quoted neither prints nor reports it.
 *
 * Usage: quoted /etc/quoted.conf   (see the config file for the settings)
 * Stats: /run/quoted/stats, rewritten once a second.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <kdlabs-sealed.h>

#define PROFILE_PATH "/var/lib/quoted/profile"
/* The burst sizes a feed subscription can have, in the order the profile seals them. */
static const char *const burst_names[] = { "20", "24" };
#define NBURSTS 2

static int workers = 8, burst_jobs, job_ms = 10, burst_every_ms = 500, quote_us = 100;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static long queued;                    /* jobs waiting for a worker */
static long pending_bursts;            /* bursts with jobs queued or still being worked on */
static long burst_left;                /* jobs of the oldest pending burst not yet finished */
static atomic_long bursts, quotes;

static double now_ms(clockid_t clk) {
  struct timespec ts;
  clock_gettime(clk, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Burn `ms` of this thread's own CPU time: a job costs the same CPU however
 * long the scheduler (or the CPU quota) keeps it waiting. */
static void burn(double ms) {
  double end = now_ms(CLOCK_THREAD_CPUTIME_ID) + ms;
  volatile unsigned long x = 1;
  while (now_ms(CLOCK_THREAD_CPUTIME_ID) < end)
    for (int i = 0; i < 2000; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
}

static void *worker(void *arg) {
  (void)arg;
  prctl(PR_SET_NAME, "quoted-worker");
  /* Repricing is background work: its threads run at nice 10 so that, when they
   * compete with the API thread for a CPU, the lookups go first. */
  setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
  for (;;) {
    pthread_mutex_lock(&lock);
    while (queued == 0) pthread_cond_wait(&work, &lock);
    queued--;
    pthread_mutex_unlock(&lock);
    burn(job_ms);
    pthread_mutex_lock(&lock);
    if (--burst_left == 0 && pending_bursts > 0) {   /* the oldest burst is done */
      pending_bursts--;
      burst_left = pending_bursts ? burst_jobs : 0;
    }
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

/* Upstream sends a burst of repricing jobs on a fixed schedule. */
static void *feed(void *arg) {
  (void)arg;
  prctl(PR_SET_NAME, "quoted-feed");
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (;;) {
    next.tv_nsec += (long)burst_every_ms * 1000000L;
    while (next.tv_nsec >= 1000000000L) { next.tv_nsec -= 1000000000L; next.tv_sec++; }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {}
    pthread_mutex_lock(&lock);
    queued += burst_jobs;
    if (pending_bursts++ == 0) burst_left = burst_jobs;
    pthread_cond_broadcast(&work);
    pthread_mutex_unlock(&lock);
    atomic_fetch_add(&bursts, 1);
  }
  return NULL;
}

/* Answers each quote request with the same bytes after a little pricing work. */
static void *api(void *arg) {
  int fd = *(int *)arg;
  prctl(PR_SET_NAME, "quoted-api");
  char buf[256];
  for (;;) {
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    if (n < 0) continue;
    burn(quote_us / 1000.0);
    sendto(fd, buf, n, 0, (struct sockaddr *)&from, len);
    atomic_fetch_add(&quotes, 1);
  }
  return NULL;
}

static void read_config(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) { perror(path); exit(1); }
  char line[256], key[64];
  int val, lineno = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    char *p = line + strspn(line, " \t");
    if (*p == '#' || *p == '\n' || *p == 0) continue;
    if (sscanf(p, "%63[a-z_] = %d", key, &val) != 2) {
      fprintf(stderr, "%s:%d: expected 'name = number'\n", path, lineno);
      exit(1);
    }
    if (!strcmp(key, "workers")) workers = val;
    else if (!strcmp(key, "job_ms")) job_ms = val;
    else if (!strcmp(key, "burst_every_ms")) burst_every_ms = val;
    else if (!strcmp(key, "quote_us")) quote_us = val;
    else { fprintf(stderr, "%s:%d: unknown setting '%s'\n", path, lineno, key); exit(1); }
  }
  fclose(f);
  if (workers < 1 || workers > 64 || job_ms < 1 || burst_every_ms < 10 || quote_us < 0) {
    fprintf(stderr, "%s: a setting is out of range\n", path);
    exit(1);
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "--seal")) return kdlabs_seal_main(burst_names, NBURSTS);
  read_config(argc > 1 ? argv[1] : "/etc/quoted.conf");
  int burst = kdlabs_sealed_choice(PROFILE_PATH, NBURSTS);
  if (burst < 0) return 1;
  burst_jobs = atoi(burst_names[burst]);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(7070) };
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("bind 127.0.0.1:7070"); return 1; }
  pthread_t t;
  for (int i = 0; i < workers; i++) pthread_create(&t, NULL, worker, NULL);
  pthread_create(&t, NULL, api, &fd);
  pthread_create(&t, NULL, feed, NULL);
  printf("quoted: workers=%d, a burst of %d ms jobs every %d ms, quotes on udp 127.0.0.1:7070\n",
         workers, job_ms, burst_every_ms);
  fflush(stdout);
  for (;;) {   /* the main thread only publishes counters */
    sleep(1);
    FILE *f = fopen("/run/quoted/stats.tmp", "w");
    if (!f) continue;
    pthread_mutex_lock(&lock);
    long pending = pending_bursts;
    pthread_mutex_unlock(&lock);
    fprintf(f, "workers %d\nbursts %ld\nbursts_pending %ld\nquotes %ld\n", workers,
            atomic_load(&bursts), pending, atomic_load(&quotes));
    fclose(f);
    rename("/run/quoted/stats.tmp", "/run/quoted/stats");
  }
}
