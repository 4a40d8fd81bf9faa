/*
 * relayd — forwards a fixed stream of telemetry records from a producer to a
 * sink over a Unix socket. The stream rate is set by "upstream" (the config's
 * `rate`), so the amount of data is fixed; how relayd hands it to the kernel
 * is not:
 *
 *   write_mode = single    one system call per 64-byte record  (the default: slow)
 *   write_mode = batched   records gathered in a buffer, one write(2) per batch
 *   write_mode = vectored  records gathered as an iovec array, one writev(2)
 *
 * In single mode the call that hands over a record depends on the profile of
 * this installation, sealed in /var/lib/relayd/profile (kdlabs-sealed.h):
 * write(2), writev(2) with one iovec, or pwritev2(2) at the current offset
 * (-1), which on a socket behaves like writev(2).
 *
 * The sink reads whatever arrives and counts it. Both sides report once a
 * second to /run/relayd/stats.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <kdlabs-sealed.h>

#define RECORD_SIZE 64
#define MAX_IOV 1024 /* IOV_MAX on Linux */
#define TICK_NS 1000000L /* producer wakes every 1 ms to emit what is due */

enum mode { MODE_SINGLE, MODE_BATCHED, MODE_VECTORED };
enum record_call { CALL_WRITE, CALL_WRITEV, CALL_PWRITEV2, NCALLS };
static const char *const call_names[NCALLS] = { "write", "writev", "pwritev2" };
#define PROFILE_PATH "/var/lib/relayd/profile"

struct config {
    long rate;           /* records per second */
    enum mode mode;
    size_t batch_bytes;  /* flush a batch at this size ... */
    long flush_ms;       /* ... or after this long */
    enum record_call call; /* single mode: how one record is handed over */
};

static volatile sig_atomic_t stopping;
static void on_term(int sig) { (void)sig; stopping = 1; }

static const char *mode_name(enum mode m)
{
    return m == MODE_SINGLE ? "single" : m == MODE_BATCHED ? "batched" : "vectored";
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = 0;
    return s;
}

static int load_config(const char *path, struct config *c)
{
    c->rate = 100000;
    c->mode = MODE_SINGLE;
    c->batch_bytes = 65536;
    c->flush_ms = 10;
    FILE *f = fopen(path, "r");
    if (!f) { fprintf(stderr, "relayd: cannot read %s: %s\n", path, strerror(errno)); return -1; }
    char line[256];
    int lineno = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *eq = strchr(line, '=');
        char *key = trim(line);
        if (!*key) continue;
        if (!eq) { fprintf(stderr, "relayd: %s:%d: expected key = value\n", path, lineno); bad = 1; continue; }
        *eq = 0;
        key = trim(line);
        char *val = trim(eq + 1);
        if (!strcmp(key, "rate")) c->rate = atol(val);
        else if (!strcmp(key, "batch_bytes")) c->batch_bytes = (size_t)atol(val);
        else if (!strcmp(key, "flush_ms")) c->flush_ms = atol(val);
        else if (!strcmp(key, "write_mode")) {
            if (!strcmp(val, "single")) c->mode = MODE_SINGLE;
            else if (!strcmp(val, "batched")) c->mode = MODE_BATCHED;
            else if (!strcmp(val, "vectored")) c->mode = MODE_VECTORED;
            else { fprintf(stderr, "relayd: %s:%d: write_mode must be single, batched or vectored, not \"%s\"\n", path, lineno, val); bad = 1; }
        } else { fprintf(stderr, "relayd: %s:%d: unknown key \"%s\"\n", path, lineno, key); bad = 1; }
    }
    fclose(f);
    if (c->rate < 1 || c->rate > 10000000) { fprintf(stderr, "relayd: rate must be 1..10000000\n"); bad = 1; }
    if (c->batch_bytes < RECORD_SIZE || c->batch_bytes > (1 << 24)) { fprintf(stderr, "relayd: batch_bytes must be %d..16777216\n", RECORD_SIZE); bad = 1; }
    if (c->flush_ms < 1 || c->flush_ms > 1000) { fprintf(stderr, "relayd: flush_ms must be 1..1000\n"); bad = 1; }
    return bad ? -1 : 0;
}

static long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) { if (errno == EINTR) continue; return -1; }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* One record in single mode, with the installation's record call. */
static int send_record(int fd, enum record_call call, char *rec, size_t len)
{
    if (call == CALL_WRITE) return write_all(fd, rec, len);
    struct iovec v = { rec, len };
    while (v.iov_len) {
        ssize_t n = call == CALL_WRITEV ? writev(fd, &v, 1) : pwritev2(fd, &v, 1, -1, 0);
        if (n < 0) { if (errno == EINTR) continue; return -1; }
        v.iov_base = (char *)v.iov_base + n;
        v.iov_len -= (size_t)n;
    }
    return 0;
}

static int writev_all(int fd, struct iovec *iov, int cnt)
{
    while (cnt > 0) {
        ssize_t n = writev(fd, iov, cnt);
        if (n < 0) { if (errno == EINTR) continue; return -1; }
        while (cnt > 0 && (size_t)n >= iov->iov_len) { n -= (ssize_t)iov->iov_len; iov++; cnt--; }
        if (cnt > 0) { iov->iov_base = (char *)iov->iov_base + n; iov->iov_len -= (size_t)n; }
    }
    return 0;
}

static void write_stats(const char *who, const struct config *c, unsigned long long records, unsigned long long bytes)
{
    char path[128], tmp[140];
    snprintf(path, sizeof path, "/run/relayd/%s.stats", who);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return;
    fprintf(f, "mode=%s\nrate=%ld\nrecords=%llu\nbytes=%llu\n", mode_name(c->mode), c->rate, records, bytes);
    fclose(f);
    rename(tmp, path);
}

static void run_sink(int fd, const struct config *c)
{
    prctl(PR_SET_NAME, "relayd-sink");
    static char buf[1 << 18];
    unsigned long long bytes = 0;
    long last = now_ns();
    while (!stopping) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) { if (errno == EINTR) continue; break; }
        bytes += (unsigned long long)n;
        long t = now_ns();
        if (t - last >= 1000000000L) { write_stats("sink", c, bytes / RECORD_SIZE, bytes); last = t; }
    }
    write_stats("sink", c, bytes / RECORD_SIZE, bytes);
}

static void fill_record(char *rec, unsigned long long seq)
{
    /* A fixed-size, human-readable record: strace shows what is being sent. */
    int n = snprintf(rec, RECORD_SIZE, "seq=%llu temp=%d.%d host=node-%02llu ", seq, 20 + (int)(seq % 15), (int)(seq % 10), seq % 64);
    memset(rec + n, '.', RECORD_SIZE - (size_t)n - 1);
    rec[RECORD_SIZE - 1] = '\n';
}

static void run_producer(int fd, const struct config *c)
{
    size_t cap = c->mode == MODE_VECTORED ? (size_t)MAX_IOV * RECORD_SIZE : c->batch_bytes;
    if (c->mode == MODE_SINGLE) cap = RECORD_SIZE;
    char *buf = malloc(cap);
    struct iovec *iov = calloc(MAX_IOV, sizeof *iov);
    if (!buf || !iov) { perror("relayd: malloc"); exit(1); }
    size_t used = 0;
    int iovcnt = 0;
    unsigned long long seq = 0, bytes = 0;
    long start = now_ns(), last_flush = start, last_stats = start;
    write_stats("producer", c, 0, 0); /* at once: "running" is visible before the first second */

    while (!stopping) {
        long t = now_ns();
        unsigned long long due = (unsigned long long)((double)(t - start) * (double)c->rate / 1e9);
        while (seq < due && !stopping) {
            if (c->mode == MODE_SINGLE) {
                fill_record(buf, seq);
                if (send_record(fd, c->call, buf, RECORD_SIZE) < 0) return;
            } else {
                fill_record(buf + used, seq);
                if (c->mode == MODE_VECTORED) {
                    iov[iovcnt].iov_base = buf + used;
                    iov[iovcnt].iov_len = RECORD_SIZE;
                    iovcnt++;
                }
                used += RECORD_SIZE;
                if (used + RECORD_SIZE > cap) {
                    if ((c->mode == MODE_VECTORED ? writev_all(fd, iov, iovcnt) : write_all(fd, buf, used)) < 0) return;
                    used = 0; iovcnt = 0; last_flush = now_ns();
                }
            }
            seq++;
            bytes += RECORD_SIZE;
        }
        t = now_ns();
        if (used && t - last_flush >= c->flush_ms * 1000000L) {
            if ((c->mode == MODE_VECTORED ? writev_all(fd, iov, iovcnt) : write_all(fd, buf, used)) < 0) return;
            used = 0; iovcnt = 0; last_flush = t;
        }
        if (t - last_stats >= 1000000000L) { write_stats("producer", c, seq, bytes); last_stats = t; }
        struct timespec ts = { 0, TICK_NS };
        nanosleep(&ts, NULL);
    }
    if (used) (void)(c->mode == MODE_VECTORED ? writev_all(fd, iov, iovcnt) : write_all(fd, buf, used));
    write_stats("producer", c, seq, bytes);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--seal")) return kdlabs_seal_main(call_names, NCALLS);
    const char *path = argc > 1 ? argv[1] : "/etc/relayd.conf";
    struct config c;
    if (load_config(path, &c) < 0) return 2;
    int call = kdlabs_sealed_choice(PROFILE_PATH, NCALLS);
    if (call < 0) return 2;
    c.call = (enum record_call)call;
    mkdir("/run/relayd", 0755);

    struct sigaction sa = { 0 };
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { perror("relayd: socketpair"); return 1; }
    pid_t sink = fork();
    if (sink < 0) { perror("relayd: fork"); return 1; }
    if (sink == 0) { close(sv[0]); run_sink(sv[1], &c); return 0; }
    close(sv[1]);
    fprintf(stderr, "relayd: forwarding %ld records/s, write_mode=%s, sink pid %d\n", c.rate, mode_name(c.mode), sink);
    run_producer(sv[0], &c);
    close(sv[0]);
    kill(sink, SIGTERM);
    waitpid(sink, NULL, 0);
    return 0;
}
