/*
 * scand — verifies every record of a data file, pass after pass, at a target
 * rate (the job's service level: `rate` records per second). Each of `workers`
 * threads owns a slice of the file and reads it `read_kb` at a time, in
 * shuffled or sequential order, with O_DIRECT (`io = direct`) or through the
 * page cache (`io = buffered`). Every 2 s it logs the records verified per
 * second and the latency of its read() calls (p50, p99, max).
 *
 *   scand [CONFIG]            run (default /etc/scand.conf)
 *   scand --create FILE MIB   write a data file of MIB MiB of records
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RECORD 4096
#define REPORT_SECONDS 2

static struct {
	char file[256], log[256], io[256], order[256];
	int rate, workers, read_kb;
} cfg = { "/data/records.db", "/var/log/lab/scand.log", "direct", "shuffled", 1000, 8, 4 };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static uint32_t *lat_us;	/* read latencies of this report interval */
static size_t nlat, caplat;
static uint64_t records_done, bad_records;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "scand: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void read_config(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], key[64], val[256];

	if (!f)
		die(path);
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		if (sscanf(line, " %63[a-z_] = %255s", key, val) != 2)
			continue;
		if (!strcmp(key, "file")) snprintf(cfg.file, sizeof(cfg.file), "%s", val);
		else if (!strcmp(key, "log")) snprintf(cfg.log, sizeof(cfg.log), "%s", val);
		else if (!strcmp(key, "io")) snprintf(cfg.io, sizeof(cfg.io), "%s", val);
		else if (!strcmp(key, "order")) snprintf(cfg.order, sizeof(cfg.order), "%s", val);
		else if (!strcmp(key, "rate")) cfg.rate = atoi(val);
		else if (!strcmp(key, "workers")) cfg.workers = atoi(val);
		else if (!strcmp(key, "read_kb")) cfg.read_kb = atoi(val);
		else fprintf(stderr, "scand: %s: unknown key '%s' (ignored)\n", path, key);
	}
	fclose(f);
	if (strcmp(cfg.io, "direct") && strcmp(cfg.io, "buffered")) { fprintf(stderr, "scand: io must be direct or buffered\n"); exit(2); }
	if (strcmp(cfg.order, "shuffled") && strcmp(cfg.order, "sequential")) { fprintf(stderr, "scand: order must be shuffled or sequential\n"); exit(2); }
	if (cfg.read_kb < 4 || cfg.read_kb > 4096 || cfg.read_kb % 4) { fprintf(stderr, "scand: read_kb must be a multiple of 4 from 4 to 4096\n"); exit(2); }
	if (cfg.rate < 1 || cfg.workers < 1 || cfg.workers > 64) { fprintf(stderr, "scand: rate >= 1, workers 1..64\n"); exit(2); }
}

static void record_latency(double seconds, int records, int bad)
{
	pthread_mutex_lock(&mu);
	if (nlat == caplat) {
		caplat = caplat ? caplat * 2 : 4096;
		lat_us = realloc(lat_us, caplat * sizeof(*lat_us));
	}
	lat_us[nlat++] = (uint32_t)(seconds * 1e6);
	records_done += records;
	bad_records += bad;
	pthread_mutex_unlock(&mu);
}

struct worker { int id; off_t first, chunks; };

static void *work(void *arg)
{
	struct worker *w = arg;
	size_t chunk = (size_t)cfg.read_kb * 1024;
	int per_chunk = chunk / RECORD, direct = !strcmp(cfg.io, "direct");
	int fd = open(cfg.file, O_RDONLY | (direct ? O_DIRECT : 0));
	char *buf;
	off_t *order = malloc(w->chunks * sizeof(*order));
	uint64_t rng = 0x9e3779b97f4a7c15ULL * (w->id + 1);
	double period = (double)per_chunk * cfg.workers / cfg.rate, next = now();

	if (fd < 0)
		die(cfg.file);
	if (posix_memalign((void **)&buf, 4096, chunk))
		die("memory");
	for (;;) {
		/* A pass verifies what is on the disk: none of the slice may come from an earlier pass's cache. */
		posix_fadvise(fd, w->first * chunk, w->chunks * chunk, POSIX_FADV_DONTNEED);
		for (off_t i = 0; i < w->chunks; i++)
			order[i] = i;
		if (!strcmp(cfg.order, "shuffled"))
			for (off_t i = w->chunks - 1; i > 0; i--) {
				rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
				off_t j = rng % (i + 1), t = order[i];
				order[i] = order[j]; order[j] = t;
			}
		for (off_t i = 0; i < w->chunks; i++) {
			off_t c = w->first + order[i];
			double t0 = now(), wait = next - t0;
			if (wait > 0) {
				struct timespec ts = { (time_t)wait, (long)((wait - (time_t)wait) * 1e9) };
				nanosleep(&ts, NULL);
				t0 = now();
			} else if (wait < -1) {
				next = t0; /* more than a second behind: do not burst to catch up */
			}
			next += period;
			ssize_t n = pread(fd, buf, chunk, c * chunk);
			double took = now() - t0;
			if (n != (ssize_t)chunk)
				die("read");
			int bad = 0;
			for (int r = 0; r < per_chunk; r++)
				if (*(uint64_t *)(buf + (size_t)r * RECORD) != (uint64_t)(c * per_chunk + r))
					bad++;
			record_latency(took, per_chunk, bad);
		}
	}
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void create(const char *file, int mib)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	char *buf = malloc(1 << 20);

	if (fd < 0 || !buf)
		die(file);
	for (uint64_t rec = 0, m = 0; m < (uint64_t)mib; m++) {
		for (int r = 0; r < (1 << 20) / RECORD; r++, rec++) {
			memset(buf + r * RECORD, (int)(rec & 0xff), RECORD);
			*(uint64_t *)(buf + r * RECORD) = rec;
		}
		if (write(fd, buf, 1 << 20) != 1 << 20)
			die(file);
	}
	if (fsync(fd) || close(fd))
		die(file);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--create")) {
		create(argv[2], atoi(argv[3]));
		return 0;
	}
	read_config(argc > 1 ? argv[1] : "/etc/scand.conf");
	FILE *log = fopen(cfg.log, "a");
	int fd = open(cfg.file, O_RDONLY);
	off_t size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
	off_t chunks = size / ((off_t)cfg.read_kb * 1024);

	if (!log)
		die(cfg.log);
	if (fd < 0)
		die(cfg.file);
	close(fd);
	setvbuf(log, NULL, _IOLBF, 0);
	fprintf(log, "start: file=%s io=%s order=%s read_kb=%d workers=%d rate=%d\n",
		cfg.file, cfg.io, cfg.order, cfg.read_kb, cfg.workers, cfg.rate);
	for (int i = 0; i < cfg.workers; i++) {
		struct worker *w = malloc(sizeof(*w));
		pthread_t t;
		w->id = i;
		w->first = chunks * i / cfg.workers;
		w->chunks = chunks * (i + 1) / cfg.workers - w->first;
		if (pthread_create(&t, NULL, work, w))
			die("thread");
	}
	for (double last = now();;) {
		sleep(REPORT_SECONDS);
		pthread_mutex_lock(&mu);
		uint32_t *l = lat_us;
		size_t n = nlat;
		uint64_t recs = records_done, bad = bad_records;
		lat_us = NULL; nlat = caplat = 0; records_done = bad_records = 0;
		pthread_mutex_unlock(&mu);
		double t = now(), span = t - last;
		last = t;
		qsort(l, n, sizeof(*l), cmp_u32);
		time_t wall = time(NULL);
		char stamp[32];
		strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime(&wall));
		fprintf(log, "%s records/s=%.0f target=%d MB/s=%.2f reads/s=%.0f p50=%.1fms p99=%.1fms max=%.1fms bad=%llu\n",
			stamp, recs / span, cfg.rate, recs * (double)RECORD / span / 1e6, n / span,
			n ? l[n / 2] / 1000.0 : 0, n ? l[(size_t)(n * 0.99)] / 1000.0 : 0, n ? l[n - 1] / 1000.0 : 0,
			(unsigned long long)bad);
		free(l);
	}
}
