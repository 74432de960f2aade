// segfault: writes through a NULL pointer; the expected status is 139 (128 + SIGSEGV).
#include <stdio.h>

int main(void) {
  printf("about to write through NULL\n");
  fflush(stdout);
  *(volatile int *)0 = 42;
  printf("still alive?!\n");
  return 0;
}
