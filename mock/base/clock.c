/* Conversions between supamock's time value and the formats the wire uses.
 * Reading the real clock happens here and nowhere else. */
#include "clock.h"

#include <stdio.h>
#include <time.h>

int64_t clock_real_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((int64_t)ts.tv_sec - MOCK_PG_EPOCH_UNIX) * 1000000 + ts.tv_nsec / 1000;
}

uint64_t clock_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t clock_monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static time_t to_unix_seconds(int64_t pg_us)
{
    int64_t s = pg_us / 1000000;
    if (pg_us < 0 && pg_us % 1000000)
        s--;
    return (time_t)(s + MOCK_PG_EPOCH_UNIX);
}

void clock_format_http_date(int64_t pg_us, char *out, size_t out_len)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = to_unix_seconds(pg_us);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, out_len, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void clock_format_iso(int64_t pg_us, char *out, size_t out_len)
{
    time_t t = to_unix_seconds(pg_us);
    struct tm tm;
    gmtime_r(&t, &tm);
    int64_t frac = pg_us % 1000000;
    if (frac < 0)
        frac += 1000000;
    if (frac)
        snprintf(out, out_len, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)frac);
    else
        snprintf(out, out_len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
