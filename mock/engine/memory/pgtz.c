/* The request's time zone through the C library: TZ names a file of the tz
 * database, tzset loads it, localtime_r gives the offset (tm_gmtoff) with
 * the zone's full history and future rules. The previous TZ is restored at
 * pgtz_end so that nothing else of the process sees the request's zone. */
#include "pgtz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PGTZ_DIR      "/usr/share/zoneinfo"
#define PGTZ_NAME_MAX 128
/* Seconds from 1970-01-01 to 2000-01-01 (Postgres's epoch). */
#define PGTZ_EPOCH_SHIFT 946684800LL

static bool active;    /* between pgtz_begin with a zone and pgtz_end */
static char *saved_tz; /* TZ before pgtz_begin (owned), NULL when unset */
static bool saved_tz_set;

bool pgtz_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > PGTZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '+' || c == '-' || c == '/';
        if (!ok)
            return false;
        /* No component may start with '.' (no "..", no hidden files); pg's
         * enumeration skips them too. */
        if ((i == 0 || name[i - 1] == '/') && c == '.')
            return false;
    }
    /* pg_tzenumerate_next leaves out zic's "posixrules" and "Factory". */
    if (strcmp(name, "posixrules") == 0 || strcmp(name, "Factory") == 0)
        return false;
    char path[sizeof PGTZ_DIR + PGTZ_NAME_MAX + 2];
    snprintf(path, sizeof path, "%s/%s", PGTZ_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char magic[4];
    bool tzif = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
    fclose(f);
    return tzif;
}

void pgtz_begin(const char *name)
{
    if (active || !name || !pgtz_name_valid(name) || strcmp(name, "UTC") == 0)
        return;
    const char *old = getenv("TZ");
    saved_tz_set = old != NULL;
    saved_tz = old ? strdup(old) : NULL;
    char tz[sizeof PGTZ_DIR + PGTZ_NAME_MAX + 3];
    snprintf(tz, sizeof tz, ":%s/%s", PGTZ_DIR, name);
    setenv("TZ", tz, 1);
    tzset();
    active = true;
}

void pgtz_end(void)
{
    if (!active)
        return;
    if (saved_tz_set && saved_tz)
        setenv("TZ", saved_tz, 1);
    else
        unsetenv("TZ");
    free(saved_tz);
    saved_tz = NULL;
    saved_tz_set = false;
    tzset();
    active = false;
}

int32_t pgtz_offset(int64_t us)
{
    if (!active)
        return 0;
    int64_t secs = us / 1000000;
    if (us % 1000000 < 0)
        secs--;
    time_t t = (time_t)(secs + PGTZ_EPOCH_SHIFT);
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return 0;
    return (int32_t)tm.tm_gmtoff;
}
