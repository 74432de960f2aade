// syscalls: futex, rt_sigaction, tgkill, clone
/* A signal with a handler interrupts FUTEX_WAIT: without SA_RESTART the wait fails with
 * EINTR; with SA_RESTART an untimed wait is restarted transparently (it returns 0 when woken
 * later), but a timed wait still fails with EINTR (Linux does not restart it). An ignored
 * signal does not interrupt at all: the timed wait runs to ETIMEDOUT. */
#include "harness.h"
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

/* <linux/futex.h> is not in musl's headers. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128

static uint32_t word;
static volatile int handled;
static pid_t main_tid;

static void handler(int sig) {
    (void)sig;
    handled++;
}

/* After 100 ms signal main; if `then_wake`, after 100 ms more set the word and wake it. */
static void *poker(void *arg) {
    int then_wake = (int)(long)arg;
    usleep(100000);
    syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
    if (then_wake) {
        usleep(100000);
        __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
        syscall(SYS_futex, &word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
    }
    return NULL;
}

static void set_handler(void (*h)(int), int flags) {
    struct sigaction sa = {.sa_handler = h, .sa_flags = flags};
    sigaction(SIGUSR1, &sa, NULL);
}

/* One wait on word == 0 with a poker thread; returns 0 or the errno. */
static int wait_poked(int then_wake, const struct timespec *ts) {
    word = 0;
    handled = 0;
    pthread_t t;
    pthread_create(&t, NULL, poker, (void *)(long)then_wake);
    long r = syscall(SYS_futex, &word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, ts, NULL, 0);
    int e = r == 0 ? 0 : errno;
    pthread_join(t, NULL);
    return e;
}

int main(void) {
    alarm(10);
    main_tid = syscall(SYS_gettid);
    struct timespec long_ts = {3, 0};

    set_handler(handler, 0);
    EXPECT_EQ(wait_poked(0, NULL), EINTR);
    EXPECT_EQ(handled, 1);
    EXPECT_EQ(wait_poked(0, &long_ts), EINTR);
    EXPECT_EQ(handled, 1);

    set_handler(handler, SA_RESTART);
    EXPECT_EQ(wait_poked(1, NULL), 0);
    EXPECT_EQ(handled, 1);
    EXPECT_EQ(word, 1);
    EXPECT_EQ(wait_poked(0, &long_ts), EINTR);
    EXPECT_EQ(handled, 1);

    set_handler(SIG_IGN, 0);
    struct timespec short_ts = {0, 300 * 1000000};
    EXPECT_EQ(wait_poked(0, &short_ts), ETIMEDOUT);
    EXPECT_EQ(handled, 0);
    return t_done();
}
