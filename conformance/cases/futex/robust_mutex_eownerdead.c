// syscalls: futex, set_robust_list, clone, fork, mmap, wait4
/* pthread robust mutexes on top of the kernel's robust list: when the owner thread exits
 * holding the mutex, a thread blocked in pthread_mutex_lock gets EOWNERDEAD and the lock;
 * after pthread_mutex_consistent the mutex works normally. If it is unlocked without being made
 * consistent it becomes unusable (ENOTRECOVERABLE). A process-shared robust mutex in
 * MAP_SHARED memory reports EOWNERDEAD after the owning child process exits. */
#include "harness.h"
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>

static pthread_mutex_t m;
static volatile int locked;

static void *dies_holding(void *arg) {
    pthread_mutex_t *mx = arg;
    pthread_mutex_lock(mx);
    locked = 1;
    usleep(150000);
    return NULL; /* exits holding it */
}

static void init_robust(pthread_mutex_t *mx, int pshared) {
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (pshared) pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(mx, &a);
}

int main(void) {
    alarm(10);
    init_robust(&m, 0);
    pthread_t t;
    pthread_create(&t, NULL, dies_holding, &m);
    while (!locked) usleep(1000);
    EXPECT_EQ(pthread_mutex_lock(&m), EOWNERDEAD); /* blocks until the owner is gone */
    pthread_join(t, NULL);
    EXPECT_EQ(pthread_mutex_consistent(&m), 0);
    EXPECT_EQ(pthread_mutex_unlock(&m), 0);
    EXPECT_EQ(pthread_mutex_lock(&m), 0);
    EXPECT_EQ(pthread_mutex_unlock(&m), 0);

    /* Dead owner again, but unlocked without pthread_mutex_consistent. */
    locked = 0;
    pthread_create(&t, NULL, dies_holding, &m);
    pthread_join(t, NULL);
    EXPECT_EQ(pthread_mutex_trylock(&m), EOWNERDEAD);
    EXPECT_EQ(pthread_mutex_unlock(&m), 0);
    EXPECT_EQ(pthread_mutex_lock(&m), ENOTRECOVERABLE);

    pthread_mutex_t *sm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    init_robust(sm, 1);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(sm);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    EXPECT_EQ(pthread_mutex_lock(sm), EOWNERDEAD);
    EXPECT_EQ(pthread_mutex_consistent(sm), 0);
    EXPECT_EQ(pthread_mutex_unlock(sm), 0);
    return t_done();
}
