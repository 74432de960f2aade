// syscalls: prctl, setresuid, setfsuid, setresgid, fork, wait4
/* Changing the effective or filesystem uid (or gid) makes a process non-dumpable and cancels
 * its parent-death signal (Linux's commit_creds); changing only the real or saved id does not. */
#include "harness.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static int in_child(int (*fn)(void)) {
    pid_t c = fork();
    if (c == 0) _exit(fn());
    int st = 0;
    waitpid(c, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void report(const char *what) {
    int sig = -1;
    prctl(PR_GET_PDEATHSIG, &sig);
    SAY("%s: dumpable=%d pdeathsig=%d", what, prctl(PR_GET_DUMPABLE), sig);
}

static int real_only(void) {
    prctl(PR_SET_PDEATHSIG, SIGUSR1);
    if (setresuid(1000, -1, 1000) != 0) return 2;
    report("real and saved uid changed");
    return 0;
}

static int effective(void) {
    prctl(PR_SET_PDEATHSIG, SIGUSR1);
    if (setresuid(-1, 1000, -1) != 0) return 2;
    report("effective uid changed");
    return 0;
}

static int fsuid(void) {
    prctl(PR_SET_PDEATHSIG, SIGUSR1);
    syscall(SYS_setfsuid, 1234);
    report("fsuid changed");
    return 0;
}

static int egid(void) {
    prctl(PR_SET_PDEATHSIG, SIGUSR1);
    if (setresgid(-1, 1000, -1) != 0) return 2;
    report("effective gid changed");
    return 0;
}

int main(void) {
    report("start");
    EXPECT_EQ(in_child(real_only), 0);
    EXPECT_EQ(in_child(effective), 0);
    EXPECT_EQ(in_child(fsuid), 0);
    EXPECT_EQ(in_child(egid), 0);
    return t_done();
}
