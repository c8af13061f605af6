/* Checkpoint round trip and refusal of damaged files: a CRC over the header
 * and the tensors, and no NaN or infinite weight either way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/checkpoint.h"
#include "engine/crc32.h"
#include "engine/gpt.h"

static const GptConfig cfg = {
    .max_seq_len = 16, .vocab_size = 64, .n_layer = 2, .n_head = 2, .d_model = 16};

static char dir[64];

static int make_dir(void **state) {
    strcpy(dir, "/tmp/r1sim-ckpt-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void path_in_dir(char *out, const char *name) {
    sprintf(out, "%s/%s", dir, name);
}

static void crc32_matches_zlib_reference_value(void **state) {
    /* the standard check value of CRC-32/ISO-HDLC (zlib's crc32) */
    assert_int_equal(crc32_update(0, "123456789", 9), 0xCBF43926u);
    assert_int_equal(crc32_update(crc32_update(0, "1234", 4), "56789", 5), 0xCBF43926u);
}

static void round_trip_is_bit_exact(void **state) {
    char path[128];
    path_in_dir(path, "m.bin");
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 99);
    char err[256];
    assert_int_equal(ckpt_save(m, path, err, sizeof err), 0);
    Gpt *back = ckpt_load(path, err, sizeof err);
    assert_non_null(back);
    assert_memory_equal(&back->cfg, &m->cfg, sizeof cfg);
    assert_int_equal(back->num_params, m->num_params);
    assert_memory_equal(back->params, m->params, m->num_params * sizeof(float));
    gpt_free(back);
    gpt_free(m);
}

/* Writes a valid checkpoint, lets mutate() damage its bytes, and expects the
 * load to fail with a message containing `expect` and the path. */
static void expect_refused(void (*mutate)(unsigned char *buf, size_t *len), const char *expect) {
    char path[128];
    path_in_dir(path, "bad.bin");
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 1);
    char err[256];
    assert_int_equal(ckpt_save(m, path, err, sizeof err), 0);
    size_t len = 1024 + m->num_params * 4;
    unsigned char *buf = malloc(len + 16);
    FILE *f = fopen(path, "rb");
    assert_int_equal(fread(buf, 1, len, f), len);
    fclose(f);
    mutate(buf, &len);
    f = fopen(path, "wb");
    fwrite(buf, 1, len, f);
    fclose(f);
    err[0] = 0;
    Gpt *back = ckpt_load(path, err, sizeof err);
    if (back) fail_msg("damaged file was accepted (expected '%s')", expect);
    if (!strstr(err, expect) || !strstr(err, path) || strchr(err, '\n'))
        fail_msg("unexpected message: '%s' (expected '%s')", err, expect);
    free(buf);
    gpt_free(m);
}

static void truncate_body(unsigned char *b, size_t *len) {
    *len -= 7;
}
static void truncate_header(unsigned char *b, size_t *len) {
    *len = 100;
}
static void wrong_magic(unsigned char *b, size_t *len) {
    b[0] ^= 0xff;
}
static void flip_weight_byte(unsigned char *b, size_t *len) {
    b[2000] ^= 0x10;
}
static void absurd_layers(unsigned char *b, size_t *len) {
    int32_t v = 1000000;
    memcpy(b + 4 * 4, &v, 4);
}
static void heads_not_dividing(unsigned char *b, size_t *len) {
    int32_t v = 3;
    memcpy(b + 5 * 4, &v, 4);
}
static void unknown_kind(unsigned char *b, size_t *len) {
    int32_t v = 7;
    memcpy(b + 8 * 4, &v, 4);
}
static void trailing_bytes(unsigned char *b, size_t *len) {
    *len += 4;
}
/* a shape that is valid and has as many weights: only the CRC can tell */
static void more_heads(unsigned char *b, size_t *len) {
    int32_t v = 4;
    memcpy(b + 5 * 4, &v, 4);
}
static void unused_word(unsigned char *b, size_t *len) {
    b[100 * 4] ^= 1;
}
static void version_one(unsigned char *b, size_t *len) {
    int32_t v = 1;
    memcpy(b + 1 * 4, &v, 4);
}

/* Restamps the CRC as ckpt_save computes it: over the header with the CRC
 * word taken as 0, then the tensors. */
static void restamp_crc(unsigned char *b, size_t len) {
    memset(b + 7 * 4, 0, 4);
    uint32_t crc = crc32_update(crc32_update(0, b, 1024), b + 1024, len - 1024);
    memcpy(b + 7 * 4, &crc, 4);
}
static void nan_weight(unsigned char *b, size_t *len) {
    float v = NAN;
    memcpy(b + 1024 + 40 * 4, &v, 4);
    restamp_crc(b, *len);
}
static void infinite_weight(unsigned char *b, size_t *len) {
    float v = -INFINITY;
    memcpy(b + *len - 4, &v, 4);
    restamp_crc(b, *len);
}

static void damaged_files_are_refused_with_one_line(void **state) {
    expect_refused(truncate_body, "truncated");
    expect_refused(truncate_header, "truncated header");
    expect_refused(wrong_magic, "not an r1sim checkpoint");
    expect_refused(flip_weight_byte, "CRC-32");
    expect_refused(absurd_layers, "n_layer out of range");
    expect_refused(heads_not_dividing, "not a multiple of n_head");
    expect_refused(trailing_bytes, "trailing data");
    expect_refused(unknown_kind, "unknown model kind 7");
}

static void every_header_word_is_covered(void **state) {
    expect_refused(more_heads, "CRC-32");
    expect_refused(unused_word, "CRC-32");
    expect_refused(version_one, "unsupported checkpoint version 1");
}

static void non_finite_weights_are_refused_despite_a_valid_crc(void **state) {
    expect_refused(nan_weight, "non-finite weights");
    expect_refused(infinite_weight, "non-finite weights");
}

static void non_finite_weights_are_never_written(void **state) {
    char path[128], err[256];
    path_in_dir(path, "nan.bin");
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 2);
    m->params[m->num_params / 2] = NAN;
    assert_int_equal(ckpt_save(m, path, err, sizeof err), -1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "non-finite"));
    assert_int_equal(access(path, F_OK), -1);
    gpt_free(m);
}

/* The check sums in double: the largest floats are finite, not an overflow. */
static void finiteness_of_parameters(void **state) {
    Gpt *m = gpt_new(&cfg);
    for (size_t i = 0; i < m->num_params; i++) m->params[i] = FLT_MAX;
    assert_true(gpt_params_finite(m));
    m->params[3] = INFINITY;
    assert_false(gpt_params_finite(m));
    m->params[3] = NAN;
    assert_false(gpt_params_finite(m));
    m->params[3] = 0;
    m->params[m->num_params - 1] = -INFINITY;
    assert_false(gpt_params_finite(m));
    gpt_free(m);
}

static void zero_crc_means_unchecked(void **state) {
    char path[128];
    path_in_dir(path, "nocrc.bin");
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 1);
    char err[256];
    assert_int_equal(ckpt_save(m, path, err, sizeof err), 0);
    FILE *f = fopen(path, "r+b");
    int32_t zero = 0;
    fseek(f, 7 * 4, SEEK_SET);
    fwrite(&zero, 4, 1, f);
    fclose(f);
    Gpt *back = ckpt_load(path, err, sizeof err);
    assert_non_null(back);
    gpt_free(back);
    gpt_free(m);
}

static void missing_file_and_unwritable_path(void **state) {
    char err[256];
    assert_null(ckpt_load("/nonexistent/x.bin", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/x.bin"));
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 1);
    assert_int_equal(ckpt_save(m, "/nonexistent/dir/x.bin", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/dir/x.bin"));
    gpt_free(m);
}

static void failed_save_leaves_previous_file_intact(void **state) {
    char path[128];
    path_in_dir(path, "keep.bin");
    Gpt *m = gpt_new(&cfg);
    gpt_init_random(m, 5);
    char err[256];
    assert_int_equal(ckpt_save(m, path, err, sizeof err), 0);
    /* a directory in the temp file's place makes the next save fail */
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    assert_int_equal(mkdir(tmp, 0700), 0);
    gpt_init_random(m, 6);
    assert_int_equal(ckpt_save(m, path, err, sizeof err), -1);
    rmdir(tmp);
    Gpt *back = ckpt_load(path, err, sizeof err);
    assert_non_null(back);
    Gpt *orig = gpt_new(&cfg);
    gpt_init_random(orig, 5);
    assert_memory_equal(back->params, orig->params, orig->num_params * sizeof(float));
    gpt_free(orig);
    gpt_free(back);
    gpt_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc32_matches_zlib_reference_value),
        cmocka_unit_test(round_trip_is_bit_exact),
        cmocka_unit_test(damaged_files_are_refused_with_one_line),
        cmocka_unit_test(every_header_word_is_covered),
        cmocka_unit_test(non_finite_weights_are_refused_despite_a_valid_crc),
        cmocka_unit_test(non_finite_weights_are_never_written),
        cmocka_unit_test(finiteness_of_parameters),
        cmocka_unit_test(zero_crc_means_unchecked),
        cmocka_unit_test(missing_file_and_unwritable_path),
        cmocka_unit_test(failed_save_leaves_previous_file_intact),
    };
    return cmocka_run_group_tests_name("engine_checkpoint", tests, make_dir, remove_dir);
}
