/* clock: the two clocks loadgate reads: monotonic for every interval, the
 * wall clock only for when a run started. */
#ifndef LG_CLOCK_H
#define LG_CLOCK_H

#include <stdint.h>

/* Monotonic clock in microseconds (CLOCK_MONOTONIC). */
int64_t lg_now_us(void);
/* Wall clock in milliseconds since the Unix epoch. */
int64_t lg_wall_ms(void);

#endif
