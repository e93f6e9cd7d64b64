/*
 * The benchmark's unit: a tiny native program, so a supervisor's own cost is
 * measured and not a runtime's boot. It is compiled at bench time with the
 * machine's cc and installed as `ensbench-unit`, so every unit shows in /proc
 * under that name.
 *
 *   ensbench-unit NAME STARTLOG [crash]
 *
 * On start it appends one line "NAME PID MONOTONIC_NS" to STARTLOG (O_APPEND,
 * one write, so lines from concurrent units never interleave): the harness reads
 * start times from there instead of polling /proc. Then it waits for a signal
 * forever (default dispositions: SIGTERM ends it), or with `crash` it exits 1 at once.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc >= 3) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    char line[256];
    int len = snprintf(line, sizeof line, "%s %ld %lld\n", argv[1], (long)getpid(),
                       (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
    int fd = open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
      if (len > 0 && (size_t)len < sizeof line) (void)!write(fd, line, (size_t)len);
      close(fd);
    }
  }
  if (argc >= 4 && strcmp(argv[3], "crash") == 0) return 1;
  for (;;) pause();
}
