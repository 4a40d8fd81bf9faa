/*
 * Sealed per-learner choices for lab services (docs/authoring.md, "Hiding a
 * per-learner value").
 *
 * A lab whose fault differs per learner (lab.yaml `params`) must not leave the
 * learner's value where root in the lab can read it: not in the environment,
 * argv, a config file or a state file. So the service is handed a seed instead:
 * 32 random hex digits that say nothing by themselves. The service hashes the
 * seed with a key compiled into its binary (KDLABS_SEAL_KEY, random per image
 * build, so neither this header nor the service's shipped source reveals it) and
 * takes the hash modulo the number of choices.
 *
 * setup.sh makes the seed by piping the value's name into the service:
 *     printf '%s\n' "$KDLABS_PARAM_X" | service --seal > /var/lib/service/profile
 * which draws random seeds until one hashes to that name. The learner finds the
 * choice the way the lab teaches, by measuring the running service; pulling the
 * key out of the binary's machine code would be the only shortcut.
 */
#ifndef KDLABS_SEALED_H
#define KDLABS_SEALED_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef KDLABS_SEAL_KEY
#error "build with -DKDLABS_SEAL_KEY=0x<16 random hex digits>ULL (see docs/authoring.md)"
#endif

#define KDLABS_SEED_HEX 32
/* Seeds drawn before --seal gives up: each has a 1/n chance, so 4096 draws miss
 * only with probability ((n-1)/n)^4096, nil for any n a lab would use. */
#define KDLABS_SEAL_TRIES 4096

/* SplitMix64's finaliser: every input bit moves every output bit. */
static inline uint64_t kdlabs_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static inline unsigned kdlabs_seed_choice(const char *seed, unsigned n) {
  uint64_t h = kdlabs_mix(KDLABS_SEAL_KEY);
  for (const char *p = seed; *p; p++) h = kdlabs_mix(h ^ (unsigned char)*p);
  return (unsigned)(h % n);
}

static inline int kdlabs_seed_valid(const char *seed) {
  if (strlen(seed) != KDLABS_SEED_HEX) return 0;
  for (const char *p = seed; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return 0;
  return 1;
}

/* The choice sealed in the seed file at path, in [0, n); -1 (with a message on
 * stderr) when the file is missing or holds no valid seed. */
static inline int kdlabs_sealed_choice(const char *path, unsigned n) {
  char seed[KDLABS_SEED_HEX + 2] = {0};
  FILE *f = fopen(path, "r");
  if (!f) { fprintf(stderr, "cannot open %s: the lab's setup writes it\n", path); return -1; }
  size_t got = fread(seed, 1, sizeof seed - 1, f);
  fclose(f);
  seed[got] = 0;
  seed[strcspn(seed, "\r\n")] = 0;
  if (!kdlabs_seed_valid(seed)) {
    fprintf(stderr, "%s must hold %d lowercase hex digits, as --seal writes them\n", path, KDLABS_SEED_HEX);
    return -1;
  }
  return (int)kdlabs_seed_choice(seed, n);
}

/* --seal: reads one of names[] from stdin and prints a seed that hashes to it.
 * Returns the process exit status. */
static inline int kdlabs_seal_main(const char *const names[], unsigned n) {
  char want[128] = {0};
  if (!fgets(want, sizeof want, stdin)) { fprintf(stderr, "--seal reads a choice name on stdin\n"); return 2; }
  want[strcspn(want, "\r\n")] = 0;
  unsigned target = n;
  for (unsigned i = 0; i < n; i++) if (strcmp(names[i], want) == 0) target = i;
  if (target == n) {
    fprintf(stderr, "--seal: \"%s\" is not a choice; expected one of:", want);
    for (unsigned i = 0; i < n; i++) fprintf(stderr, " %s", names[i]);
    fputc('\n', stderr);
    return 2;
  }
  FILE *rnd = fopen("/dev/urandom", "r");
  if (!rnd) { perror("/dev/urandom"); return 1; }
  for (int t = 0; t < KDLABS_SEAL_TRIES; t++) {
    unsigned char raw[KDLABS_SEED_HEX / 2];
    char seed[KDLABS_SEED_HEX + 1];
    if (fread(raw, 1, sizeof raw, rnd) != sizeof raw) break;
    for (size_t i = 0; i < sizeof raw; i++) snprintf(seed + 2 * i, 3, "%02x", raw[i]);
    if (kdlabs_seed_choice(seed, n) == target) { fclose(rnd); printf("%s\n", seed); return 0; }
  }
  fclose(rnd);
  fprintf(stderr, "--seal: found no seed for \"%s\"\n", want);
  return 1;
}

#endif
