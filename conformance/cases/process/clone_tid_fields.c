// syscalls: clone, futex, wait4, gettid, exit, mmap
/* clone with CLONE_PARENT_SETTID / CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID: the kernel stores
 * the child's tid in the parent's word and in the child's word before the child runs, and at
 * the child's exit clears the child word and FUTEX_WAKEs it (what pthread_join waits on). */
#include "harness.h"
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define FUTEX_WAIT 0 /* <linux/futex.h> is not in every libc's headers */

static volatile int ptid = -1;
static volatile int ctid = -1;
static volatile int child_saw_own_tid;

static int child_fn(void *arg) {
    (void)arg;
    child_saw_own_tid = (ctid == syscall(SYS_gettid));
    return 0;
}

int main(void) {
    syscall(SYS_alarm, 5);
    size_t sz = 64 * 1024;
    char *stack = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stack == MAP_FAILED) return T_FAIL("mmap"), t_done();
    int flags = CLONE_VM | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD;
    pid_t pid = clone(child_fn, stack + sz, flags, NULL, &ptid, NULL, &ctid);
    if (!CHECK(pid > 0)) return t_done();
    CHECK(ptid == pid);
    /* Wait for the exit-time clear + wake, the way a thread library joins. */
    int v, rounds = 0;
    while ((v = ctid) != 0) {
        long r = syscall(SYS_futex, &ctid, FUTEX_WAIT, v, NULL, NULL, 0);
        if (r != 0 && errno != EAGAIN && errno != EINTR) {
            T_FAIL("futex wait: %s", t_errname(errno));
            break;
        }
        rounds++;
    }
    SAY("child tid word after exit = %d", ctid);
    CHECK(child_saw_own_tid);
    int status = -1;
    EXPECT_EQ(wait4(pid, &status, 0, NULL) == pid, 1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return t_done();
}
