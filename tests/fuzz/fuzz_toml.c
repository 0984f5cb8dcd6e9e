/* libFuzzer target for the config.toml reader of project folders (toml.c):
 * arbitrary bytes (NULs and invalid UTF-8 included) give a cJSON tree or an
 * error at a line and column inside the text, never a crash, a leak or a
 * read beyond len. The text is copied into a buffer of exactly len bytes, so
 * ASan catches any read past the end. */
#include "toml.h"

#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    char *text = xmalloc(size ? size : 1);
    memcpy(text, data, size);
    toml_error_t err;
    memset(&err, 0, sizeof err);
    cJSON *root = toml_parse(text, size, &err);
    if (root) {
        if (!cJSON_IsObject(root))
            abort();
        char *out = cJSON_PrintUnformatted(root);
        free(out);
        cJSON_Delete(root);
    } else if (err.line < 1 || err.col < 1 || !err.message[0]) {
        abort(); /* an error always says where and what */
    }
    free(text);
    return 0;
}
