// syscalls: set_robust_list, get_robust_list, clone, fork, wait4
/* set_robust_list records a list head for the calling thread (the length must be the head's
 * size, 24, else EINVAL); get_robust_list returns it for the caller (pid 0) or for another
 * thread of the process by tid, ESRCH for a tid that does not exist, EFAULT for bad output
 * pointers. */
#include "harness.h"
#include <pthread.h>
#include <sys/wait.h>

struct robust_list { struct robust_list *next; };
struct robust_list_head {
    struct robust_list list;
    long futex_offset;
    struct robust_list *list_op_pending;
};

static struct robust_list_head main_head, thread_head;
static volatile pid_t ttid;
static volatile int stop;

static void *fn(void *arg) {
    (void)arg;
    thread_head.list.next = &thread_head.list;
    syscall(SYS_set_robust_list, &thread_head, sizeof thread_head);
    ttid = syscall(SYS_gettid);
    while (!stop) usleep(1000);
    return NULL;
}

int main(void) {
    alarm(10);
    main_head.list.next = &main_head.list;
    EXPECT_EQ(sizeof main_head, 24);
    EXPECT_ERR(syscall(SYS_set_robust_list, &main_head, 23), EINVAL);
    EXPECT_ERR(syscall(SYS_set_robust_list, &main_head, 48), EINVAL);
    EXPECT_OK(syscall(SYS_set_robust_list, &main_head, sizeof main_head));
    void *head = NULL;
    size_t len = 0;
    EXPECT_OK(syscall(SYS_get_robust_list, 0, &head, &len));
    EXPECT_EQ(head == &main_head, 1);
    EXPECT_EQ(len, 24);
    head = NULL;
    EXPECT_OK(syscall(SYS_get_robust_list, getpid(), &head, &len));
    EXPECT_EQ(head == &main_head, 1);

    pthread_t t;
    pthread_create(&t, NULL, fn, NULL);
    while (!ttid) usleep(1000);
    head = NULL;
    EXPECT_OK(syscall(SYS_get_robust_list, ttid, &head, &len));
    EXPECT_EQ(head == &thread_head, 1);
    EXPECT_ERR(syscall(SYS_get_robust_list, 0, NULL, &len), EFAULT);
    EXPECT_ERR(syscall(SYS_get_robust_list, 0, &head, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_get_robust_list, 0, (void *)8, &len), EFAULT);
    pid_t dead = fork();
    if (dead == 0) _exit(0);
    waitpid(dead, NULL, 0);
    EXPECT_ERR(syscall(SYS_get_robust_list, dead, &head, &len), ESRCH);
    stop = 1;
    pthread_join(t, NULL);
    return t_done();
}
