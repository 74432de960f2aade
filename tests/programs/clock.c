// clock: clock_gettime (REALTIME, MONOTONIC, BOOTTIME, PROCESS_CPUTIME_ID), gettimeofday, time
// and nanosleep. Prints only checks (monotonic, plausible, slept long enough), never times.
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static long long ns(const struct timespec *t) { return (long long)t->tv_sec * 1000000000LL + t->tv_nsec; }

static void nondecreasing(const char *name, clockid_t id) {
  struct timespec prev, cur;
  int ok = clock_gettime(id, &prev) == 0, steps = 0;
  for (int i = 0; ok && i < 2000; i++) {
    if (clock_gettime(id, &cur) != 0 || ns(&cur) < ns(&prev) || cur.tv_nsec < 0 || cur.tv_nsec >= 1000000000L) ok = 0;
    if (ns(&cur) > ns(&prev)) steps++;
    prev = cur;
  }
  printf("%s: 2000 reads nondecreasing and normalized: %s, advances: %s\n", name, ok ? "yes" : "no", steps > 0 ? "yes" : "no");
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  struct timespec rt;
  REPORT("clock_gettime(CLOCK_REALTIME)", clock_gettime(CLOCK_REALTIME, &rt));
  printf("realtime after 2020-01-01: %s\n", rt.tv_sec > 1577836800 ? "yes" : "no");
  printf("realtime before 2100-01-01: %s\n", rt.tv_sec < 4102444800LL ? "yes" : "no");

  nondecreasing("CLOCK_REALTIME", CLOCK_REALTIME);
  nondecreasing("CLOCK_MONOTONIC", CLOCK_MONOTONIC);
  nondecreasing("CLOCK_BOOTTIME", CLOCK_BOOTTIME);
  nondecreasing("CLOCK_MONOTONIC_RAW", CLOCK_MONOTONIC_RAW);
  nondecreasing("CLOCK_PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID);
  nondecreasing("CLOCK_THREAD_CPUTIME_ID", CLOCK_THREAD_CPUTIME_ID);

  struct timespec c0, c1, m0, m1;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
  clock_gettime(CLOCK_MONOTONIC, &m0);
  volatile unsigned long spin = 0;
  do {
    for (int i = 0; i < 100000; i++) spin += i;
    clock_gettime(CLOCK_MONOTONIC, &m1);
  } while (ns(&m1) - ns(&m0) < 30000000LL);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
  printf("cpu time advanced during 30 ms of spinning: %s\n", ns(&c1) > ns(&c0) ? "yes" : "no");

  struct timeval tv;
  struct timespec r2;
  REPORT("gettimeofday", gettimeofday(&tv, NULL));
  clock_gettime(CLOCK_REALTIME, &r2);
  long long tv_ns = (long long)tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
  printf("gettimeofday within 2 s of CLOCK_REALTIME: %s, usec normalized: %s\n",
         tv_ns - ns(&r2) < 2000000000LL && ns(&r2) - tv_ns < 2000000000LL ? "yes" : "no",
         tv.tv_usec >= 0 && tv.tv_usec < 1000000 ? "yes" : "no");
  time_t t1, t0 = time(&t1);
  clock_gettime(CLOCK_REALTIME, &r2);
  printf("time() within 2 s of CLOCK_REALTIME: %s, stored the same: %s\n",
         t0 - r2.tv_sec < 2 && r2.tv_sec - t0 < 2 ? "yes" : "no", t0 == t1 ? "yes" : "no");
  time_t t2 = (time_t)syscall(SYS_time, NULL);
  printf("time syscall within 2 s: %s\n", t2 - r2.tv_sec < 2 && r2.tv_sec - t2 < 2 ? "yes" : "no");

  struct timespec res;
  REPORT("clock_getres(CLOCK_MONOTONIC)", clock_getres(CLOCK_MONOTONIC, &res));
  printf("resolution at most 1 ms: %s\n", res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000 ? "yes" : "no");

  struct timespec a, b, req = {0, 10000000L};
  clock_gettime(CLOCK_MONOTONIC, &a);
  REPORT("nanosleep(10 ms)", nanosleep(&req, NULL));
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("slept at least 10 ms: %s\n", ns(&b) - ns(&a) >= 10000000LL ? "yes" : "no");
  clock_gettime(CLOCK_MONOTONIC, &a);
  REPORT("clock_nanosleep(CLOCK_MONOTONIC, 10 ms)", clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL));
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("slept at least 10 ms: %s\n", ns(&b) - ns(&a) >= 10000000LL ? "yes" : "no");
  struct timespec zero = {0, 0};
  REPORT("nanosleep(0)", nanosleep(&zero, NULL));
  return 0;
}
