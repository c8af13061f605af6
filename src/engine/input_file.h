#ifndef R1SIM_ENGINE_INPUT_FILE_H
#define R1SIM_ENGINE_INPUT_FILE_H

#include <stddef.h>

/* Every file r1sim reads is a regular file: opening a fifo blocks until some
 * other program writes to it, and a device such as /dev/zero never ends, so
 * both would hang the run where no stop can reach it. The check is a stat,
 * which never blocks, made before the file is opened. */

/* 0 when PATH is a regular file (or does not exist: opening it then gives
 * the usual message); -1 with "PATH: not a regular file (a fifo)" in err. */
int input_file_check(const char *path, char *err, size_t errlen);

#endif
