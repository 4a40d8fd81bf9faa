/*
 * shopd — a tiny back-end with three endpoints, each on its own TCP port:
 *
 *   users   GET a user record          fixed-size reply
 *   prices  GET a price record         fixed-size reply
 *   carts   GET a shopping cart        variable-size reply (a list of items)
 *
 * Protocol (binary, one request at a time per connection, connections are long-lived):
 *   request: u32 key length (network order), then the key
 *   reply:   u32 status, u32 body length (network order), then the body
 *
 * Fixed-size records are formatted straight after the header in one buffer and sent
 * with one call. A cart's size is known only once its items are gathered, so its
 * header and its items live in separate buffers: `reply_writes` in the config says
 * whether they go to the kernel with two send() calls (split) or one writev() (single).
 *
 * Config (/etc/shopd.conf): ports (three TCP ports on 127.0.0.1), tcp_nodelay (on|off),
 * reply_writes (split|single). Read once at start; shopctl restart re-reads it.
 *
 * Which endpoint answers on which of the three ports is this installation's release
 * profile, /var/lib/shopd/profile: a sealed seed (kdlabs-sealed.h) only this binary
 * turns into the assignment, so neither the config nor the log says it. A client
 * tells the endpoints apart by what they answer (shop-load does).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <kdlabs-sealed.h>

#define PROFILE_PATH "/var/lib/shopd/profile"

enum kind { USERS, PRICES, CARTS, NKINDS };
static const char *kind_name[NKINDS] = { "users", "prices", "carts" };

/* The configured ports, in the config's order; the profile picks the carts port among
 * them by its position, users and prices take the other two in order. The seal's
 * names are the default ports, one per position. */
static const char *const default_ports[NKINDS] = { "7101", "7102", "7103" };
static int conf_port[NKINDS] = { 7101, 7102, 7103 };
static int port[NKINDS];
static int tcp_nodelay;   /* setsockopt(TCP_NODELAY) on every accepted connection */
static int split_writes = 1;

static void die(const char *what) { perror(what); exit(1); }

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  char *e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = 0;
  return s;
}

static int on_off(const char *key, const char *v) {
  if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1")) return 1;
  if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0")) return 0;
  fprintf(stderr, "shopd: %s must be on or off, not '%s'\n", key, v);
  exit(2);
}

static void read_config(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) die(path);
  char line[256];
  int n = 0;
  while (fgets(line, sizeof line, f)) {
    n++;
    char *hash = strchr(line, '#');
    if (hash) *hash = 0;
    char *eq = strchr(line, '=');
    if (!eq) { if (*trim(line)) { fprintf(stderr, "shopd: %s:%d: no '='\n", path, n); exit(2); } continue; }
    *eq = 0;
    char *k = trim(line), *v = trim(eq + 1);
    if (!strcmp(k, "ports")) {
      char *end = v;
      for (int i = 0; i < NKINDS; i++) {
        long p = strtol(end, &end, 10);
        if (p < 1024 || p > 65535) { fprintf(stderr, "shopd: %s:%d: ports must be three port numbers from 1024 to 65535\n", path, n); exit(2); }
        conf_port[i] = (int)p;
      }
      if (*trim(end)) { fprintf(stderr, "shopd: %s:%d: ports must be three port numbers, nothing more\n", path, n); exit(2); }
    }
    else if (!strcmp(k, "tcp_nodelay")) tcp_nodelay = on_off(k, v);
    else if (!strcmp(k, "reply_writes")) {
      if (!strcmp(v, "split")) split_writes = 1;
      else if (!strcmp(v, "single")) split_writes = 0;
      else { fprintf(stderr, "shopd: reply_writes must be split or single, not '%s'\n", v); exit(2); }
    } else { fprintf(stderr, "shopd: %s:%d: unknown setting '%s'\n", path, n, k); exit(2); }
  }
  fclose(f);
}

static int read_full(int fd, void *buf, size_t len) {
  char *p = buf;
  while (len > 0) {
    ssize_t r = recv(fd, p, len, 0);
    if (r == 0) return -1;
    if (r < 0) { if (errno == EINTR) continue; return -1; }
    p += r; len -= (size_t)r;
  }
  return 0;
}

static int send_full(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
    if (w < 0) { if (errno == EINTR) continue; return -1; }
    p += w; len -= (size_t)w;
  }
  return 0;
}

static uint32_t hash(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

struct conn { int fd; enum kind kind; };

static void *serve(void *arg) {
  struct conn c = *(struct conn *)arg;
  free(arg);
  char key[256], body[1024];
  uint32_t hdr[2];
  for (;;) {
    uint32_t klen;
    if (read_full(c.fd, &klen, 4) < 0) break;
    klen = ntohl(klen);
    if (klen == 0 || klen >= sizeof key || read_full(c.fd, key, klen) < 0) break;
    key[klen] = 0;
    uint32_t h = hash(key, klen);
    if (c.kind != CARTS) {
      /* Header and record in one buffer: one send() per reply. */
      char reply[8 + 64];
      int len = snprintf(reply + 8, 64, c.kind == USERS ? "user=%s tier=%u since=20%02u"
                                                          : "sku=%s cents=%u stock=%u",
                         key, h % 5000, h % 97);
      hdr[0] = htonl(200); hdr[1] = htonl((uint32_t)len);
      memcpy(reply, hdr, 8);
      if (send_full(c.fd, reply, 8 + (size_t)len) < 0) break;
      continue;
    }
    /* A cart: gather its items first, then send header and items. */
    int items = 3 + h % 8, len = 0;
    for (int i = 0; i < items; i++)
      len += snprintf(body + len, sizeof body - (size_t)len, "sku=%u qty=%u\n",
                      (h >> (i % 16)) % 90000 + 10000, 1 + (h >> i) % 4);
    hdr[0] = htonl(200); hdr[1] = htonl((uint32_t)len);
    if (split_writes) {
      if (send_full(c.fd, hdr, 8) < 0 || send_full(c.fd, body, (size_t)len) < 0) break;
    } else {
      struct iovec iov[2] = { { hdr, 8 }, { body, (size_t)len } };
      size_t want = 8 + (size_t)len;
      ssize_t w = writev(c.fd, iov, 2);
      /* A short write of a few hundred bytes does not happen on a healthy socket;
       * finish it the simple way if it ever does. */
      if (w < 0) break;
      if ((size_t)w < want) {
        char all[8 + sizeof body];
        memcpy(all, hdr, 8); memcpy(all + 8, body, (size_t)len);
        if (send_full(c.fd, all + w, want - (size_t)w) < 0) break;
      }
    }
  }
  close(c.fd);
  return NULL;
}

static void *listener(void *arg) {
  enum kind k = (enum kind)(intptr_t)arg;
  int ls = socket(AF_INET, SOCK_STREAM, 0);
  if (ls < 0) die("socket");
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port[k]),
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0) { fprintf(stderr, "shopd: port %d: ", port[k]); die("bind"); }
  if (listen(ls, 64) < 0) die("listen");
  for (;;) {
    int fd = accept(ls, NULL, NULL);
    if (fd < 0) { if (errno == EINTR || errno == ECONNABORTED) continue; die("accept"); }
    if (tcp_nodelay) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = malloc(sizeof *c);
    c->fd = fd; c->kind = k;
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&at, 256 << 10);
    if (pthread_create(&t, &at, serve, c) != 0) { close(fd); free(c); }
    pthread_attr_destroy(&at);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "--seal")) return kdlabs_seal_main(default_ports, NKINDS);
  read_config(argc > 1 ? argv[1] : "/etc/shopd.conf");
  int carts_at = kdlabs_sealed_choice(PROFILE_PATH, NKINDS);
  if (carts_at < 0) { fprintf(stderr, "shopd: no release profile\n"); return 2; }
  port[CARTS] = conf_port[carts_at];
  for (int i = 0, k = USERS; i < NKINDS; i++)
    if (i != carts_at) port[k++] = conf_port[i];
  signal(SIGPIPE, SIG_IGN);
  pthread_t t[NKINDS];
  for (int k = 0; k < NKINDS; k++) pthread_create(&t[k], NULL, listener, (void *)(intptr_t)k);
  /* The settings read, never the ports' assignment: that is for a client to find. */
  fprintf(stderr, "shopd: tcp_nodelay %s, reply_writes %s\n",
          tcp_nodelay ? "on" : "off", split_writes ? "split" : "single");
  for (int k = 0; k < NKINDS; k++) pthread_join(t[k], NULL);
  return 0;
}
