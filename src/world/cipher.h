#ifndef R1SIM_WORLD_CIPHER_H
#define R1SIM_WORLD_CIPHER_H

#include <stddef.h>

/* The world's two "languages" for numbers: ordinary digits and a letter cipher
 * of the same digits (a=0 ... j=9, so 16 is "bg"). A scratchpad that mixes the
 * two is the miniature of R1-Zero's English/Chinese mixing, and the language
 * reward measures the share of a thought written in the prompt's script.
 * Answers are always digits. */

typedef enum { WORLD_DIGITS = 0, WORLD_CIPHER = 1 } WorldScript;

/* "digits" or "cipher". */
const char *cipher_script_name(WorldScript s);
/* Parses "digits" / "cipher"; -1 for anything else. */
int cipher_script_from_name(const char *name, WorldScript *out);

/* The character for digit d (0..9) in script s. */
char cipher_digit_char(int d, WorldScript s);

/* The digit a character stands for (0..9) and, if script is not NULL, which
 * script it belongs to; -1 when c is neither a digit nor a..j. */
int cipher_char_digit(char c, WorldScript *script);

/* Rewrites every digit and every a..j letter of text in script `to`, leaving
 * all other characters alone. Returns the length like snprintf (out is always
 * NUL-terminated when cap > 0). */
size_t cipher_translate(const char *text, WorldScript to, char *out, size_t cap);

#endif
