/* Two processes bounce one byte through two pipes N times: one round trip per iteration. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000;
    int ab[2], ba[2];
    if (pipe(ab) || pipe(ba))
        return 1;
    pid_t p = fork();
    if (p == 0) {
        char c;
        for (long i = 0; i < n; i++)
            if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
                _exit(2);
        _exit(0);
    }
    char c = 'x';
    for (long i = 0; i < n; i++)
        if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
            return 3;
    int st;
    waitpid(p, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 4;
}
