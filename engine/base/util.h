/* util: the umbrella of base's small shared modules, for the files that use
 * several of them: error codes (errors.h), allocation (alloc.h), growable buffers
 * (buf.h), clocks (clock.h), parsers of durations, rates, sizes and counts
 * (parse.h), formatting (fmt.h), opening input files (input.h) and the PRNG
 * (rng.h). */
#ifndef LG_UTIL_H
#define LG_UTIL_H

#include "alloc.h"
#include "buf.h"
#include "clock.h"
#include "errors.h"
#include "fmt.h"
#include "input.h"
#include "parse.h"
#include "rng.h"

#endif
