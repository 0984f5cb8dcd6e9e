/* libFuzzer target for CSV request bodies (engine/rest_csv.c): on arbitrary
 * bytes the reader either refuses with PGRST102 or writes a JSON array that
 * cJSON parses back, of objects whose values are strings or null, all with
 * the same number of keys (Payload.hs payloadAttributes). The body sits in a
 * buffer of exactly len bytes, so ASan catches a read past it. */
#include "rest_csv.h"

#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    char *csv = xmalloc(size ? size : 1);
    memcpy(csv, data, size);
    buf_t out;
    buf_init(&out);
    pgrst_error_t err;
    pgrst_error_init(&err);
    if (rest_csv_to_json(csv, size, &out, &err) < 0) {
        if (strcmp(err.code, "PGRST102") != 0)
            abort();
    } else {
        cJSON *doc = cJSON_ParseWithLength(out.data ? out.data : "", out.len);
        if (!cJSON_IsArray(doc))
            abort();
        int keys = -1;
        const cJSON *row, *v;
        cJSON_ArrayForEach(row, doc)
        {
            if (!cJSON_IsObject(row))
                abort();
            int n = cJSON_GetArraySize(row);
            if (keys >= 0 && n != keys)
                abort();
            keys = n;
            cJSON_ArrayForEach(v, row)
            {
                if (!cJSON_IsString(v) && !cJSON_IsNull(v))
                    abort();
            }
        }
        cJSON_Delete(doc);
    }
    pgrst_error_dispose(&err);
    buf_dispose(&out);
    free(csv);
    return 0;
}
