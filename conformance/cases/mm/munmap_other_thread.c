// syscalls: munmap, mprotect, mmap, rt_sigaction, clone
/* munmap and mprotect act on every thread at once: a thread spinning on a page, without ever
 * entering the kernel, faults as soon as another thread unmaps the page or takes its write
 * permission away (Linux shoots down the other CPUs' TLB entries before the call returns). */
#include "harness.h"
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>

static volatile char *page;
static atomic_int spinning, faulted;
static __thread sigjmp_buf back;

static void on_segv(int s) {
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

static void run(const char *what, void *(*fn)(void *), int unmap) {
    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(page != MAP_FAILED)) return;
    page[0] = 1;
    atomic_store(&spinning, 0);
    atomic_store(&faulted, 0);
    pthread_t t;
    pthread_create(&t, NULL, fn, NULL);
    while (!atomic_load(&spinning)) {
    }
    struct timespec d = {0, 20 * 1000000L};
    nanosleep(&d, NULL); /* let it spin on a cached translation */
    if (unmap) {
        EXPECT_EQ(munmap((void *)page, 4096), 0);
    } else {
        EXPECT_EQ(mprotect((void *)page, 4096, PROT_READ), 0);
    }
    pthread_join(t, NULL);
    SAY("%s: the spinning thread faulted: %s", what, atomic_load(&faulted) ? "yes" : "no");
    if (!unmap) munmap((void *)page, 4096);
}

int main(void) {
    syscall(SYS_alarm, 10);
    struct sigaction sa = {0};
    sa.sa_handler = on_segv;
    sigaction(SIGSEGV, &sa, NULL);
    run("munmap under a reader", reader, 1);
    run("mprotect(PROT_READ) under a writer", writer, 0);
    return t_done();
}
