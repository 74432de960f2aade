// getppid_loop N: makes N getppid system calls (through syscall(2), so nothing is cached) and
// prints nothing. Timing N = 1000 and N = 201000 and dividing the difference by 200000 gives the
// cost of one system call round trip, with process start-up cancelled out.
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 0;
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  return 0;
}
