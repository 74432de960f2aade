// syscalls: semget, semop, semtimedop, semctl
#include "harness.h"
#include <signal.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/sem.h>

/* semtimedop's timeout (EAGAIN once it passes, EINVAL for a malformed one, EFAULT for a bad
 * pointer), and a blocked semop interrupted by a signal: EINTR even with SA_RESTART, since
 * Linux never restarts it. */
static void on_alarm(int s) { (void)s; }

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void) {
    int id = EXPECT_OK(semget(IPC_PRIVATE, 1, 0600));
    struct sembuf take = {0, -1, 0};
    struct timespec ts = {0, 100 * 1000 * 1000};
    double t0 = now();
    EXPECT_ERR(syscall(SYS_semtimedop, id, &take, 1, &ts), EAGAIN);
    CHECK(now() - t0 >= 0.09);
    struct timespec bad = {0, 1000000000};
    EXPECT_ERR(syscall(SYS_semtimedop, id, &take, 1, &bad), EINVAL);
    struct timespec neg = {-1, 0};
    EXPECT_ERR(syscall(SYS_semtimedop, id, &take, 1, &neg), EINVAL);
    EXPECT_ERR(syscall(SYS_semtimedop, id, &take, 1, (void *)8), EFAULT);
    struct timespec zero = {0, 0};
    EXPECT_ERR(syscall(SYS_semtimedop, id, &take, 1, &zero), EAGAIN);
    /* A timeout that does not expire. */
    struct sembuf post = {0, 1, 0};
    EXPECT_OK(semop(id, &post, 1));
    struct timespec longer = {5, 0};
    EXPECT_OK(syscall(SYS_semtimedop, id, &take, 1, &longer));

    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    alarm(1);
    EXPECT_ERR(semop(id, &take, 1), EINTR);
    alarm(1);
    EXPECT_ERR(syscall(SYS_semtimedop, id, &take, 1, &longer), EINTR);
    EXPECT_EQ(semctl(id, 0, GETNCNT), 0);
    EXPECT_OK(semctl(id, 0, IPC_RMID));
    return t_done();
}
