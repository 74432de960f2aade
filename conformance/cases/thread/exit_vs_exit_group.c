// syscalls: exit, exit_group, clone, wait4, tgkill, pipe2, write, read
/* Leaving from a non-main thread: the exit syscall ends only that thread (the process goes on
 * and can still join it); exit_group, or libc exit() (atexit handlers run once), from any
 * thread ends the whole process with that status while the main thread is blocked; returning
 * from main ends the other threads too; a fatal signal aimed at one thread kills the process.
 * (A thread that left by the raw syscall is not joined: libcs do not expect that; tgkill
 * probes for it instead.) */
#include "harness.h"
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

static volatile pid_t raw_tid;
static void *raw_exit(void *arg) {
    (void)arg;
    raw_tid = syscall(SYS_gettid);
    syscall(SYS_exit, 7);
    return NULL;
}
static void *raw_exit_group(void *arg) {
    (void)arg;
    usleep(50000);
    syscall(SYS_exit_group, 5);
    return NULL;
}
static void *libc_exit(void *arg) {
    (void)arg;
    usleep(50000);
    exit(3);
}
static void *block_forever(void *arg) {
    (void)arg;
    for (;;) pause();
    return NULL;
}
static void *self_term(void *arg) {
    (void)arg;
    usleep(50000);
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGTERM);
    for (;;) pause();
    return NULL;
}
static void at_exit(void) { SAY("atexit handler ran"); }

/* Runs body in a forked child; returns its wait status. */
static int in_child(void (*body)(void)) {
    pid_t pid = fork();
    if (pid == 0) {
        body();
        _exit(99);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    return status;
}

static void group_from_thread(void) {
    pthread_t t;
    pthread_create(&t, NULL, raw_exit_group, NULL);
    for (;;) pause();
}
static void libc_exit_from_thread(void) {
    atexit(at_exit);
    pthread_t t;
    pthread_create(&t, NULL, libc_exit, NULL);
    for (;;) pause();
}
static void main_returns(void) {
    pthread_t t;
    pthread_create(&t, NULL, block_forever, NULL);
    usleep(20000);
    exit(11); /* what returning from main does */
}
static void signal_to_thread(void) {
    pthread_t t;
    pthread_create(&t, NULL, self_term, NULL);
    for (;;) pause();
}

int main(void) {
    alarm(10);
    pthread_t t;
    EXPECT_EQ(pthread_create(&t, NULL, raw_exit, NULL), 0);
    while (!raw_tid) usleep(1000);
    int k = 0;
    while (syscall(SYS_tgkill, getpid(), raw_tid, 0) == 0 && k++ < 5000) usleep(1000);
    EXPECT_ERR(syscall(SYS_tgkill, getpid(), raw_tid, 0), ESRCH);
    SAY("process still running after a thread's exit");

    int st = in_child(group_from_thread);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);
    st = in_child(libc_exit_from_thread);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
    st = in_child(main_returns);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 11);
    st = in_child(signal_to_thread);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    return t_done();
}
