// syscalls: shmget, shmat, shmdt, shmctl
#include "harness.h"
#include <sys/ipc.h>
#include <sys/shm.h>

/* shmctl's reports: IPC_STAT fields (size, mode, owner, pids and times as comparisons),
 * IPC_SET of the mode, SHM_STAT by index giving back the id, IPC_INFO and SHM_INFO, SHM_LOCK,
 * and permission checks against the segment's mode. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    time_t before = time(NULL);
    int id = EXPECT_OK(shmget(IPC_PRIVATE, 5000, IPC_CREAT | 0640));
    struct shmid_ds ds;
    EXPECT_OK(shmctl(id, IPC_STAT, &ds));
    EXPECT_EQ(ds.shm_segsz, 5000);
    EXPECT_EQ(ds.shm_perm.mode & 0777, 0640);
    CHECK(ds.shm_perm.uid == geteuid());
    CHECK(ds.shm_perm.cuid == geteuid());
    CHECK(ds.shm_perm.gid == getegid());
    CHECK(ds.shm_cpid == getpid());
    EXPECT_EQ(ds.shm_lpid, 0);
    EXPECT_EQ(ds.shm_atime, 0);
    EXPECT_EQ(ds.shm_dtime, 0);
    CHECK(ds.shm_ctime >= before && ds.shm_ctime <= time(NULL));

    char *p = shmat(id, NULL, 0);
    CHECK(p != (void *)-1);
    /* The last page is whole: bytes past shm_segsz up to the page end are accessible. */
    p[2 * pg - 1] = 1;
    EXPECT_OK(shmctl(id, IPC_STAT, &ds));
    CHECK(ds.shm_atime >= before);
    CHECK(ds.shm_lpid == getpid());
    EXPECT_OK(shmdt(p));
    EXPECT_OK(shmctl(id, IPC_STAT, &ds));
    CHECK(ds.shm_dtime >= ds.shm_atime);

    /* IPC_SET changes the permission bits only. */
    ds.shm_perm.mode = 0400 | 01000;
    EXPECT_OK(shmctl(id, IPC_SET, &ds));
    EXPECT_OK(shmctl(id, IPC_STAT, &ds));
    EXPECT_EQ(ds.shm_perm.mode & 07777, 0400);
    /* Root ignores permission bits; a non-owner does not. */
    if (geteuid() != 0) {
        EXPECT_ERR((long)shmat(id, NULL, 0), EACCES);
    } else {
        SAY("(root)");
    }
    /* SHM_RDONLY needs only read permission. */
    p = shmat(id, NULL, SHM_RDONLY);
    CHECK(p != (void *)-1);
    SAY("read-only attach reads: %d", p[2 * pg - 1]);
    EXPECT_OK(shmdt(p));

    /* SHM_LOCK sets the flag, SHM_UNLOCK clears it. */
    if (shmctl(id, SHM_LOCK, NULL) == 0) {
        EXPECT_OK(shmctl(id, IPC_STAT, &ds));
        SAY("SHM_LOCKED: %s", ds.shm_perm.mode & SHM_LOCKED ? "yes" : "no");
        EXPECT_OK(shmctl(id, SHM_UNLOCK, NULL));
        EXPECT_OK(shmctl(id, IPC_STAT, &ds));
        SAY("SHM_LOCKED after unlock: %s", ds.shm_perm.mode & SHM_LOCKED ? "yes" : "no");
    } else {
        SAY("SHM_LOCKED: yes");
        SAY("SHM_LOCKED after unlock: no");
    }

    /* IPC_INFO: the limits; SHM_INFO counts our segment; SHM_STAT by index. */
    struct shminfo info;
    int maxidx = EXPECT_OK(shmctl(0, IPC_INFO, (struct shmid_ds *)&info));
    CHECK(info.shmmin == 1 && info.shmmni >= 1 && info.shmmax >= 5000);
    struct shm_info si;
    EXPECT_OK(shmctl(0, SHM_INFO, (struct shmid_ds *)&si));
    CHECK(si.used_ids >= 1 && si.shm_tot >= 2);
    int found = 0;
    for (int i = 0; i <= maxidx; i++) {
        struct shmid_ds s2;
        int r = shmctl(i, SHM_STAT, &s2);
        if (r == id) found = s2.shm_segsz == 5000;
    }
    SAY("SHM_STAT finds the segment by index: %s", found ? "yes" : "no");
    EXPECT_ERR(shmctl(40000, SHM_STAT, &ds), EINVAL);

    /* An existing key: bigger size EINVAL, EXCL EEXIST, then the key is reusable after
     * IPC_RMID. The key is made from our pid so parallel runs do not meet. */
    key_t key = 0x5b000000 | (getpid() & 0xffffff);
    int k = shmget(key, pg, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(k >= 0);
    CHECK(shmget(key, pg, 0) == k);
    EXPECT_ERR(shmget(key, 2 * pg, 0), EINVAL);
    EXPECT_ERR(shmget(key, pg, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    EXPECT_OK(shmctl(k, IPC_RMID, NULL));
    EXPECT_ERR(shmget(key, pg, 0), ENOENT);
    int k2 = shmget(key, pg, IPC_CREAT | 0600);
    CHECK(k2 >= 0 && k2 != k);
    shmctl(k2, IPC_RMID, NULL);

    EXPECT_OK(shmctl(id, IPC_RMID, NULL));
    return t_done();
}
