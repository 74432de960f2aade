// syscalls: ftruncate, mmap, clone, rt_sigaction
/* A shrink reaches every thread at once: a thread spinning on a page of a MAP_SHARED file
 * mapping, without ever entering the kernel, gets SIGBUS as soon as another thread of its
 * process shrinks the file below that page (Linux unmaps it and shoots down the other CPUs'
 * TLB entries before ftruncate returns). */
#include "harness.h"
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>

static volatile char *page;
static atomic_int spinning, faulted;
static __thread sigjmp_buf back;

static void on_bus(int s) {
    (void)s;
    atomic_store(&faulted, 1);
    siglongjmp(back, 1);
}

static void *reader(void *arg) {
    (void)arg;
    if (sigsetjmp(back, 1) == 0) {
        atomic_store(&spinning, 1);
        for (;;) (void)page[0];
    }
    return NULL;
}

static void *writer(void *arg) {
    (void)arg;
    if (sigsetjmp(back, 1) == 0) {
        atomic_store(&spinning, 1);
        for (unsigned char i = 0;; i++) page[0] = (char)i;
    }
    return NULL;
}

static void run(const char *what, int fd, void *(*fn)(void *)) {
    long pg = sysconf(_SC_PAGESIZE);
    if (ftruncate(fd, 2 * pg) != 0) return (void)T_FAIL("ftruncate");
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!CHECK(m != MAP_FAILED)) return;
    m[pg] = 1;
    page = m + pg;
    atomic_store(&spinning, 0);
    atomic_store(&faulted, 0);
    pthread_t t;
    pthread_create(&t, NULL, fn, NULL);
    while (!atomic_load(&spinning)) {
    }
    struct timespec d = {0, 20 * 1000000L};
    nanosleep(&d, NULL); /* let it spin on a cached translation */
    EXPECT_EQ(ftruncate(fd, pg), 0);
    pthread_join(t, NULL);
    SAY("%s: the spinning thread got SIGBUS: %s", what, atomic_load(&faulted) ? "yes" : "no");
    munmap(m, 2 * pg);
}

int main(void) {
    syscall(SYS_alarm, 10);
    struct sigaction sa = {0};
    sa.sa_handler = on_bus;
    sigaction(SIGBUS, &sa, NULL);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    int mfd = syscall(SYS_memfd_create, "spin", 0);
    if (!CHECK(fd >= 0 && mfd >= 0)) return t_done();
    run("file, reader", fd, reader);
    run("file, writer", fd, writer);
    run("memfd, reader", mfd, reader);
    run("memfd, writer", mfd, writer);
    return t_done();
}
