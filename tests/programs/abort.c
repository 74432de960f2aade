// abort: calls abort(3); the expected status is 134 (128 + SIGABRT).
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  printf("about to abort\n");
  fflush(stdout);
  abort();
}
