// syscalls: clone, futex, gettid, getpid, exit, wait4, mmap
/* A thread made by the raw clone syscall with CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|
 * CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_SETTID|
 * CLONE_CHILD_CLEARTID (what pthread_create uses): the thread runs with the given TLS base
 * (%fs:0 is the block's self pointer), shares the pid, has its own tid, finds its tid already
 * in both tid words, and at its exit the child tid word is cleared and futex-woken. A thread
 * is not a child: wait4 on it is ECHILD. The thread touches no libc state (its TLS is ours). */
#include "harness.h"
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define FUTEX_WAIT 0

long raw_clone(unsigned long flags, void *stack, int *ptid, int *ctid, unsigned long tls,
               int (*fn)(void *), void *arg);
/* clone(flags, stack, ptid, ctid, tls); the child pops fn and arg from its new stack, calls
 * fn(arg) and exits the thread with its result. */
__asm__(".text\n.globl raw_clone\nraw_clone:\n"
        "  mov 8(%rsp), %rax\n"
        "  sub $16, %rsi\n"
        "  mov %rax, 8(%rsi)\n"
        "  mov %r9, 0(%rsi)\n"
        "  mov %rcx, %r10\n"
        "  mov $56, %eax\n"
        "  syscall\n"
        "  test %rax, %rax\n"
        "  jnz 1f\n"
        "  xor %ebp, %ebp\n"
        "  pop %rax\n"
        "  pop %rdi\n"
        "  call *%rax\n"
        "  mov %eax, %edi\n"
        "  mov $60, %eax\n"
        "  syscall\n"
        "  hlt\n"
        "1: ret\n");

static inline long raw0(long nr) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr) : "rcx", "r11", "memory");
    return r;
}

static volatile int ptid = -1, ctid = -1;
static volatile long seen_tid, seen_pid, seen_ctid, seen_ptid;
static volatile unsigned long seen_self, seen_magic;
static unsigned long tls_block[512] __attribute__((aligned(64)));

static int thread_fn(void *arg) {
    unsigned long self, magic;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(self));
    __asm__ volatile("mov %%fs:8, %0" : "=r"(magic));
    seen_self = self;
    seen_magic = magic;
    seen_tid = raw0(SYS_gettid);
    seen_pid = raw0(SYS_getpid);
    seen_ctid = ctid;
    seen_ptid = ptid;
    return (int)(long)arg;
}

int main(void) {
    alarm(10);
    size_t sz = 256 * 1024;
    char *stack = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stack == MAP_FAILED) return T_FAIL("mmap"), t_done();
    tls_block[0] = (unsigned long)tls_block;
    tls_block[1] = 0x5eed5eedUL;
    unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                          CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
                          CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
    long tid = raw_clone(flags, stack + sz, (int *)&ptid, (int *)&ctid,
                         (unsigned long)tls_block, thread_fn, (void *)3);
    if (!CHECK(tid > 0)) return t_done();
    EXPECT_EQ(ptid == tid, 1);
    /* Join: wait for the clear-and-wake of the child tid word. */
    int v;
    while ((v = ctid) != 0) {
        long r = syscall(SYS_futex, &ctid, FUTEX_WAIT, v, NULL, NULL, 0);
        if (r != 0 && errno != EAGAIN && errno != EINTR) {
            T_FAIL("futex wait: %s", t_errname(errno));
            break;
        }
    }
    EXPECT_EQ(ctid, 0);
    EXPECT_EQ(seen_self == (unsigned long)tls_block, 1);
    EXPECT_EQ(seen_magic, 0x5eed5eed);
    EXPECT_EQ(seen_tid == tid, 1);
    EXPECT_EQ(seen_pid == getpid(), 1);
    EXPECT_EQ(seen_tid != getpid(), 1);
    EXPECT_EQ(seen_ctid == tid, 1);
    EXPECT_EQ(seen_ptid == tid, 1);
    /* Our own TLS is untouched: errno still works. */
    errno = 0;
    EXPECT_ERR(close(-1), EBADF);
    EXPECT_ERR(waitpid(tid, NULL, __WALL | WNOHANG), ECHILD);
    EXPECT_ERR(waitpid(-1, NULL, __WALL | WNOHANG), ECHILD);
    return t_done();
}
