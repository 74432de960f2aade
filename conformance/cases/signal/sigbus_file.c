// syscalls: openat, ftruncate, mmap, rt_sigaction, rt_sigreturn
/* A file mapping that extends past end-of-file: the tail of the last file page reads as zeros,
 * but touching a page wholly beyond EOF raises SIGBUS BUS_ADRERR at that address (shared and
 * private mappings alike); once the file grows, the same page is readable. */
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

int main(void) {
    SAY("SIGBUS=%d BUS_ADRERR=%d", SIGBUS, BUS_ADRERR);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    long pg = sysconf(_SC_PAGESIZE);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_EQ(write(fd, "abc", 3), 3);
    char *sh = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *pr = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (!CHECK(sh != MAP_FAILED && pr != MAP_FAILED)) return t_done();
    probe("shared byte 1", sh + 1);
    probe("shared past EOF, same page", sh + 100);
    probe("shared next page", sh + pg + 10);
    probe("private next page", pr + pg);
    EXPECT_OK(ftruncate(fd, 2 * pg));
    probe("shared next page after growth", sh + pg + 10);
    probe("private next page after growth", pr + pg);
    EXPECT_OK(ftruncate(fd, 10));
    probe("shared next page after shrink", sh + pg + 10);
    return t_done();
}
