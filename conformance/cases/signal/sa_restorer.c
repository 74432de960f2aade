// syscalls: rt_sigaction, rt_sigreturn, kill, wait4, clone
/* x86-64 handlers return through sa_restorer: a raw rt_sigaction with SA_RESTORER and our own
 * restorer (which counts, then calls rt_sigreturn) runs the handler and comes back through it;
 * the restorer reads back. Without SA_RESTORER the kernel cannot build the frame and the
 * process dies of SIGSEGV. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

#define K_SA_RESTORER 0x04000000UL

struct ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask;
};

volatile int restorer_hits;
void my_restorer(void);
__asm__(".text\n"
        ".globl my_restorer\n"
        "my_restorer:\n"
        "    lock incl restorer_hits(%rip)\n"
        "    mov $15, %eax\n" /* rt_sigreturn */
        "    syscall\n"
        "    hlt\n");

static volatile int handled;
static void on_usr1(int s) { handled = s; }

int main(void) {
    syscall(SYS_alarm, 5);
    struct ksigaction ka = {(void *)on_usr1, K_SA_RESTORER, (void *)my_restorer, 0}, old;
    EXPECT_EQ(syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8), 0);
    memset(&old, 0, sizeof old);
    EXPECT_EQ(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8), 0);
    CHECK(old.restorer == (void *)my_restorer);
    CHECK(old.handler == (void *)on_usr1);
    SAY("flags = %#lx", old.flags);
    EXPECT_EQ(syscall(SYS_kill, getpid(), SIGUSR1), 0);
    EXPECT_EQ(handled, SIGUSR1);
    EXPECT_EQ(restorer_hits, 1);
    EXPECT_EQ(syscall(SYS_kill, getpid(), SIGUSR1), 0);
    EXPECT_EQ(restorer_hits, 2);

    pid_t pid = fork();
    if (pid == 0) {
        struct ksigaction bare = {(void *)on_usr1, 0, NULL, 0};
        syscall(SYS_rt_sigaction, SIGUSR2, &bare, NULL, 8);
        syscall(SYS_kill, getpid(), SIGUSR2);
        _exit(handled == SIGUSR2 ? 7 : 8);
    }
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    SAY("no restorer: exited=%d code=%d signaled=%d sig=%d", WIFEXITED(st),
        WIFEXITED(st) ? WEXITSTATUS(st) : -1, WIFSIGNALED(st),
        WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    return t_done();
}
