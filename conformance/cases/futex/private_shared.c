// syscalls: futex, mmap, fork, wait4, pipe2
/* Private and shared futexes. Across fork on MAP_SHARED memory, a shared FUTEX_WAIT in the
 * child is woken by a shared FUTEX_WAKE in the parent; a FUTEX_WAIT_PRIVATE in the child is
 * not (a private futex belongs to one address space), so the parent's wakes find nobody and
 * the child times out. On MAP_PRIVATE memory after fork the child's word is its own copy.
 * Within one process, private and shared waits on the same word are different futexes too. */
#include "harness.h"
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

/* <linux/futex.h> is not in musl's headers. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128

static long futex(uint32_t *w, int op, uint32_t val, const struct timespec *ts) {
    return syscall(SYS_futex, w, op, val, ts, NULL, 0);
}

/* Forks a child that announces itself on a pipe, then waits on *w (private or not, with a
 * 500 ms timeout); its exit status says how the wait ended: 0 woken, 1 timed out, 2 other.
 * The parent sleeps until the child is surely waiting. */
static pid_t start_waiter(uint32_t *w, int op) {
    int p[2];
    pipe2(p, 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        write(p[1], "r", 1);
        struct timespec ts = {0, 500 * 1000000};
        long r = futex(w, op, 0, &ts);
        _exit(r == 0 ? 0 : errno == ETIMEDOUT ? 1 : 2);
    }
    close(p[1]);
    char c;
    read(p[0], &c, 1);
    close(p[0]);
    usleep(150000);
    return pid;
}
static const char *how(pid_t pid) {
    int st = -1;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st)) return "killed";
    return WEXITSTATUS(st) == 0 ? "woken" : WEXITSTATUS(st) == 1 ? "timed out" : "error";
}

static uint32_t local;
static int t_ready;
static long t_result;
static void *shared_waiter(void *arg) {
    (void)arg;
    __atomic_fetch_add(&t_ready, 1, __ATOMIC_SEQ_CST);
    struct timespec ts = {0, 500 * 1000000};
    t_result = futex(&local, FUTEX_WAIT, 0, &ts) == 0 ? 0 : errno;
    return NULL;
}

int main(void) {
    alarm(10);
    uint32_t *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    uint32_t *pv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    pid_t pid = start_waiter(sh, FUTEX_WAIT);
    EXPECT_EQ(futex(sh, FUTEX_WAKE, INT_MAX, NULL), 1);
    SAY("shared wait, shared wake: %s", how(pid));

    pid = start_waiter(sh, FUTEX_WAIT | FUTEX_PRIVATE_FLAG);
    EXPECT_EQ(futex(sh, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL), 0);
    EXPECT_EQ(futex(sh, FUTEX_WAKE, INT_MAX, NULL), 0);
    SAY("private wait in the child, wakes from the parent: %s", how(pid));

    pid = start_waiter(pv, FUTEX_WAIT);
    EXPECT_EQ(futex(pv, FUTEX_WAKE, INT_MAX, NULL), 0);
    SAY("shared wait on MAP_PRIVATE memory, wake from the parent: %s", how(pid));

    /* One process, one private-mapping word: a private wake does not reach a shared waiter. */
    pthread_t t;
    pthread_create(&t, NULL, shared_waiter, NULL);
    while (!__atomic_load_n(&t_ready, __ATOMIC_SEQ_CST)) usleep(1000);
    usleep(150000);
    EXPECT_EQ(futex(&local, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL), 0);
    EXPECT_EQ(futex(&local, FUTEX_WAKE, INT_MAX, NULL), 1);
    pthread_join(t, NULL);
    EXPECT_EQ(t_result, 0);
    return t_done();
}
