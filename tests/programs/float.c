// float: double and long double formatting and math (SSE and x87), plus the initial FPU state.
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static volatile double vd[] = {0.1, 1.0 / 3.0, 2.0, 1e300, 5e-324, -0.0, 123456789.125};
static volatile long double vl[] = {0.1L, 2.0L, 1e4000L, 3.0L};

int main(void) {
  uint16_t fcw;
  uint32_t mxcsr;
  __asm__ volatile("fnstcw %0" : "=m"(fcw));
  __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
  printf("initial x87 control word 0x%04x, MXCSR 0x%08x\n", fcw, mxcsr);

  for (size_t i = 0; i < sizeof vd / sizeof vd[0]; i++) {
    double d = vd[i];
    printf("double %zu: %%f=%f %%e=%e %%g=%g %%.17g=%.17g %%a=%a\n", i, d, d, d, d, d);
  }
  double inf = vd[3] * vd[3], nan_ = inf - inf;
  printf("inf=%f -inf=%e nan=%g\n", inf, -inf, fabs(nan_));
  printf("sqrt(2)=%.17g sqrt(1e300)=%.17g\n", sqrt(vd[2]), sqrt(vd[3]));
  printf("sin(0.1)=%.17g cos(0.1)=%.17g tan(1/3)=%.17g\n", sin(vd[0]), cos(vd[0]), tan(vd[1]));
  printf("exp(2)=%.17g log(2)=%.17g pow(2, 0.1)=%.17g atan2(1/3, 2)=%.17g\n", exp(vd[2]), log(vd[2]), pow(vd[2], vd[0]),
         atan2(vd[1], vd[2]));
  const char *nums[] = {"0.1", "1e-310", "3.14159265358979323846", "0x1.8p3", "inf", "-nan", "1e400", "12abc"};
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
    char *end;
    double d = strtod(nums[i], &end);
    printf("strtod(%s)=%.17g rest=[%s]\n", nums[i], isnan(d) ? fabs(d) : d, end);
  }

  long double third = 1.0L / vl[3];
  printf("long double 1/3: %%Lf=%.25Lf %%Le=%.20Le %%Lg=%Lg %%La=%La\n", third, third, third, third);
  printf("long double 0.1: %%La=%La %%.21Lg=%.21Lg\n", vl[0], vl[0]);
  printf("long double 1e4000: %%Le=%Le\n", vl[2]);
  printf("LDBL_MANT_DIG=%d sqrtl(2)=%.21Lg\n", LDBL_MANT_DIG, sqrtl(vl[1]));
  long double x87 = 0;
  for (int i = 1; i <= 1000; i++) x87 += 1.0L / i;
  printf("x87 harmonic(1000)=%.21Lg\n", x87);
  double sse = 0;
  for (int i = 1; i <= 1000; i++) sse += 1.0 / i;
  printf("sse harmonic(1000)=%.17g\n", sse);
  float f = (float)vd[1];
  printf("float 1/3=%.9g %a\n", f, f);
  printf("(int)2.5=%d lrint(2.5)=%ld lrint(3.5)=%ld llround(-2.5)=%lld\n", (int)(vd[2] + 0.5), lrint(vd[2] + 0.5),
         lrint(vd[2] + 1.5), llround(-vd[2] - 0.5));
  return 0;
}
