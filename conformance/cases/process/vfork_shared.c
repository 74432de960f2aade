// syscalls: vfork, wait4, exit_group
/* vfork: the parent is suspended until the child exits, and the child runs in the parent's
 * memory, so a value it stores is visible to the parent once vfork returns there. */
#include "harness.h"
#include <sys/wait.h>

static volatile int shared_flag;

int main(void) {
    syscall(SYS_alarm, 5);
    shared_flag = 1;
    pid_t pid = vfork();
    if (pid == 0) {
        shared_flag = 2; /* same memory as the parent */
        _exit(9);
    }
    if (!CHECK(pid > 0)) return t_done();
    /* By the time the parent runs again the child has exited: its store is visible. */
    SAY("flag in parent after vfork returned = %d", shared_flag);
    int status = -1;
    EXPECT_EQ(wait4(pid, &status, 0, NULL) == pid, 1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 9);
    return t_done();
}
