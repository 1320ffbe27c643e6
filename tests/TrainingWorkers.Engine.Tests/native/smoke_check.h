/*
 * The checks of the shim's C smoke tests (dist_smoke.c, amp_smoke.c): return 1 from main at the first
 * failure, with the shim's message or the expectation that failed.
 */
#ifndef TW_SMOKE_CHECK_H
#define TW_SMOKE_CHECK_H

#include <stdio.h>

#include "tw.h"

#define CHECK(call)                                                            \
  do {                                                                         \
    if ((call) != TW_OK) {                                                     \
      fprintf(stderr, "FAILED %s: %s\n", #call, tw_last_error());              \
      return 1;                                                                \
    }                                                                          \
  } while (0)

#define EXPECT(cond, ...)                                                      \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "FAILED %s: ", #cond);                                   \
      fprintf(stderr, __VA_ARGS__);                                            \
      fprintf(stderr, "\n");                                                   \
      return 1;                                                                \
    }                                                                          \
  } while (0)

#endif
