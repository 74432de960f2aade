// syscalls: memfd_create, ftruncate, fallocate, mmap, pwrite64, pread64, rt_sigaction
/* Shrinking a memfd takes the cut pages away from every MAP_SHARED mapping of it, even pages
 * already touched: the next touch is SIGBUS BUS_ADRERR at that address. Growing it again
 * gives fresh zero pages that read(2)/write(2) and every mapping share; a punched hole reads
 * back as zeros through the mappings too. */
#include "harness.h"
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

static sigjmp_buf back;
static siginfo_t seen;

static void on_bus(int s, siginfo_t *si, void *uc) {
    (void)s, (void)uc;
    seen = *si;
    siglongjmp(back, 1);
}

static void probe(const char *what, volatile char *p) {
    memset(&seen, 0, sizeof seen);
    if (sigsetjmp(back, 1) == 0) {
        char c = *p;
        SAY("%s: read %d", what, c);
    } else {
        SAY("%s: signo=%d code=%d addr ok=%d", what, seen.si_signo, seen.si_code,
            seen.si_addr == (void *)p);
    }
}

static void store(const char *what, volatile char *p, char v) {
    memset(&seen, 0, sizeof seen);
    if (sigsetjmp(back, 1) == 0) {
        *p = v;
        SAY("%s: stored", what);
    } else {
        SAY("%s: signo=%d code=%d addr ok=%d", what, seen.si_signo, seen.si_code,
            seen.si_addr == (void *)p);
    }
}

int main(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    long pg = sysconf(_SC_PAGESIZE);
    int fd = syscall(SYS_memfd_create, "cut", 0);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_OK(ftruncate(fd, 3 * pg));
    char *a = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    /* A second mapping starting at the file's second page. */
    char *b = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
    if (!CHECK(a != MAP_FAILED && b != MAP_FAILED)) return t_done();
    memset(a, 'a', 3 * pg);
    probe("second mapping sees the store", b + pg + 1);
    EXPECT_OK(ftruncate(fd, pg + 10));
    probe("byte 9 of page 1", a + pg + 9);
    probe("byte 10 of page 1 (cut tail)", a + pg + 10);
    probe("page 2, first mapping", a + 2 * pg);
    probe("page 2, second mapping", b + pg + 5);
    store("store to page 2", a + 2 * pg + 7, 'x');
    EXPECT_OK(ftruncate(fd, 3 * pg));
    probe("page 2 after regrowth", a + 2 * pg + 7);
    EXPECT_EQ(pwrite(fd, "new", 3, 2 * pg + 100), 3);
    probe("pwrite seen by the first mapping", a + 2 * pg + 100);
    probe("pwrite seen by the second mapping", b + pg + 101);
    store("store after regrowth", b + pg + 200, 'y');
    char c = 0;
    EXPECT_EQ(pread(fd, &c, 1, 2 * pg + 200), 1);
    SAY("pread of that store: %c", c);
    /* A punched hole: the mappings meet zeros there and may store again. */
    EXPECT_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, pg, pg));
    probe("punched page, first mapping", a + pg + 3);
    probe("punched page, second mapping", b + 3);
    store("store to the punched page", a + pg + 3, 'z');
    probe("second mapping sees it", b + 3);
    /* Shrinking to nothing cuts every page. */
    EXPECT_OK(ftruncate(fd, 0));
    probe("page 0 after shrink to 0", a);
    probe("second mapping after shrink to 0", b);
    return t_done();
}
