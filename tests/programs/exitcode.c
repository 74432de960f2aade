// exitcode: exits with the status given as argv[1].
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: exitcode N\n");
    return 2;
  }
  printf("exiting with %s\n", argv[1]);
  exit(atoi(argv[1]));
}
