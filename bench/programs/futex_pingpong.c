/* Two threads hand a token back and forth through a futex word N times: each handoff is one
 * FUTEX_WAKE that ends the other thread's FUTEX_WAIT. */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static _Atomic int word;
static long n;

static void wait_for(int v) {
    while (atomic_load(&word) != v)
        syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, !v, NULL, NULL, 0);
}

static void set_and_wake(int v) {
    atomic_store(&word, v);
    syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *other(void *arg) {
    (void)arg;
    for (long i = 0; i < n; i++) {
        wait_for(1);
        set_and_wake(0);
    }
    return NULL;
}

int main(int argc, char **argv) {
    n = argc > 1 ? atol(argv[1]) : 1000;
    pthread_t t;
    if (pthread_create(&t, NULL, other, NULL))
        return 1;
    for (long i = 0; i < n; i++) {
        set_and_wake(1);
        wait_for(0);
    }
    pthread_join(t, NULL);
    return 0;
}
