// hello: the smallest differential test: one line to stdout, one to stderr.
#include <stdio.h>

int main(void) {
  printf("Hello, world!\n");
  fflush(stdout);
  fprintf(stderr, "hello on stderr\n");
  return 0;
}
