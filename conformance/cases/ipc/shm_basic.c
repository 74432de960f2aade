// syscalls: shmget, shmat, shmdt, shmctl
#include "harness.h"
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>

/* System V shared memory: a private segment is shared with a forked child, shm_nattch counts
 * attaches (fork and a split by munmap each add one), IPC_RMID destroys the segment with its
 * last attach, and the argument errors of shmat/shmdt/shmget/shmctl. */
static long nattch(int id) {
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) != 0) return -1;
    return (long)ds.shm_nattch;
}

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int id = EXPECT_OK(shmget(IPC_PRIVATE, 3 * pg, IPC_CREAT | 0600));
    EXPECT_EQ(nattch(id), 0);
    char *p = shmat(id, NULL, 0);
    CHECK(p != (void *)-1);
    EXPECT_EQ(nattch(id), 1);
    SAY("fresh segment reads zero: %s", p[0] == 0 && p[3 * pg - 1] == 0 ? "yes" : "no");
    strcpy(p, "parent");

    /* A second attach of the same segment sees the same bytes. */
    char *q = shmat(id, NULL, SHM_RDONLY);
    CHECK(q != (void *)-1 && q != p);
    SAY("second attach reads: %s", q);
    EXPECT_EQ(nattch(id), 2);
    EXPECT_ERR(mprotect(q, pg, PROT_READ | PROT_WRITE), EACCES);
    EXPECT_OK(shmdt(q));
    EXPECT_EQ(nattch(id), 1);

    /* The child inherits the attach and writes through it. */
    pid_t c = fork();
    if (c == 0) {
        int ok = strcmp(p, "parent") == 0 && nattch(id) == 2;
        strcpy(p + pg, "child");
        shmdt(p);
        _exit(ok && nattch(id) == 1 ? 0 : 1);
    }
    int st;
    waitpid(c, &st, 0);
    EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);
    SAY("parent reads child's write: %s", p + pg);
    EXPECT_EQ(nattch(id), 1);

    /* munmap of the middle page splits the attach: two mappings, as Linux counts them. */
    EXPECT_OK(munmap(p + pg, pg));
    EXPECT_EQ(nattch(id), 2);
    /* shmdt at an address that is not an attach start. */
    EXPECT_ERR(shmdt(p + 2 * pg), EINVAL);
    EXPECT_ERR(shmdt(p + 1), EINVAL);
    /* shmdt at the start removes both pieces. */
    EXPECT_OK(shmdt(p));
    EXPECT_EQ(nattch(id), 0);
    EXPECT_ERR(shmdt(p), EINVAL);

    /* At a fixed address: SHM_RND rounds, an unaligned address without it is EINVAL, an
     * occupied range is EINVAL without SHM_REMAP. */
    char *area = mmap(NULL, 8 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(area, 8 * pg);
    char *at = shmat(id, area + 13, SHM_RND);
    SAY("SHM_RND attach at rounded address: %s", at == area ? "yes" : "no");
    SAY("data kept: %s", at == area && strcmp(at, "parent") == 0 ? "yes" : "no");
    EXPECT_ERR((long)shmat(id, area + 4 * pg + 13, 0), EINVAL);
    EXPECT_ERR((long)shmat(id, area + pg, 0), EINVAL);
    char *re = shmat(id, area, SHM_REMAP);
    SAY("SHM_REMAP over the attach: %s", re == area ? "yes" : "no");
    EXPECT_ERR((long)shmat(id, NULL, SHM_REMAP), EINVAL);
    EXPECT_EQ(nattch(id), 1);

    /* IPC_RMID while attached: the segment stays until its last detach. */
    EXPECT_OK(shmctl(id, IPC_RMID, NULL));
    struct shmid_ds ds;
    EXPECT_OK(shmctl(id, IPC_STAT, &ds));
    SAY("destroyed: SHM_DEST %s, key private %s", ds.shm_perm.mode & SHM_DEST ? "yes" : "no",
        ds.shm_perm.__key == IPC_PRIVATE ? "yes" : "no");
    SAY("still readable: %s", strcmp(area, "parent") == 0 ? "yes" : "no");
    EXPECT_OK(shmdt(area));
    EXPECT_ERR(shmctl(id, IPC_STAT, &ds), EINVAL);
    EXPECT_ERR((long)shmat(id, NULL, 0), EINVAL);

    /* Argument errors. */
    EXPECT_ERR(shmget(IPC_PRIVATE, 0, 0600), EINVAL);
    EXPECT_ERR(shmget(IPC_PRIVATE, (size_t)-1, 0600), EINVAL);
    EXPECT_ERR((long)shmat(-1, NULL, 0), EINVAL);
    EXPECT_ERR(shmctl(-1, IPC_STAT, &ds), EINVAL);
    EXPECT_ERR(shmctl(0, -5, &ds), EINVAL);
    int id2 = EXPECT_OK(shmget(IPC_PRIVATE, pg, 0600));
    EXPECT_ERR(shmctl(id2, IPC_STAT, (struct shmid_ds *)8), EFAULT);
    EXPECT_ERR(shmctl(id2, 12345, &ds), EINVAL);
    EXPECT_OK(shmctl(id2, IPC_RMID, NULL));
    EXPECT_ERR(shmctl(id2, IPC_RMID, NULL), EINVAL);
    return t_done();
}
