// syscalls: wait4, waitid, getpid, getppid
/* Without children every wait flavour fails with ECHILD (also for a pid that is not our child:
 * ourselves, our parent); with WNOHANG too. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

int main(void) {
    syscall(SYS_alarm, 5);
    int status;
    siginfo_t si;
    EXPECT_ERR(wait4(-1, &status, 0, NULL), ECHILD);
    EXPECT_ERR(wait4(-1, &status, WNOHANG, NULL), ECHILD);
    EXPECT_ERR(wait4(0, &status, 0, NULL), ECHILD);
    EXPECT_ERR(wait4(getpid(), &status, 0, NULL), ECHILD);
    EXPECT_ERR(wait4(getppid(), &status, 0, NULL), ECHILD);
    EXPECT_ERR(waitid(P_ALL, 0, &si, WEXITED), ECHILD);
    EXPECT_ERR(waitid(P_PID, getpid(), &si, WEXITED | WNOHANG), ECHILD);
    EXPECT_ERR(waitid(P_PGID, 0, &si, WEXITED), ECHILD);
    return t_done();
}
