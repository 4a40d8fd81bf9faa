/*
 * catalogd — a toy product-catalog service with three in-memory caches, and
 * catalog-load, the client that sends it traffic (the same binary; it looks at
 * the name it was started as).
 *
 * Every request (a 64-byte line on a Unix stream socket) goes through three
 * caches, each an insertion-ordered list that evicts its oldest entry once it
 * holds max_entries (0 = no limit):
 *
 *   session_cache_put()    the caller's session state       (~12 KiB)
 *   thumbnail_cache_put()  a rendered product thumbnail     (~16 KiB)
 *   audit_log_append()     an audit record for compliance   (~12 KiB)
 *
 * Each put allocates its entry with malloc() and fills it (memset), so every
 * entry it keeps is resident memory. Each answered request is one read(2) and
 * one write(2), counted by the kernel in /proc/<pid>/io.
 *
 * Config: /etc/catalogd.conf, then every *.conf file in /etc/catalogd.d/ in
 * name order (later settings win), "key = value" lines, '#' comments.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SOCK_PATH "/run/catalogd/catalogd.sock"
#define REQ_SIZE 64
#define REQUEST_RATE 500 /* catalog-load: requests per second (the shop's traffic) */

struct entry {
    struct entry *next;
    unsigned long key;
    size_t len;
    unsigned char data[];
};

struct cache {
    const char *name;
    long max_entries;   /* 0 = never evict */
    long count;
    size_t bytes;
    struct entry *head, *tail;
};

static struct cache sessions = { .name = "session_cache", .max_entries = 1000 };
static struct cache thumbnails = { .name = "thumbnail_cache", .max_entries = 1000 };
static struct cache audit = { .name = "audit_log", .max_entries = 1000 };

/* Adds e at the tail; drops the oldest entries beyond max_entries. */
static void cache_insert(struct cache *c, struct entry *e)
{
    e->next = NULL;
    if (c->tail) c->tail->next = e; else c->head = e;
    c->tail = e;
    c->count++;
    c->bytes += e->len;
    while (c->max_entries > 0 && c->count > c->max_entries) {
        struct entry *old = c->head;
        c->head = old->next;
        if (!c->head) c->tail = NULL;
        c->count--;
        c->bytes -= old->len;
        free(old);
    }
}

static unsigned long rng_state = 88172645463325252UL;
static unsigned long rnd(void)
{
    rng_state ^= rng_state << 13; rng_state ^= rng_state >> 7; rng_state ^= rng_state << 17;
    return rng_state;
}

/* noinline: each cache keeps its own frame, so stacks name it. */
__attribute__((noinline)) void session_cache_put(unsigned long user)
{
    size_t len = 10240 + rnd() % 4096;
    struct entry *e = malloc(sizeof *e + len);
    if (!e) abort();
    e->key = user; e->len = len;
    memset(e->data, 's', len);
    cache_insert(&sessions, e);
}

__attribute__((noinline)) void thumbnail_cache_put(unsigned long product)
{
    size_t len = 12288 + rnd() % 8192;
    struct entry *e = malloc(sizeof *e + len);
    if (!e) abort();
    e->key = product; e->len = len;
    memset(e->data, 't', len);
    cache_insert(&thumbnails, e);
}

__attribute__((noinline)) void audit_log_append(unsigned long request)
{
    size_t len = 10240 + rnd() % 4096;
    struct entry *e = malloc(sizeof *e + len);
    if (!e) abort();
    e->key = request; e->len = len;
    memset(e->data, 'a', len);
    cache_insert(&audit, e);
}

__attribute__((noinline)) static void handle_request(const char *req, unsigned long n)
{
    unsigned long user = 0, product = 0;
    sscanf(req, "GET /product/%lu user=%lu", &product, &user);
    session_cache_put(user);
    thumbnail_cache_put(product);
    audit_log_append(n);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = 0;
    return s;
}

static int load_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) { fprintf(stderr, "catalogd: cannot read %s: %s\n", path, strerror(errno)); return -1; }
    char line[256];
    int lineno = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *eq = strchr(line, '=');
        char *key = trim(line);
        if (!*key) continue;
        if (!eq) { fprintf(stderr, "catalogd: %s:%d: expected key = value\n", path, lineno); bad = 1; continue; }
        *eq = 0;
        key = trim(line);
        char *val = trim(eq + 1), *end;
        struct cache *c = !strcmp(key, "session_cache.max_entries") ? &sessions
                        : !strcmp(key, "thumbnail_cache.max_entries") ? &thumbnails
                        : !strcmp(key, "audit_log.max_entries") ? &audit : NULL;
        long v = strtol(val, &end, 10);
        if (!c) { fprintf(stderr, "catalogd: %s:%d: unknown setting %s\n", path, lineno, key); bad = 1; continue; }
        if (*end || v < 0) { fprintf(stderr, "catalogd: %s:%d: %s needs a number >= 0\n", path, lineno, key); bad = 1; continue; }
        c->max_entries = v;
    }
    fclose(f);
    return bad ? -1 : 0;
}

static int only_conf(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".conf");
}

static int load_config(void)
{
    if (load_file("/etc/catalogd.conf")) return -1;
    struct dirent **list;
    int n = scandir("/etc/catalogd.d", &list, only_conf, alphasort), bad = 0;
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "/etc/catalogd.d/%s", list[i]->d_name);
        if (load_file(path)) bad = 1;
        free(list[i]);
    }
    if (n >= 0) free(list);
    return bad ? -1 : 0;
}

static void describe(const struct cache *c)
{
    if (c->max_entries) printf("catalogd: %s keeps at most %ld entries\n", c->name, c->max_entries);
    else printf("catalogd: %s keeps every entry (max_entries = 0: no limit)\n", c->name);
}

static int serve(void)
{
    if (load_config()) return 2;
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strcpy(a.sun_path, SOCK_PATH);
    unlink(SOCK_PATH);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4)) { perror("catalogd: " SOCK_PATH); return 1; }
    printf("catalogd: serving on %s\n", SOCK_PATH);
    fflush(stdout);
    unsigned long n = 0;
    for (;;) {
        int c = accept(ls, NULL, NULL);
        if (c < 0) continue;
        char req[REQ_SIZE];
        for (;;) {
            size_t got = 0;
            while (got < REQ_SIZE) {
                ssize_t r = read(c, req + got, REQ_SIZE - got);
                if (r <= 0) break;
                got += r;
            }
            if (got < REQ_SIZE) break;
            req[REQ_SIZE - 1] = 0;
            handle_request(req, ++n);
            if (write(c, "200 OK\n", 7) != 7) break;
        }
        close(c);
    }
}

/* catalog-load: REQUEST_RATE requests a second, paced in 10 ms ticks; reconnects
 * whenever catalogd goes away (it is restarted after a crash). */
static int load(void)
{
    signal(SIGPIPE, SIG_IGN);
    unsigned long sent = 0;
    for (;;) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        strcpy(a.sun_path, SOCK_PATH);
        if (connect(s, (struct sockaddr *)&a, sizeof a)) { close(s); usleep(100000); continue; }
        struct timespec next;
        clock_gettime(CLOCK_MONOTONIC, &next);
        for (int ok = 1; ok;) {
            for (int i = 0; i < REQUEST_RATE / 100 && ok; i++) {
                char req[REQ_SIZE], resp[16];
                memset(req, ' ', sizeof req);
                int len = snprintf(req, sizeof req, "GET /product/%lu user=%lu", 100000 + rnd() % 900000, 1000 + rnd() % 5000);
                req[len] = ' ';
                ok = write(s, req, REQ_SIZE) == REQ_SIZE && read(s, resp, sizeof resp) > 0;
                sent++;
            }
            next.tv_nsec += 10000000;
            if (next.tv_nsec >= 1000000000) { next.tv_nsec -= 1000000000; next.tv_sec++; }
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        }
        close(s);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *me = strrchr(argv[0], '/');
    me = me ? me + 1 : argv[0];
    rng_state ^= (unsigned long)getpid() << 20;
    if (!strcmp(me, "catalog-load")) return load();
    if (argc > 1 && !strcmp(argv[1], "--check-config")) {
        if (load_config()) return 2;
        describe(&sessions); describe(&thumbnails); describe(&audit);
        return 0;
    }
    return serve();
}
