#ifndef R1SIM_TESTS_FILE_HELPERS_H
#define R1SIM_TESTS_FILE_HELPERS_H

/* Files in tests: whole-file reads and comparisons, and scratch
 * directories, shared so that each test file does not keep its own copy. */

#include <stddef.h>

/* The whole file, NUL-terminated (malloc'd; the caller frees it), its size
 * in *len when len is not NULL. Fails the test when the file cannot be read. */
char *tf_slurp(const char *path, size_t *len);
/* Fails the test unless the two files hold the same bytes. */
void tf_assert_same_file(const char *a, const char *b);
/* Writes text as the whole file. 0, or -1. */
int tf_write(const char *path, const char *text);
/* Makes /tmp/PREFIX-XXXXXX into dir (cap bytes). 0, or -1. */
int tf_scratch(char *dir, size_t cap, const char *prefix);
/* rm -rf of a scratch directory. 0, or -1. */
int tf_remove(const char *dir);

#endif
