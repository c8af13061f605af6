#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "world/csvio.h"

/* Each test gets a fresh directory so that "nothing written" can be checked as
 * "the directory holds exactly what it held before". */
static int make_dir(void **state) {
    char *dir = strdup("/tmp/r1sim-csvio-XXXXXX");
    assert_non_null(mkdtemp(dir));
    *state = dir;
    return 0;
}

static int remove_dir(void **state) {
    char *dir = *state;
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    if (d) closedir(d);
    rmdir(dir);
    free(dir);
    return 0;
}

static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d))) n += e->d_name[0] != '.';
    if (d) closedir(d);
    return n;
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static const char *const tricky[] = {
    "plain",
    "a,b",
    "say \"hi\"",
    "\"",
    "two\nlines",
    "crlf\r\ninside",
    "lone\rcr",
    "",
    " leading space",
    "trailing tab\t",
    "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87",
    "\x80\xfe\xff raw bytes",
    "<think>7+9=16.\n4+8+1=13.</think><answer>936</answer>",
    ",\"\n,\"\"",
};
#define NTRICKY (sizeof tricky / sizeof tricky[0])

static void tricky_fields_round_trip(void **state) {
    char path[512];
    snprintf(path, sizeof path, "%s/samples.csv", (char *)*state);
    const char *header[] = {"id", "text", "note"};
    const char *cells[NTRICKY * 3];
    char ids[NTRICKY][8];
    for (size_t i = 0; i < NTRICKY; i++) {
        snprintf(ids[i], sizeof ids[i], "%zu", i);
        cells[3 * i] = ids[i];
        cells[3 * i + 1] = tricky[i];
        cells[3 * i + 2] = tricky[NTRICKY - 1 - i];
    }
    char err[256];
    assert_int_equal(csvio_write(path, header, 3, cells, NTRICKY, err, sizeof err), 0);
    assert_int_equal(count_entries(*state), 1); /* no temporary file left behind */

    CsvTable t;
    assert_int_equal(csvio_read(path, &t, err, sizeof err), 0);
    assert_int_equal(t.ncols, 3);
    assert_int_equal(t.nrows, NTRICKY);
    assert_int_equal(csvio_col(&t, "text"), 1);
    assert_int_equal(csvio_col(&t, "nope"), -1);
    for (size_t i = 0; i < NTRICKY; i++) {
        assert_string_equal(csvio_cell(&t, i, 1), tricky[i]);
        assert_string_equal(csvio_cell(&t, i, 2), tricky[NTRICKY - 1 - i]);
    }
    /* Rows after a field with an embedded newline start on a later physical line. */
    assert_int_equal(t.lines[0], 2);
    assert_true(t.lines[NTRICKY - 1] > (int)NTRICKY + 1);
    csvio_free(&t);
}

static void single_empty_column_round_trips(void **state) {
    char path[512];
    snprintf(path, sizeof path, "%s/one.csv", (char *)*state);
    const char *header[] = {"x"};
    const char *cells[] = {"", "a", ""};
    char err[256];
    assert_int_equal(csvio_write(path, header, 1, cells, 3, err, sizeof err), 0);
    CsvTable t;
    assert_int_equal(csvio_read(path, &t, err, sizeof err), 0);
    assert_int_equal(t.nrows, 3);
    assert_string_equal(csvio_cell(&t, 0, 0), "");
    assert_string_equal(csvio_cell(&t, 1, 0), "a");
    csvio_free(&t);
}

/* Quoting only where needed keeps metrics.csv readable by eye. */
static void rows_are_quoted_only_where_needed(void **state) {
    static const struct {
        const char *fields[3];
        size_t n;
        const char *want;
    } cases[] = {
        {{"1", "0.25", "abc"}, 3, "1,0.25,abc\n"},
        {{"a,b", "x", ""}, 3, "\"a,b\",x,\n"},
        {{"say \"hi\"", "", ""}, 3, "\"say \"\"hi\"\"\",,\n"},
        {{"l1\nl2", " pad", "t\t"}, 3, "\"l1\nl2\",\" pad\",\"t\t\"\n"},
        {{""}, 1, "\"\"\n"},
        {{"caf\xc3\xa9"}, 1, "caf\xc3\xa9\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        char *row = csvio_format_row(cases[i].fields, cases[i].n, &len);
        assert_non_null(row);
        assert_string_equal(row, cases[i].want);
        assert_int_equal(len, strlen(cases[i].want));
        free(row);
    }
}

static void bad_input_names_file_and_line(void **state) {
    static const struct {
        const char *text;
        const char *want; /* expected message, after "<name>:" */
    } cases[] = {
        {"a,b,c\n1,2,3\n4,5\n", "3: row has 2 fields, header has 3"},
        {"a,b\n1,2,3\n", "2: row has 3 fields, header has 2"},
        /* The record starts on line 3; its quoted field spans two lines. */
        {"a,b\n1,2\n\"x\ny\"\n", "3: row has 1 field, header has 2"},
        /* Blank lines are skipped but still counted. */
        {"a,b\n\n\n1\n", "4: row has 1 field, header has 2"},
        {"a,b\r\n1,2\r\n3\r\n", "3: row has 1 field, header has 2"},
        {"a,b\n1,x\"y\n", "2: bad quoting at byte 4 of the line"},
        {"a,b\n\"p\nq\",2\n\"x\"y,2\n", "4: bad quoting at byte 4 of the line"},
        {"a,b\n1,2\n\"open,2\n3,4\n", "3: unterminated quoted field"},
        {"a,a\n1,2\n", "1: duplicate column 'a' in header"},
        {"", " empty file, expected a header row"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CsvTable t;
        char err[256] = "";
        int rc = csvio_parse("in.csv", cases[i].text, strlen(cases[i].text), &t, err, sizeof err);
        if (rc != -1) fail_msg("case %zu parsed", i);
        char want[256];
        snprintf(want, sizeof want, "in.csv:%s", cases[i].want);
        if (strncmp(err, want, strlen(want)) != 0)
            fail_msg("case %zu: got '%s', want prefix '%s'", i, err, want);
        assert_null(t.cells);
    }
}

static void good_input_with_blank_lines_and_crlf_parses(void **state) {
    const char *text = "a,b\r\n\r\n1, 2 \r\n\"x\ny\",\"\"\n";
    CsvTable t;
    char err[256];
    assert_int_equal(csvio_parse("in.csv", text, strlen(text), &t, err, sizeof err), 0);
    assert_int_equal(t.nrows, 2);
    assert_string_equal(csvio_cell(&t, 0, 1), "2");
    assert_string_equal(csvio_cell(&t, 1, 0), "x\ny");
    assert_int_equal(t.lines[0], 3);
    assert_int_equal(t.lines[1], 4);
    csvio_free(&t);
}

/* A NUL would end the field's string early: refused at its line, in a
 * field, a quoted field and the header alike. */
static void nul_byte_names_file_and_line(void **state) {
    static const struct {
        const char text[32];
        size_t len; /* strlen would stop at the NUL */
        const char *want;
    } cases[] = {
        {"a,b\n1,x\0y\n", 10, "in.csv:2: NUL byte at byte 4 of the line"},
        {"a,b\n1,2\n\"p\nq\0\",2\n", 17, "in.csv:4: NUL byte at byte 2 of the line"},
        {"a\0,b\n1,2\n", 9, "in.csv:1: NUL byte at byte 2 of the line"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CsvTable t;
        char err[256] = "";
        assert_int_equal(csvio_parse("in.csv", cases[i].text, cases[i].len, &t, err, sizeof err),
                         -1);
        assert_string_equal(err, cases[i].want);
        assert_null(t.cells);
    }
}

/* A spreadsheet's UTF-8 byte-order mark is not part of the first column's
 * name; one anywhere else is data. */
static void byte_order_mark_is_skipped(void **state) {
    const char *text = "\xEF\xBB\xBFtask,prompt\nadd2,\xEF\xBB\xBFhi\n";
    CsvTable t;
    char err[256];
    assert_int_equal(csvio_parse("in.csv", text, strlen(text), &t, err, sizeof err), 0);
    assert_int_equal(csvio_col(&t, "task"), 0);
    assert_string_equal(csvio_cell(&t, 0, 0), "add2");
    assert_string_equal(csvio_cell(&t, 0, 1), "\xEF\xBB\xBFhi");
    assert_int_equal(t.lines[0], 2);
    csvio_free(&t);
    /* a file of the mark alone has no header */
    assert_int_equal(csvio_parse("in.csv", "\xEF\xBB\xBF", 3, &t, err, sizeof err), -1);
    assert_string_equal(err, "in.csv: empty file, expected a header row");
}

static void wrong_width_row_leaves_nothing_written(void **state) {
    char path[512];
    snprintf(path, sizeof path, "%s/out.csv", (char *)*state);
    const char *header[] = {"a", "b", "c"};
    const char *good[] = {"1", "two\nlines", "3"};
    const char *bad[] = {"1", "2"};
    char err[256];
    CsvWriter *w = csvio_writer_open(path, header, 3, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(csvio_writer_row(w, good, 3, err, sizeof err), 0);
    assert_int_equal(csvio_writer_row(w, bad, 2, err, sizeof err), -1);
    char want[600];
    snprintf(want, sizeof want, "%s:4: row has 2 fields, header has 3", path);
    assert_string_equal(err, want);
    /* The writer stays poisoned; commit refuses and cleans up. */
    assert_int_equal(csvio_writer_row(w, good, 3, err, sizeof err), -1);
    assert_int_equal(csvio_writer_commit(w, err, sizeof err), -1);
    assert_non_null(strstr(err, "not written"));
    assert_int_equal(count_entries(*state), 0);

    /* An existing file survives a failed rewrite untouched. */
    write_text(path, "a,b,c\nold,old,old\n");
    const char *cells[] = {"1", "2", "3"};
    assert_int_equal(csvio_write(path, header, 3, cells, 1, err, sizeof err), 0);
    assert_string_equal(slurp(path), "a,b,c\n1,2,3\n");
    w = csvio_writer_open(path, header, 3, err, sizeof err);
    assert_int_equal(csvio_writer_row(w, bad, 2, err, sizeof err), -1);
    assert_int_equal(csvio_writer_commit(w, err, sizeof err), -1);
    assert_string_equal(slurp(path), "a,b,c\n1,2,3\n");
    assert_int_equal(count_entries(*state), 1);
}

static void bad_file_on_disk_is_reported_with_its_path(void **state) {
    char path[512], want[600];
    snprintf(path, sizeof path, "%s/bad.csv", (char *)*state);
    write_text(path, "prompt,answer\n\"347+589?\",936\n\"oops\"x,1\n");
    CsvTable t;
    char err[700];
    assert_int_equal(csvio_read(path, &t, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:3: bad quoting", path);
    assert_memory_equal(err, want, strlen(want));
}

static void missing_file_gives_clear_error(void **state) {
    char path[512], want[600];
    snprintf(path, sizeof path, "%s/nope.csv", (char *)*state);
    CsvTable t;
    char err[700];
    assert_int_equal(csvio_read(path, &t, err, sizeof err), -1);
    snprintf(want, sizeof want, "cannot open %s: No such file or directory", path);
    assert_string_equal(err, want);
    assert_null(t.cells);
    assert_null(t.header);
}

static void missing_column_lists_the_columns_present(void **state) {
    const char *text = "prompt,answer\n1+1?,2\n";
    CsvTable t;
    char err[256];
    assert_int_equal(csvio_parse("gen.csv", text, strlen(text), &t, err, sizeof err), 0);
    const char *want[] = {"answer", "task"};
    int idx[2];
    assert_int_equal(csvio_cols(&t, want, 2, idx, err, sizeof err), -1);
    assert_string_equal(err, "gen.csv:1: no column 'task' (columns: prompt, answer)");
    const char *ok[] = {"answer", "prompt"};
    assert_int_equal(csvio_cols(&t, ok, 2, idx, err, sizeof err), 0);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 0);
    csvio_free(&t);
}

static void appender_resumes_and_quotes(void **state) {
    char path[512];
    snprintf(path, sizeof path, "%s/metrics.csv", (char *)*state);
    const char *header[] = {"step", "reward", "sample"};
    const char *r1[] = {"1", "0.5", "a,\"b\"\nc"};
    const char *r2[] = {"2", "0.75", "plain"};
    const char *r3[] = {"3", "1", " x "};
    char err[700];
    CsvAppender *a = csvio_append_open(path, header, 3, err, sizeof err);
    assert_non_null(a);
    assert_int_equal(csvio_append_row(a, r1, 3, err, sizeof err), 0);
    /* Each row is on disk as soon as append_row returns. */
    assert_string_equal(slurp(path), "step,reward,sample\n1,0.5,\"a,\"\"b\"\"\nc\"\n");
    assert_int_equal(csvio_append_row(a, r2, 3, err, sizeof err), 0);
    assert_int_equal(csvio_append_row(a, r2, 2, err, sizeof err), -1);
    char want[700];
    snprintf(want, sizeof want, "%s:5: row has 2 fields, header has 3", path);
    assert_string_equal(err, want);
    assert_int_equal(csvio_append_close(a, err, sizeof err), 0);

    a = csvio_append_open(path, header, 3, err, sizeof err);
    assert_non_null(a);
    assert_int_equal(csvio_append_row(a, r3, 3, err, sizeof err), 0);
    assert_int_equal(csvio_append_close(a, err, sizeof err), 0);

    CsvTable t;
    assert_int_equal(csvio_read(path, &t, err, sizeof err), 0);
    assert_int_equal(t.nrows, 3);
    assert_string_equal(csvio_cell(&t, 0, 2), r1[2]);
    assert_string_equal(csvio_cell(&t, 2, 2), r3[2]);
    assert_int_equal(t.lines[2], 5);
    csvio_free(&t);

    const char *other[] = {"step", "loss"};
    assert_null(csvio_append_open(path, other, 2, err, sizeof err));
    snprintf(want, sizeof want, "%s:1: existing header (step,reward,sample) differs", path);
    assert_memory_equal(err, want, strlen(want));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(tricky_fields_round_trip, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(single_empty_column_round_trips, make_dir, remove_dir),
        cmocka_unit_test(rows_are_quoted_only_where_needed),
        cmocka_unit_test(bad_input_names_file_and_line),
        cmocka_unit_test(good_input_with_blank_lines_and_crlf_parses),
        cmocka_unit_test(nul_byte_names_file_and_line),
        cmocka_unit_test(byte_order_mark_is_skipped),
        cmocka_unit_test_setup_teardown(wrong_width_row_leaves_nothing_written, make_dir,
                                        remove_dir),
        cmocka_unit_test_setup_teardown(bad_file_on_disk_is_reported_with_its_path, make_dir,
                                        remove_dir),
        cmocka_unit_test_setup_teardown(missing_file_gives_clear_error, make_dir, remove_dir),
        cmocka_unit_test(missing_column_lists_the_columns_present),
        cmocka_unit_test_setup_teardown(appender_resumes_and_quotes, make_dir, remove_dir),
    };
    return cmocka_run_group_tests_name("csvio", tests, NULL, NULL);
}
