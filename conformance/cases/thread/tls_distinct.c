// syscalls: clone, arch_prctl, futex, exit
/* __thread variables are per thread: each thread starts from the initial image (initialized
 * data and zeroed data alike), its writes stay its own, and each has its own address; the main
 * thread's copy is unchanged. pthread keys hold a value per thread and run the destructor at
 * each thread's exit for a non-NULL value. */
#include "harness.h"
#include <pthread.h>
#include <stdint.h>

#define N 6
static __thread int counter = 42;
static __thread char name[16] = "initial";
static __thread long zeroed[32];

static pthread_barrier_t bar;
static pthread_key_t key;
static uintptr_t addr[N + 1];
static int ok_init[N], ok_after[N];
static volatile int destructed, destructed_sum;

static void destructor(void *v) {
    __atomic_fetch_add(&destructed, 1, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&destructed_sum, (int)(intptr_t)v, __ATOMIC_SEQ_CST);
}

static void *fn(void *arg) {
    int i = (int)(intptr_t)arg;
    int z = 1;
    for (int k = 0; k < 32; k++) z &= zeroed[k] == 0;
    ok_init[i] = counter == 42 && strcmp(name, "initial") == 0 && z;
    counter = 100 + i;
    snprintf(name, sizeof name, "thread%d", i);
    zeroed[5] = i;
    addr[i] = (uintptr_t)&counter;
    pthread_setspecific(key, (void *)(intptr_t)(i + 1));
    pthread_barrier_wait(&bar); /* everyone has written */
    char want[16];
    snprintf(want, sizeof want, "thread%d", i);
    ok_after[i] = counter == 100 + i && strcmp(name, want) == 0 && zeroed[5] == i &&
                  pthread_getspecific(key) == (void *)(intptr_t)(i + 1);
    return NULL;
}

int main(void) {
    alarm(10);
    pthread_barrier_init(&bar, NULL, N);
    EXPECT_EQ(pthread_key_create(&key, destructor), 0);
    pthread_t t[N];
    for (intptr_t i = 0; i < N; i++) pthread_create(&t[i], NULL, fn, (void *)i);
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
    addr[N] = (uintptr_t)&counter;
    for (int i = 0; i < N; i++) SAY("thread %d: initial image %s, own values %s", i,
                                    ok_init[i] ? "yes" : "no", ok_after[i] ? "yes" : "no");
    int distinct = 1;
    for (int i = 0; i <= N; i++)
        for (int j = 0; j < i; j++) distinct &= addr[i] != addr[j];
    CHECK(distinct);
    EXPECT_EQ(counter, 42);
    EXPECT_EQ(strcmp(name, "initial"), 0);
    EXPECT_EQ(zeroed[5], 0);
    EXPECT_EQ(destructed, N);
    EXPECT_EQ(destructed_sum, N * (N + 1) / 2);
    EXPECT_EQ(pthread_getspecific(key) == NULL, 1);
    return t_done();
}
