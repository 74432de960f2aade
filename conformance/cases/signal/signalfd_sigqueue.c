// syscalls: signalfd4, read, rt_sigqueueinfo, rt_tgsigqueueinfo, rt_sigprocmask
/* sigqueue's value reaches the record: ssi_code SI_QUEUE, ssi_int and ssi_ptr carry the
 * sigval, ssi_pid and ssi_uid the sender. A thread-directed rt_tgsigqueueinfo does the same. */
#include "harness.h"
#include <signal.h>
#include <stdint.h>
#include <sys/signalfd.h>

int main(void) {
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGRTMIN + 2);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &m, NULL));
    int fd = EXPECT_OK(signalfd(-1, &m, SFD_NONBLOCK));
    struct signalfd_siginfo si;

    EXPECT_OK(sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 42}));
    EXPECT_EQ(read(fd, &si, sizeof si), sizeof si);
    EXPECT_EQ(si.ssi_signo, SIGUSR1);
    EXPECT_EQ(si.ssi_code, SI_QUEUE);
    EXPECT_EQ(si.ssi_int, 42);
    EXPECT_EQ(si.ssi_ptr, 42);
    CHECK(si.ssi_pid == (unsigned)getpid());
    CHECK(si.ssi_uid == (unsigned)getuid());

    static int anchor;
    EXPECT_OK(sigqueue(getpid(), SIGRTMIN + 2, (union sigval){.sival_ptr = &anchor}));
    EXPECT_EQ(read(fd, &si, sizeof si), sizeof si);
    EXPECT_EQ(si.ssi_signo - SIGRTMIN, 2);
    CHECK(si.ssi_ptr == (uint64_t)(uintptr_t)&anchor);
    EXPECT_EQ(si.ssi_int, (int)(uintptr_t)&anchor);

    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_signo = SIGUSR1;
    info.si_code = SI_QUEUE;
    info.si_pid = getpid();
    info.si_uid = getuid();
    info.si_value.sival_int = -7;
    EXPECT_OK(syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGUSR1, &info));
    EXPECT_EQ(read(fd, &si, sizeof si), sizeof si);
    EXPECT_EQ(si.ssi_code, SI_QUEUE);
    EXPECT_EQ(si.ssi_int, -7);
    return t_done();
}
