/* Small helpers every stage may use. */
#ifndef REACHMAP_UTIL_H
#define REACHMAP_UTIL_H

/* The number of elements of an array (never of a pointer). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
