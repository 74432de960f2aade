// syscalls: clone, wait4, getpid, getppid, exit, mmap
/* clone(CLONE_VM|CLONE_VFORK|SIGCHLD) on a separate stack: the child shares memory, the parent
 * sleeps until the child exits, and the child is a new process (own pid, parent's pid as ppid).
 * Without CLONE_VM the child's store lands in its own copy. */
#include "harness.h"
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

struct shared {
    volatile int store;
    volatile long pid, ppid;
};

static int child_fn(void *arg) {
    struct shared *s = arg;
    s->store = 77;
    s->pid = syscall(SYS_getpid);
    s->ppid = syscall(SYS_getppid);
    return 12; /* the libc clone wrapper passes this to exit */
}

int main(void) {
    syscall(SYS_alarm, 5);
    size_t sz = 64 * 1024;
    char *stack = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stack == MAP_FAILED) return T_FAIL("mmap"), t_done();
    struct shared s = {0, 0, 0};

    pid_t pid = clone(child_fn, stack + sz, CLONE_VM | CLONE_VFORK | SIGCHLD, &s);
    if (!CHECK(pid > 0)) return t_done();
    SAY("store seen by the parent when clone returned = %d", s.store);
    CHECK(s.pid == pid);
    CHECK(s.ppid == getpid());
    int status = -1;
    EXPECT_EQ(wait4(pid, &status, 0, NULL) == pid, 1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 12);

    /* Without CLONE_VM: a separate address space, the store stays in the child's copy. */
    s.store = 0;
    pid = clone(child_fn, stack + sz, SIGCHLD, &s);
    if (!CHECK(pid > 0)) return t_done();
    status = -1;
    EXPECT_EQ(wait4(pid, &status, 0, NULL) == pid, 1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 12);
    SAY("store seen by the parent without CLONE_VM = %d", s.store);
    return t_done();
}
