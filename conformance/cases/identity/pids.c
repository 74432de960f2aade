// syscalls: getpid, gettid, getppid
#include "harness.h"

/* In a single-threaded process the thread id is the process id; the parent is another
 * process. */
int main(void) {
    long pid = syscall(SYS_getpid), tid = syscall(SYS_gettid), ppid = syscall(SYS_getppid);
    CHECK(pid > 0);
    CHECK(tid == pid);
    CHECK(ppid >= 0 && ppid != pid);
    CHECK(syscall(SYS_getpid) == pid);
    CHECK(getpid() == pid);
    EXPECT_EQ(syscall(SYS_gettid) - pid, 0);
    return t_done();
}
