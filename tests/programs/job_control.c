/* Job control on a terminal: a child moved into its own process group and made the
 * terminal's foreground group (tcsetpgrp) is the one that gets Ctrl-C's SIGINT; the parent,
 * now in the background, does not. The test (tests/tests/terminal.rs) runs this on a
 * pseudo-terminal and types ^C once the program says "ready". */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got_int;

static void on_int(int sig) {
    (void)sig;
    got_int = 1;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!isatty(0)) {
        printf("stdin is not a terminal\n");
        return 2;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_int;
    sigaction(SIGINT, &sa, NULL);
    signal(SIGTTOU, SIG_IGN);
    int sync[2];
    if (pipe(sync) != 0) return 3;
    pid_t child = fork();
    if (child == 0) {
        alarm(10);
        setpgid(0, 0);
        char c;
        read(sync[0], &c, 1); /* the parent has made our group the foreground */
        while (!got_int) pause();
        printf("child: got SIGINT in the foreground group\n");
        _exit(0);
    }
    setpgid(child, child);
    printf("tcsetpgrp(child) = %d\n", tcsetpgrp(0, child));
    printf("tcgetpgrp() is the child's group: %s\n", tcgetpgrp(0) == child ? "yes" : "no");
    printf("tcsetpgrp(no such group) = %d\n", tcsetpgrp(0, 99999));
    write(sync[1], "g", 1);
    printf("ready\n");
    int status = 0;
    waitpid(child, &status, 0);
    printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    printf("tcsetpgrp(own group) = %d\n", tcsetpgrp(0, getpgrp()));
    printf("parent got SIGINT: %s\n", got_int ? "yes" : "no");
    return 0;
}
