#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/optedit.h"

/* The option editor on its own, with a model the test changes between keys
 * as a pipeline's snapshots can. */

typedef struct {
    TuiModel m;
    TuiOptEdit e;
} Ed;

static int setup(void **state) {
    Ed *d = calloc(1, sizeof *d);
    if (!d) return -1;
    d->m.n_options = 3;
    d->m.options_editable = true;
    for (int i = 0; i < 3; i++) {
        snprintf(d->m.options[i].name, sizeof d->m.options[i].name, "opt%d", i);
        snprintf(d->m.options[i].value, sizeof d->m.options[i].value, "%d", 10 * (i + 1));
    }
    tui_optedit_reset(&d->e);
    *state = d;
    return 0;
}

static int teardown(void **state) {
    free(*state);
    return 0;
}

static TuiEditResult key(Ed *d, int k) {
    return tui_optedit_key(&d->e, &d->m, (TuiKey){.key = k});
}

static void edit_commits_the_typed_value_for_the_option_under_the_cursor(void **state) {
    Ed *d = *state;
    assert_int_equal(key(d, TUI_KEY_DOWN), TUI_EDIT_HANDLED);
    assert_int_equal(key(d, TUI_KEY_ENTER), TUI_EDIT_HANDLED);
    assert_true(d->e.editing);
    assert_string_equal(d->e.buf, "20");
    assert_int_equal(key(d, TUI_KEY_BACKSPACE), TUI_EDIT_HANDLED);
    assert_int_equal(key(d, '5'), TUI_EDIT_HANDLED);
    assert_int_equal(key(d, TUI_KEY_ENTER), TUI_EDIT_COMMIT);
    assert_false(d->e.editing);
    assert_int_equal(d->e.cursor, 1);
    assert_string_equal(d->e.buf, "25");
}

/* Found by fuzz_optedit: with fewer options under an edit (another stage's),
 * the cursor was pulled onto the last one and enter committed the value
 * typed for option 2 to option 0. */
static void fewer_options_while_editing_drop_the_edit(void **state) {
    Ed *d = *state;
    key(d, TUI_KEY_DOWN);
    key(d, TUI_KEY_DOWN);
    key(d, TUI_KEY_ENTER);
    key(d, '7');
    assert_true(d->e.editing);
    d->m.n_options = 1;
    assert_int_equal(key(d, TUI_KEY_ENTER), TUI_EDIT_IGNORED);
    assert_false(d->e.editing);
    assert_int_equal(d->e.cursor, 0);
    /* the next enter edits option 0 afresh, from its own value */
    assert_int_equal(key(d, TUI_KEY_ENTER), TUI_EDIT_HANDLED);
    assert_string_equal(d->e.buf, "10");
}

static void a_started_stage_ends_the_edit_without_a_commit(void **state) {
    Ed *d = *state;
    key(d, TUI_KEY_ENTER);
    d->m.options_editable = false;
    assert_int_equal(key(d, TUI_KEY_ENTER), TUI_EDIT_IGNORED);
    assert_false(d->e.editing);
    assert_int_equal(key(d, TUI_KEY_ENTER), TUI_EDIT_IGNORED);
}

static void typing_stops_at_the_buffer_and_keeps_it_terminated(void **state) {
    Ed *d = *state;
    memset(d->m.options[0].value, 'v', sizeof d->m.options[0].value - 1);
    key(d, TUI_KEY_ENTER);
    assert_int_equal(d->e.len, (int)sizeof d->e.buf - 1);
    key(d, 'x');
    key(d, 200); /* not ASCII: not typed */
    assert_int_equal(d->e.len, (int)sizeof d->e.buf - 1);
    assert_int_equal(strlen(d->e.buf), sizeof d->e.buf - 1);
    key(d, 21); /* ctrl-u */
    assert_int_equal(d->e.len, 0);
    key(d, 200);
    assert_string_equal(d->e.buf, "");
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(edit_commits_the_typed_value_for_the_option_under_the_cursor),
        T(fewer_options_while_editing_drop_the_edit),
        T(a_started_stage_ends_the_edit_without_a_commit),
        T(typing_stops_at_the_buffer_and_keeps_it_terminated),
    };
    return cmocka_run_group_tests_name("tui_optedit", tests, NULL, NULL);
}
