// kvc-load — the front end that uses /dev/kvcache, cache-aside: look a key
// up, and on a miss fetch the value (here: make it up) and put it.
//
//   kvc-load --serve        the service: about 500 requests a second, forever;
//                           it reopens the device when the module is reloaded
//   kvc-load -n <count>     send <count> requests as fast as it can, print the
//                           totals and exit
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEVICE "/dev/kvcache"
#define KEYS 256	/* the working set: after warm-up almost every get hits */
#define BATCH 50	/* requests per 100 ms in --serve: 500 a second */

static unsigned long requests, hits, misses, errors;

/* One cache-aside lookup; returns -1 when the device itself failed. */
static int lookup(int fd, unsigned key)
{
	char cmd[64];
	int n = snprintf(cmd, sizeof(cmd), "get user:%u", key);

	requests++;
	if (write(fd, cmd, n) == n) {
		hits++;
		return 0;
	}
	if (errno != ENOENT) {
		errors++;
		return -1;
	}
	misses++;
	n = snprintf(cmd, sizeof(cmd), "put user:%u profile-%08x", key, key * 2654435761u);
	if (write(fd, cmd, n) != n) {
		errors++;
		return -1;
	}
	return 0;
}

static int burst(unsigned long count)
{
	int fd = open(DEVICE, O_RDWR);

	if (fd < 0) {
		perror(DEVICE);
		return 1;
	}
	for (unsigned long i = 0; i < count; i++)
		if (lookup(fd, rand() % KEYS) < 0) {
			perror("kvc-load: " DEVICE);
			close(fd);
			return 1;
		}
	close(fd);
	printf("requests %lu hits %lu misses %lu\n", requests, hits, misses);
	return 0;
}

static void serve(void)
{
	const struct timespec tick = { 0, 100 * 1000 * 1000 };

	for (;;) {
		/* Open per batch, like a client with a connection pool: the
		   module can be reloaded under a running service. */
		int fd = open(DEVICE, O_RDWR);

		if (fd < 0) {
			sleep(1);
			continue;
		}
		for (int i = 0; i < BATCH; i++)
			if (lookup(fd, rand() % KEYS) < 0)
				break;
		close(fd);
		nanosleep(&tick, NULL);
	}
}

int main(int argc, char **argv)
{
	srand(getpid());
	if (argc == 2 && !strcmp(argv[1], "--serve")) {
		serve();
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "-n"))
		return burst(strtoul(argv[2], NULL, 10));
	fprintf(stderr, "usage: kvc-load --serve | kvc-load -n <count>\n");
	return 2;
}
