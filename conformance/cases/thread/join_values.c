// syscalls: clone, futex, exit, mmap, munmap
/* pthread_create/pthread_join: each thread's value comes back through join, whether the thread
 * returns it or passes it to pthread_exit (also from a nested call); arguments arrive intact;
 * joining waits for a thread that is still running. */
#include "harness.h"
#include <pthread.h>
#include <stdint.h>

static void nested_exit(intptr_t v) { pthread_exit((void *)(v * 3)); }

static void *by_return(void *arg) { return (void *)((intptr_t)arg * 2); }
static void *by_exit(void *arg) {
    nested_exit((intptr_t)arg);
    return NULL;
}
static void *slow(void *arg) {
    usleep(100000);
    *(int *)arg = 1;
    return (void *)77;
}

int main(void) {
    alarm(10);
    pthread_t t[8];
    for (intptr_t i = 0; i < 8; i++)
        EXPECT_EQ(pthread_create(&t[i], NULL, i % 2 ? by_exit : by_return, (void *)(i + 1)), 0);
    for (int i = 0; i < 8; i++) {
        void *rv = NULL;
        EXPECT_EQ(pthread_join(t[i], &rv), 0);
        SAY("thread %d -> %ld", i, (long)(intptr_t)rv);
    }
    int done = 0;
    pthread_t s;
    EXPECT_EQ(pthread_create(&s, NULL, slow, &done), 0);
    void *rv;
    EXPECT_EQ(pthread_join(s, &rv), 0);
    EXPECT_EQ(done, 1);
    EXPECT_EQ((intptr_t)rv, 77);
    /* A NULL result pointer is allowed. */
    EXPECT_EQ(pthread_create(&s, NULL, by_return, (void *)5), 0);
    EXPECT_EQ(pthread_join(s, NULL), 0);
    return t_done();
}
