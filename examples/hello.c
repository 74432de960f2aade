// The example `sbx run` starts with: prints its arguments and where it runs.
#include <stdio.h>
#include <sys/utsname.h>

int main(int argc, char **argv) {
    struct utsname u;
    uname(&u);
    printf("hello from %s on %s %s\n", argc > 1 ? argv[1] : "sbx", u.sysname, u.machine);
    return 0;
}
