/*
 * ingestd — takes records from its upstream (a replay generated in-process, as
 * fast as the CPU allows), and for each record
 *
 *   checksum_record()  CRC-32 of the record (slice-by-8 lookup tables)
 *   escape_record()    the record's length once JSON-escaped (byte-pair table)
 *   route_record()     the shard the record's key routes to (hash table of routes)
 *
 * then writes the record and an 8-byte trailer downstream (/dev/null here):
 * one write(2) per record. Each stage reads a lookup table, either built once
 * at start (`cached`) or rebuilt for every record (`per_call`) — the second
 * does the same work hundreds of times over. The config may pin each table to
 * one or the other; a table it leaves alone (`profile`, the default) is kept
 * the way this installation's release profile says. The profile,
 * /var/lib/ingestd/profile, is written when ingestd is installed: a sealed
 * seed (kdlabs-sealed.h) that only this binary turns into the release
 * settings, and in them one table stays `per_call`.
 *
 * Once a second it writes /run/ingestd/stats: records so far, records per
 * second, lookup tables built so far.
 *
 * Built with -O2 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer: perf
 * can walk the stacks and name
 * every function. The stage functions are kept out of line (NOINLINE) so each shows
 * in a profile under its own name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kdlabs-sealed.h>

#define PROFILE_PATH "/var/lib/ingestd/profile"

#define NOINLINE __attribute__((noipa)) /* no inlining, no .constprop/.isra clones: plain names */
#define MAX_RECORD 65536
#define ROUTES 16384
#define ROUTE_SLOTS 32768 /* power of two, twice ROUTES: short probes */

enum table_mode { PROFILE, CACHED, PER_CALL };

/* The tables, in the order the release profile numbers them. */
static const char *const table_names[] = { "checksum", "escape", "route" };
#define NTABLES 3

struct config {
    size_t record_bytes;
    enum table_mode checksum, escape, route;
};

static volatile sig_atomic_t stopping;
static void on_term(int sig) { (void)sig; stopping = 1; }

/*
 * Lookup tables built since start, reported in the stats file. The call also
 * makes every builder a non-leaf function: gcc 12 leaves the frame pointer out
 * of a leaf function that needs no stack, even with -mno-omit-leaf-frame-pointer
 * (fixed in gcc 13), and perf's stack walk then skips that function's caller.
 */
static uint64_t tables_built;
NOINLINE static void count_table_build(void) { tables_built++; }

/* ---- checksum: CRC-32 (IEEE), slice-by-8 ---- */

static uint32_t crc_tab[8][256];

/* Each entry bit by bit, from scratch: the textbook way, fine once at start. */
NOINLINE static void build_checksum_table(uint32_t tab[8][256])
{
    for (int k = 0; k < 8; k++)
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int byte = 0; byte <= k; byte++)
                for (int bit = 0; bit < 8; bit++) c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
            tab[k][i] = c;
        }
    count_table_build();
}

NOINLINE static uint32_t checksum_record(const struct config *cfg, const uint8_t *p, size_t n)
{
    if (cfg->checksum == PER_CALL) build_checksum_table(crc_tab);
    uint32_t c = 0xFFFFFFFFu;
    for (; n >= 8; n -= 8, p += 8) {
        uint32_t lo = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
        c = crc_tab[7][lo & 0xff] ^ crc_tab[6][(lo >> 8) & 0xff] ^ crc_tab[5][(lo >> 16) & 0xff] ^ crc_tab[4][lo >> 24] ^
            crc_tab[3][hi & 0xff] ^ crc_tab[2][(hi >> 8) & 0xff] ^ crc_tab[1][(hi >> 16) & 0xff] ^ crc_tab[0][hi >> 24];
    }
    while (n--) c = crc_tab[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return ~c;
}

/* ---- escape: JSON-escaped length, two bytes at a time ---- */

static uint8_t esc_tab[65536];

static unsigned escaped_len(unsigned b)
{
    if (b == '"' || b == '\\' || b == '\b' || b == '\f' || b == '\n' || b == '\r' || b == '\t') return 2;
    if (b < 0x20 || b == 0x7f) return 6; /* \u00XX */
    return 1;
}

NOINLINE static void build_escape_table(uint8_t tab[65536])
{
    uint8_t one[256];
    for (unsigned b = 0; b < 256; b++) one[b] = (uint8_t)escaped_len(b);
    for (unsigned pair = 0; pair < 65536; pair++) tab[pair] = (uint8_t)(one[pair & 0xff] + one[pair >> 8]);
    count_table_build();
}

NOINLINE static size_t escape_record(const struct config *cfg, const uint8_t *p, size_t n)
{
    if (cfg->escape == PER_CALL) build_escape_table(esc_tab);
    size_t out = 2; /* the quotes */
    for (; n >= 2; n -= 2, p += 2) out += esc_tab[p[0] | p[1] << 8];
    if (n) out += escaped_len(p[0]);
    return out;
}

/* ---- route: which shard a record's key goes to ---- */

struct route { uint64_t key; uint32_t shard; };
static struct route route_tab[ROUTE_SLOTS];

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

/* Every known route (tenant key -> shard) into an open-addressing table. */
NOINLINE static void build_route_table(struct route tab[ROUTE_SLOTS])
{
    for (size_t i = 0; i < ROUTE_SLOTS; i++) tab[i].key = 0, tab[i].shard = (uint32_t)i; /* key 0: empty */
    for (uint64_t r = 1; r <= ROUTES; r++) {
        uint64_t key = mix64(r);
        size_t slot = key & (ROUTE_SLOTS - 1);
        while (tab[slot].key != 0) slot = (slot + 1) & (ROUTE_SLOTS - 1);
        tab[slot].key = key;
        tab[slot].shard = (uint32_t)(mix64(key) % 64);
    }
    count_table_build();
}

NOINLINE static uint32_t route_record(const struct config *cfg, const uint8_t *p, size_t n)
{
    if (cfg->route == PER_CALL) build_route_table(route_tab);
    (void)n;
    uint64_t key = mix64(1 + (p[0] | (uint64_t)p[1] << 8) % ROUTES); /* the record's tenant */
    for (size_t slot = key & (ROUTE_SLOTS - 1);; slot = (slot + 1) & (ROUTE_SLOTS - 1)) {
        if (route_tab[slot].key == key) return route_tab[slot].shard;
        if (route_tab[slot].key == 0) return 0; /* unknown tenant: the default shard */
    }
}

/* ---- the request path ---- */

/* The next record from upstream: a replay with printable text and some control bytes. */
NOINLINE static void receive_record(uint8_t *p, size_t n, uint64_t *state)
{
    uint64_t x = *state;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        p[i] = (uint8_t)(x % 97 + 30);
    }
    *state = x;
}

NOINLINE static void handle_record(const struct config *cfg, uint8_t *buf, size_t n, int out)
{
    uint32_t crc = checksum_record(cfg, buf, n);
    uint32_t escaped = (uint32_t)escape_record(cfg, buf, n);
    uint32_t shard = route_record(cfg, buf, n);
    uint32_t trailer[2] = { crc, shard << 24 | (escaped & 0xffffff) };
    memcpy(buf + n, trailer, sizeof trailer);
    if (write(out, buf, n + sizeof trailer) < 0) { perror("ingestd: write"); exit(1); }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- config ---- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = 0;
    return s;
}

static int parse_mode(const char *v, enum table_mode *m)
{
    if (strcmp(v, "profile") == 0) *m = PROFILE;
    else if (strcmp(v, "cached") == 0) *m = CACHED;
    else if (strcmp(v, "per_call") == 0) *m = PER_CALL;
    else return -1;
    return 0;
}

static int load_config(const char *path, struct config *c)
{
    *c = (struct config){ .record_bytes = 512, .checksum = PROFILE, .escape = PROFILE, .route = PROFILE };
    FILE *f = fopen(path, "r");
    if (!f) { fprintf(stderr, "ingestd: cannot read %s: %s\n", path, strerror(errno)); return -1; }
    char line[256];
    int lineno = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *eq = strchr(line, '=');
        if (!eq) { if (*trim(line)) { fprintf(stderr, "ingestd: %s:%d: expected key = value\n", path, lineno); bad = 1; } continue; }
        *eq = 0;
        char *key = trim(line), *val = trim(eq + 1);
        enum table_mode *mode = strcmp(key, "checksum_table") == 0 ? &c->checksum
                              : strcmp(key, "escape_table") == 0   ? &c->escape
                              : strcmp(key, "route_table") == 0    ? &c->route : NULL;
        if (mode) {
            if (parse_mode(val, mode)) { fprintf(stderr, "ingestd: %s:%d: %s must be cached, per_call or profile, not '%s'\n", path, lineno, key, val); bad = 1; }
        } else if (strcmp(key, "record_bytes") == 0) {
            char *end;
            long v = strtol(val, &end, 10);
            if (*end || v < 16 || v > MAX_RECORD) { fprintf(stderr, "ingestd: %s:%d: record_bytes must be 16..%d\n", path, lineno, MAX_RECORD); bad = 1; }
            else c->record_bytes = (size_t)v;
        } else {
            fprintf(stderr, "ingestd: %s:%d: unknown setting '%s'\n", path, lineno, key);
            bad = 1;
        }
    }
    fclose(f);
    return bad ? -1 : 0;
}

static const char *mode_name(enum table_mode m) { return m == PROFILE ? "profile" : m == CACHED ? "cached" : "per_call"; }

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--seal")) return kdlabs_seal_main(table_names, NTABLES);
    const char *conf = argc > 1 ? argv[1] : "/etc/ingestd.conf";
    const char *stats = argc > 2 ? argv[2] : "/run/ingestd/stats";
    const char *profile = argc > 3 ? argv[3] : PROFILE_PATH;
    struct config cfg;
    if (load_config(conf, &cfg)) return 2;
    /* The config's own words, for the log: never the profile's. */
    char pinned[160];
    snprintf(pinned, sizeof pinned, "checksum_table=%s escape_table=%s route_table=%s",
             mode_name(cfg.checksum), mode_name(cfg.escape), mode_name(cfg.route));
    int release_per_call = kdlabs_sealed_choice(profile, NTABLES);
    if (release_per_call < 0) { fprintf(stderr, "ingestd: no release profile\n"); return 2; }
    enum table_mode *modes[NTABLES] = { &cfg.checksum, &cfg.escape, &cfg.route };
    for (int i = 0; i < NTABLES; i++)
        if (*modes[i] == PROFILE) *modes[i] = i == release_per_call ? PER_CALL : CACHED;
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    int out = open("/dev/null", O_WRONLY);
    if (out < 0) { perror("ingestd: /dev/null"); return 1; }
    build_checksum_table(crc_tab);
    build_escape_table(esc_tab);
    build_route_table(route_tab);
    fprintf(stderr, "ingestd: record_bytes=%zu %s\n", cfg.record_bytes, pinned);

    static uint8_t buf[MAX_RECORD + 8];
    uint64_t rng = 0x9E3779B97F4A7C15ULL, total = 0, last_total = 0;
    double last = now();
    while (!stopping) {
        receive_record(buf, cfg.record_bytes, &rng);
        handle_record(&cfg, buf, cfg.record_bytes, out);
        total++;
        if ((total & 63) == 0 && now() - last >= 1.0) {
            double t = now();
            char tmp[256];
            snprintf(tmp, sizeof tmp, "%s.tmp", stats);
            FILE *f = fopen(tmp, "w");
            if (f) {
                fprintf(f, "records_total %llu\nrecords_per_s %.0f\ntables_built %llu\n", (unsigned long long)total,
                        (total - last_total) / (t - last), (unsigned long long)tables_built);
                fclose(f);
                rename(tmp, stats);
            }
            last = t;
            last_total = total;
        }
    }
    return 0;
}
