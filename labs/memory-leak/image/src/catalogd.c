/*
 * catalogd — a toy product-catalog service with three in-memory caches, and
 * catalog-load, the client that sends it traffic (the same binary; it looks at
 * the name it was started as).
 *
 * Every request (a 64-byte line on a Unix stream socket) goes through three
 * caches, each an insertion-ordered list that evicts its oldest entry once it
 * holds max_entries (0 = no limit), with an index by key:
 *
 *   session_cache_put()    the caller's session state       (~12 KiB)
 *   thumbnail_cache_put()  a rendered product thumbnail     (~16 KiB)
 *   audit_log_append()     an audit record for compliance   (~12 KiB)
 *
 * A put whose key is already cached refreshes that entry in place; any other
 * put allocates a new entry with malloc() and fills it (memset), so every entry
 * a cache keeps is resident memory. Each answered request is one read(2) and
 * one write(2), counted by the kernel in /proc/<pid>/io.
 *
 * What a thumbnail or an audit record is keyed by comes from this
 * installation's release profile, /var/lib/catalogd/profile, written when
 * catalogd is installed: a sealed seed (kdlabs-sealed.h) that only this binary
 * turns into the choice. One of the two keys by the request's own identity
 * (every product, every request: keys that hardly ever repeat), the other by a
 * coarse family of KEY_FAMILIES values that repeat all the time.
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
#include <kdlabs-sealed.h>

#define SOCK_PATH "/run/catalogd/catalogd.sock"
#define REQ_SIZE 64
#define REQUEST_RATE 500 /* catalog-load: requests per second (the shop's traffic) */
#define PROFILE_PATH "/var/lib/catalogd/profile"
/* Buckets of each cache's key index: a few entries per bucket even when a cache
 * holds the ~16000 entries that fill the lab's memory. */
#define INDEX_SIZE 4096
/* Keys of a coarsely keyed cache: few enough that all are seen within a second of traffic. */
#define KEY_FAMILIES 64

/* The caches whose key the release profile sets, in the order it numbers them;
 * the names are the functions that fill them. */
static const char *const fine_keyed_names[] = { "thumbnail_cache_put", "audit_log_append" };
#define NFINE (sizeof fine_keyed_names / sizeof fine_keyed_names[0])

struct entry {
    struct entry *next;     /* insertion order: the next younger entry */
    struct entry *hnext;    /* the next entry in the same index bucket */
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
    struct entry *index[INDEX_SIZE];
    int fine_keys;      /* release profile: keyed by identity (1) or by family (0) */
};

static struct cache sessions = { .name = "session_cache", .max_entries = 1000, .fine_keys = 1 };
static struct cache thumbnails = { .name = "thumbnail_cache", .max_entries = 1000 };
static struct cache audit = { .name = "audit_log", .max_entries = 1000 };

static struct entry **bucket(struct cache *c, unsigned long key)
{
    return &c->index[(key * 0x9E3779B97F4A7C15UL) >> 52];   /* top 12 bits: INDEX_SIZE buckets */
}

static struct entry *cache_find(struct cache *c, unsigned long key)
{
    for (struct entry *e = *bucket(c, key); e; e = e->hnext)
        if (e->key == key) return e;
    return NULL;
}

static void index_remove(struct cache *c, struct entry *e)
{
    for (struct entry **p = bucket(c, e->key); *p; p = &(*p)->hnext)
        if (*p == e) { *p = e->hnext; return; }
}

/* The key a cache files an entry under: the identity, or its family. */
static unsigned long cache_key(const struct cache *c, unsigned long id)
{
    return c->fine_keys ? id : id % KEY_FAMILIES;
}

/* Adds e at the tail; drops the oldest entries beyond max_entries. */
static void cache_insert(struct cache *c, struct entry *e)
{
    e->next = NULL;
    struct entry **b = bucket(c, e->key);
    e->hnext = *b;
    *b = e;
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
        index_remove(c, old);
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
    unsigned long key = cache_key(&sessions, user);
    struct entry *e = cache_find(&sessions, key);
    if (e) { memset(e->data, 's', e->len); return; }   /* cached: refresh in place */
    size_t len = 10240 + rnd() % 4096;
    e = malloc(sizeof *e + len);
    if (!e) abort();
    e->key = key; e->len = len;
    memset(e->data, 's', len);
    cache_insert(&sessions, e);
}

__attribute__((noinline)) void thumbnail_cache_put(unsigned long product)
{
    unsigned long key = cache_key(&thumbnails, product);
    struct entry *e = cache_find(&thumbnails, key);
    if (e) { memset(e->data, 't', e->len); return; }   /* cached: refresh in place */
    size_t len = 12288 + rnd() % 8192;
    e = malloc(sizeof *e + len);
    if (!e) abort();
    e->key = key; e->len = len;
    memset(e->data, 't', len);
    cache_insert(&thumbnails, e);
}

__attribute__((noinline)) void audit_log_append(unsigned long request)
{
    unsigned long key = cache_key(&audit, request);
    struct entry *e = cache_find(&audit, key);
    if (e) { memset(e->data, 'a', e->len); return; }   /* cached: refresh in place */
    size_t len = 10240 + rnd() % 4096;
    e = malloc(sizeof *e + len);
    if (!e) abort();
    e->key = key; e->len = len;
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
    if (argc > 1 && !strcmp(argv[1], "--seal")) return kdlabs_seal_main(fine_keyed_names, NFINE);
    int fine = kdlabs_sealed_choice(PROFILE_PATH, NFINE);
    if (fine < 0) { fprintf(stderr, "catalogd: no release profile\n"); return 2; }
    thumbnails.fine_keys = fine == 0;
    audit.fine_keys = fine == 1;
    return serve();
}
