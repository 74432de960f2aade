// syscalls: memfd_create, fcntl, mmap, mprotect, munmap, pwrite64, write, ftruncate, fallocate
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>

/* The error paths of file seals: F_SEAL_WRITE is EBUSY while a shared mapping through a
 * writable descriptor exists (even a read-only one); once sealed, writable shared mappings
 * are EPERM and read-only ones can never become writable (mprotect EACCES), private ones
 * are fine; F_SEAL_FUTURE_WRITE keeps existing mappings writable; F_SEAL_GROW lets a write
 * proceed page by page up to the end; hole punching counts as a write. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int fd = syscall(SYS_memfd_create, "seals", MFD_ALLOW_SEALING);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_EQ(ftruncate(fd, 2 * pg), 0);
    EXPECT_ERR(fcntl(fd, F_ADD_SEALS, 0x40), EINVAL);
    EXPECT_EQ(fcntl(fd, F_ADD_SEALS, 0), 0);

    char *rw = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!CHECK(rw != MAP_FAILED)) return t_done();
    EXPECT_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
    EXPECT_EQ(munmap(rw, pg), 0);
    char *ro = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
    EXPECT_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
    EXPECT_EQ(munmap(ro, pg), 0);
    /* Private mappings never count. */
    char *priv = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0);
    priv[0] = 'p';
    SAY("private store after the seal: %c", priv[0]);
    EXPECT_ERR((long)mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EPERM);
    ro = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
    if (!CHECK(ro != MAP_FAILED)) return t_done();
    EXPECT_ERR(mprotect(ro, pg, PROT_READ | PROT_WRITE), EACCES);
    EXPECT_ERR(pwrite(fd, "x", 1, 0), EPERM);
    EXPECT_ERR(write(fd, "x", 1), EPERM);
    EXPECT_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, pg), EPERM);
    /* Size changes are still allowed: the write seal is about contents. */
    EXPECT_EQ(ftruncate(fd, 3 * pg), 0);
    munmap(ro, pg);
    munmap(priv, pg);
    close(fd);

    /* F_SEAL_FUTURE_WRITE: what is mapped stays writable, nothing new may write. */
    fd = syscall(SYS_memfd_create, "future", MFD_ALLOW_SEALING);
    EXPECT_EQ(ftruncate(fd, pg), 0);
    rw = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!CHECK(rw != MAP_FAILED)) return t_done();
    EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), 0);
    strcpy(rw, "still writable");
    char buf[32] = {0};
    EXPECT_EQ(pread(fd, buf, 14, 0), 14);
    SAY("file through the old mapping: %s", buf);
    EXPECT_ERR(pwrite(fd, "x", 1, 0), EPERM);
    EXPECT_ERR((long)mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EPERM);
    /* F_SEAL_WRITE now still waits for the old mapping. */
    EXPECT_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
    munmap(rw, pg);
    EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0);
    EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_FUTURE_WRITE | F_SEAL_WRITE);
    close(fd);

    /* F_SEAL_GROW: a write may fill the file up to its end, page by page. */
    fd = syscall(SYS_memfd_create, "grow", MFD_ALLOW_SEALING);
    EXPECT_EQ(ftruncate(fd, pg + 10), 0);
    EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), 0);
    static char big[8192];
    memset(big, 'g', sizeof big);
    EXPECT_EQ(pwrite(fd, big, 2 * pg, 0), pg);
    EXPECT_ERR(pwrite(fd, big, 20, pg), EPERM);
    EXPECT_EQ(pwrite(fd, big, 10, pg), 10);
    EXPECT_ERR(fallocate(fd, 0, 0, 2 * pg), EPERM);
    EXPECT_EQ(fallocate(fd, 0, 0, pg), 0);
    EXPECT_EQ(lseek(fd, 0, SEEK_END), pg + 10);
    /* F_SEAL_SHRINK with an equal size is no change. */
    EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_SEAL), 0);
    EXPECT_EQ(ftruncate(fd, pg + 10), 0);
    EXPECT_ERR(ftruncate(fd, pg), EPERM);
    EXPECT_ERR(fcntl(fd, F_ADD_SEALS, 0), EPERM);
    close(fd);

    /* Files that are not memfds have no seals to get or add. */
    int f = EXPECT_OK(open("plain", O_CREAT | O_RDWR, 0600));
    EXPECT_ERR(fcntl(f, F_GET_SEALS), EINVAL);
    EXPECT_ERR(fcntl(f, F_ADD_SEALS, F_SEAL_WRITE), EINVAL);
    close(f);
    int p[2];
    EXPECT_EQ(pipe(p), 0);
    EXPECT_ERR(fcntl(p[0], F_ADD_SEALS, F_SEAL_WRITE), EPERM);
    EXPECT_ERR(fcntl(p[1], F_ADD_SEALS, F_SEAL_WRITE), EINVAL);
    return t_done();
}
