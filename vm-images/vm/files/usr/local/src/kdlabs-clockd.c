/*
 * kdlabs-clockd: sets the guest's clock from a line the lab runner writes.
 *
 * A lab VM restored from a saved state wakes up with the clock of the save.
 * The runner must set it before the learner sees a prompt, and on software
 * emulation every new process in a just-restored guest costs hundreds of
 * milliseconds (the emulator's translation cache starts empty). So this small
 * daemon is already running in the saved guest, blocked in read() on a FIFO:
 * the runner's guest agent writes "<seconds> <nanoseconds>\n" into it (a file
 * write, no process) and the daemon calls clock_settime.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DIR "/run/kdlabs"
#define FIFO DIR "/clock"

int main(void) {
  if (mkdir(DIR, 0700) != 0 && errno != EEXIST) { perror("kdlabs-clockd: mkdir " DIR); return 1; }
  unlink(FIFO);
  if (mkfifo(FIFO, 0600) != 0) { perror("kdlabs-clockd: mkfifo " FIFO); return 1; }
  /* Read-write: the FIFO always has a writer, so read() blocks instead of returning EOF between runner writes. */
  int fd = open(FIFO, O_RDWR | O_CLOEXEC);
  if (fd < 0) { perror("kdlabs-clockd: open " FIFO); return 1; }
  char line[128];
  for (;;) {
    ssize_t n = read(fd, line, sizeof line - 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) { perror("kdlabs-clockd: read"); return 1; }
    line[n] = '\0';
    long long sec;
    long nsec;
    if (sscanf(line, "%lld %ld", &sec, &nsec) != 2 || sec <= 0 || nsec < 0 || nsec >= 1000000000L) {
      fprintf(stderr, "kdlabs-clockd: ignored a line that is not \"<seconds> <nanoseconds>\"\n");
      continue;
    }
    struct timespec ts = { .tv_sec = (time_t)sec, .tv_nsec = nsec };
    if (clock_settime(CLOCK_REALTIME, &ts) != 0) perror("kdlabs-clockd: clock_settime");
  }
}
