/* Keeps r1sim-lua(5) honest: every option of every stage kind is documented
 * in its kind's section (".SS KIND") as
 *
 *   .TP
 *   .B NAME
 *   (DEFAULT; range) what it does.
 *
 * with the default the option really has (its OptSpec text or the trainer's
 * *_defaults()), every input role is named there, and nothing documented in
 * that form is an option the kind no longer has. Runs from the source tree
 * (R1SIM_MAN overrides the page's path). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/graph.h"
#include "pipeline/stage_options.h"

enum { MAX_LINES = 4096 };

static char *text;
static char *line[MAX_LINES];
static int n_lines;

/* Reads the page with groff's "\-" turned into "-", split into lines. */
static int setup(void **state) {
    (void)state;
    const char *path = getenv("R1SIM_MAN");
    if (!path || !*path) path = "man/r1sim-lua.5";
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s (run from the source tree)\n", path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    text = malloc((size_t)n + 1);
    if (!text || fread(text, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        return -1;
    }
    fclose(f);
    text[n] = 0;
    char *w = text;
    for (const char *r = text; *r; r++) {
        if (r[0] == '\\' && r[1] == '-') r++;
        *w++ = *r;
    }
    *w = 0;
    for (char *p = text; p && *p && n_lines < MAX_LINES;) {
        line[n_lines++] = p;
        p = strchr(p, '\n');
        if (p) *p++ = 0;
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    free(text);
    return 0;
}

/* The lines of ".SS kind" up to the next .SS or .SH: [*from, *to). */
static int kind_section(const char *kind, int *from, int *to) {
    char want[96];
    snprintf(want, sizeof want, ".SS %s", kind);
    for (int i = 0; i < n_lines; i++) {
        if (strcmp(line[i], want) != 0) continue;
        int j = i + 1;
        while (j < n_lines && strncmp(line[j], ".SS", 3) && strncmp(line[j], ".SH", 3)) j++;
        *from = i + 1;
        *to = j;
        return 0;
    }
    return -1;
}

/* The line after ".TP" and ".B name" of an option entry, or NULL. */
static const char *entry(int from, int to, const char *name) {
    for (int i = from; i + 2 < to; i++)
        if (strcmp(line[i], ".TP") == 0 && strncmp(line[i + 1], ".B ", 3) == 0 &&
            strcmp(line[i + 1] + 3, name) == 0 && line[i + 2][0] == '(')
            return line[i + 2];
    return NULL;
}

static const OptSpec *option_of(const StageKind *k, const char *name) {
    for (const OptSpec *o = k->options; o->name; o++)
        if (strcmp(o->name, name) == 0) return o;
    return NULL;
}

static void test_every_option_documented_with_its_default(void **state) {
    (void)state;
    int failures = 0;
    for (int i = 0; i < stage_kind_count(); i++) {
        const StageKind *k = stage_kind_at(i);
        int from, to;
        if (kind_section(k->name, &from, &to)) {
            print_error("r1sim-lua(5): no section .SS %s\n", k->name);
            failures++;
            continue;
        }
        for (const OptSpec *o = k->options; o->name; o++) {
            const char *doc = entry(from, to, o->name);
            char def[300], want[320];
            stage_option_default(k, o, def, sizeof def);
            snprintf(want, sizeof want, o->type == OPT_STRING ? "(\"%s\"" : "(%s", def);
            size_t n = strlen(want);
            if (!doc) {
                print_error("r1sim-lua(5): %s option %s is not documented\n", k->name, o->name);
                failures++;
            } else if (strncmp(doc, want, n) != 0 || (doc[n] != ';' && doc[n] != ')')) {
                print_error("r1sim-lua(5): %s option %s: the page says '%s', the default is %s)\n",
                            k->name, o->name, doc, want);
                failures++;
            }
        }
        for (int r = 0; r < k->n_roles; r++) {
            char want[96];
            snprintf(want, sizeof want, ".B %s", k->roles[r].name);
            int found = 0;
            for (int j = from; j < to && !found; j++) found = strcmp(line[j], want) == 0;
            if (!found) {
                print_error("r1sim-lua(5): %s input role %s is not named\n", k->name,
                            k->roles[r].name);
                failures++;
            }
        }
    }
    assert_int_equal(failures, 0);
}

static void test_nothing_documented_that_is_gone(void **state) {
    (void)state;
    int failures = 0;
    for (int i = 0; i < stage_kind_count(); i++) {
        const StageKind *k = stage_kind_at(i);
        int from, to;
        if (kind_section(k->name, &from, &to)) continue;
        for (int j = from; j + 2 < to; j++)
            if (strcmp(line[j], ".TP") == 0 && strncmp(line[j + 1], ".B ", 3) == 0 &&
                line[j + 2][0] == '(' && !option_of(k, line[j + 1] + 3)) {
                print_error("r1sim-lua(5): %s documents option %s, which it does not have\n",
                            k->name, line[j + 1] + 3);
                failures++;
            }
    }
    assert_int_equal(failures, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_option_documented_with_its_default),
        cmocka_unit_test(test_nothing_documented_that_is_gone),
    };
    return cmocka_run_group_tests_name("man_options", tests, setup, teardown);
}
