/* Any bytes read as a CSV file give a table whose rows all have the header's
 * width, or a refusal with a message. */

#include <stdint.h>
#include <string.h>

#include "fuzz_input.h"
#include "world/csvio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512];
    err[0] = 0;
    CsvTable t;
    if (csvio_read(fuzz_input_path(data, size), &t, err, sizeof err) == 0) {
        /* Touch every cell so that ASan sees a short row or a bad pointer. */
        size_t total = 0;
        for (size_t c = 0; c < t.ncols; c++) total += strlen(t.header[c]);
        for (size_t r = 0; r < t.nrows; r++) {
            if (t.lines[r] < 1) __builtin_trap();
            for (size_t c = 0; c < t.ncols; c++) total += strlen(csvio_cell(&t, r, c));
        }
        (void)total;
        csvio_free(&t);
    } else if (!err[0]) {
        __builtin_trap();
    }
    return 0;
}
