// getrandom: sizes 0, 1, 256 and 1 MiB; prints only lengths and that the bytes are not all zero.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

#define GRND_NONBLOCK_ 0x1
#define GRND_RANDOM_ 0x2

static int all_zero(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  static const size_t sizes[] = {0, 1, 256, 1 << 20};
  unsigned char *buf = malloc(1 << 20);
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    size_t n = sizes[i];
    memset(buf, 0, n);
    errno = 0;
    long got = syscall(SYS_getrandom, buf, n, 0);
    if (got < 0) {
      printf("getrandom(%zu) = -1 %s\n", n, errno_name(errno));
      continue;
    }
    if (n >= 16)
      printf("getrandom(%zu) = %ld, all zero: %s\n", n, got, all_zero(buf, (size_t)got) ? "yes" : "no");
    else
      printf("getrandom(%zu) = %ld\n", n, got);
  }
  unsigned char a[32], b[32];
  long ra = syscall(SYS_getrandom, a, sizeof a, GRND_NONBLOCK_);
  long rb = syscall(SYS_getrandom, b, sizeof b, GRND_NONBLOCK_);
  printf("two GRND_NONBLOCK draws of 32: %ld %ld, differ: %s\n", ra, rb, memcmp(a, b, sizeof a) ? "yes" : "no");
  REPORT("getrandom(GRND_RANDOM, 16)", syscall(SYS_getrandom, a, 16, GRND_RANDOM_ | GRND_NONBLOCK_) > 0 ? 16 : -1);
  REPORT("getrandom(flags 0x100)", syscall(SYS_getrandom, a, 16, 0x100));
  free(buf);
  return 0;
}
