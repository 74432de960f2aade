// syscalls: gettid, getpid, getppid, getpgid, getsid, set_tid_address, clone
/* Identities inside a thread: the same pid, parent, process group and session as the main
 * thread, a tid of its own; the main thread's tid is the pid (set_tid_address returns it too).
 * Every thread's tid differs. */
#include "harness.h"
#include <pthread.h>

static pid_t tids[4];
static int same_pid[4], same_ppid[4], same_pgid[4], same_sid[4];

static void *fn(void *arg) {
    int i = (int)(long)arg;
    tids[i] = syscall(SYS_gettid);
    same_pid[i] = getpid() == (pid_t)syscall(SYS_getpid);
    same_ppid[i] = getppid();
    same_pgid[i] = getpgid(0);
    same_sid[i] = getsid(0);
    return NULL;
}

int main(void) {
    pid_t pid = getpid();
    EXPECT_EQ(syscall(SYS_gettid) == pid, 1);
    static int dummy;
    EXPECT_EQ(syscall(SYS_set_tid_address, &dummy) == pid, 1);
    pthread_t t[4];
    for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, fn, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 4; i++) {
        SAY("thread %d:", i);
        CHECK(tids[i] > 0 && tids[i] != pid);
        CHECK(same_pid[i]);
        CHECK(same_ppid[i] == getppid());
        CHECK(same_pgid[i] == getpgid(0));
        CHECK(same_sid[i] == getsid(0));
        for (int j = 0; j < i; j++)
            if (tids[j] == tids[i]) T_FAIL("tid %d repeats", i);
    }
    return t_done();
}
