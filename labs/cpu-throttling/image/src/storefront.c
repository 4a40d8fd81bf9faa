/* storefront — the shop's steady stream of quote lookups to quoted: 100 a second,
 * on a fixed schedule, over UDP 127.0.0.1:7070. It only keeps quoted's API busy the
 * way real clients would; quote-probe is the one that times the answers. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(7070) };
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) return 1;
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  char buf[64];
  for (unsigned seq = 0;; seq++) {
    next.tv_nsec += 10000000L;
    if (next.tv_nsec >= 1000000000L) { next.tv_nsec -= 1000000000L; next.tv_sec++; }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {}
    send(fd, &seq, sizeof seq, 0);
    while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {}   /* answers are not timed here */
  }
}
