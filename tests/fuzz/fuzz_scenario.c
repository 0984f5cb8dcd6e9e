/* libFuzzer target: arbitrary bytes as a scenario file. Loading must either
 * succeed or fail with a positioned error, never crash, leak or read out of
 * bounds. `extends` is resolved against the real file system as usual; the
 * input's name has no directory, so only ./scenarios and the built-in default
 * can be reached. */
#include "scenario.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    scenario_t *s = NULL;
    scenario_error_t err;
    if (scenario_load_text("fuzz.json", (const char *)data, size, &s, &err) == 0) {
        if (!s || !s->name || s->role_count < 3)
            __builtin_trap();
        scenario_free(s);
    } else {
        char line[1200];
        if (s != NULL || err.message[0] == '\0')
            __builtin_trap();
        scenario_error_format(&err, line, sizeof line);
    }
    return 0;
}
