// syscalls: prctl, clone, fork, rt_sigprocmask, rt_sigtimedwait, wait4, getpid, pipe, pipe2, read, write
/* PR_SET_PDEATHSIG: when the parent (here the middle process) exits, the kernel sends the
 * chosen signal to the child (si_code SI_USER, si_pid the exiting parent). The top process is
 * a subreaper so it can reap the orphaned grandchild. */
#include "harness.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

int main(void) {
    syscall(SYS_alarm, 5);
    EXPECT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    int ready[2], rep[2];
    if (pipe(ready) != 0 || pipe(rep) != 0) return T_FAIL("pipe"), t_done();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL); /* inherited: the grandchild collects it with sigtimedwait */
    pid_t middle = fork();
    if (middle == 0) {
        pid_t me = getpid();
        pid_t g = fork();
        if (g == 0) {
            syscall(SYS_alarm, 5);
            char r[4] = {'n', 'n', 'n', 'n'};
            int sig = -1;
            if (prctl(PR_SET_PDEATHSIG, SIGUSR1) == 0) r[0] = 'y';
            if (prctl(PR_GET_PDEATHSIG, &sig) == 0 && sig == SIGUSR1) r[1] = 'y';
            write(ready[1], "r", 1); /* middle exits after this */
            siginfo_t si;
            struct timespec ts = {3, 0};
            if (sigtimedwait(&set, &si, &ts) == SIGUSR1) {
                r[2] = si.si_code == SI_USER ? 'y' : 'n';
                r[3] = si.si_pid == me ? 'y' : 'n';
            }
            write(rep[1], r, sizeof r);
            _exit(0);
        }
        char c;
        _exit(g > 0 && read(ready[0], &c, 1) == 1 ? 0 : 1);
    }
    if (!CHECK(middle > 0)) return t_done();
    int status = -1;
    EXPECT_EQ(wait4(middle, &status, 0, NULL) == middle, 1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char r[4] = {0};
    EXPECT_EQ(read(rep[0], r, sizeof r), 4);
    SAY("grandchild: set %c, get %c, got SIGUSR1 with SI_USER %c, si_pid == dead parent %c", r[0],
        r[1], r[2], r[3]);
    CHECK(memcmp(r, "yyyy", 4) == 0);
    status = -1;
    EXPECT_EQ(wait4(-1, &status, 0, NULL) > 0, 1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return t_done();
}
