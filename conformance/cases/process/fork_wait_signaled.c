// syscalls: clone, fork, kill, getpid, wait4
/* A child killed by a signal: wait4 reports WIFSIGNALED with the signal number, for signals
 * whose default action is to terminate (no core: SIGTERM, SIGKILL, SIGUSR1, SIGHUP). */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

static void run(int sig) {
    pid_t pid = fork();
    if (pid == 0) {
        kill(getpid(), sig);
        _exit(100); /* not reached when the signal kills us */
    }
    if (pid < 0) {
        T_FAIL("fork: %s", t_errname(errno));
        return;
    }
    int status = -1;
    if (wait4(pid, &status, 0, NULL) != pid) {
        T_FAIL("wait4: %s", t_errname(errno));
        return;
    }
    SAY("signal %d: WIFEXITED=%d WIFSIGNALED=%d WTERMSIG=%d", sig, WIFEXITED(status),
        WIFSIGNALED(status), WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != sig) T_FAIL("child not killed by %d", sig);
}

int main(void) {
    syscall(SYS_alarm, 5);
    run(SIGTERM);
    run(SIGKILL);
    run(SIGUSR1);
    run(SIGHUP);
    return t_done();
}
