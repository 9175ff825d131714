/* clock: CLOCK_MONOTONIC and CLOCK_REALTIME in the units loadgate counts in:
 * microseconds for measurements, milliseconds for wall-clock stamps. */
#include "clock.h"

#include <time.h>

int64_t lg_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t lg_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
