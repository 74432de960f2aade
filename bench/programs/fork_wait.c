/* fork + _exit + waitpid, N times: the cost of a short-lived child process. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100;
    for (long i = 0; i < n; i++) {
        pid_t p = fork();
        if (p < 0)
            return 1;
        if (p == 0)
            _exit(0);
        int st;
        if (waitpid(p, &st, 0) != p || !WIFEXITED(st))
            return 2;
    }
    return 0;
}
