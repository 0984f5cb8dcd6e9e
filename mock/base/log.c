/* stderr logging. Settings are written once at startup (main.c), before any
 * request, and only read afterwards. */
#include "log.h"

#include "buf.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int log_min_level = LOG_INFO;
static int log_fmt = LOG_FORMAT_PRETTY;
static bool log_buffered;
static char log_stdio_buffer[1 << 16];

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_setup(int level, int format)
{
    log_min_level = level;
    log_fmt = format;
    log_buffered = format == LOG_FORMAT_JSON;
    if (log_buffered)
        setvbuf(stderr, log_stdio_buffer, _IOFBF, sizeof log_stdio_buffer);
}

void log_flush(void)
{
    fflush(stderr);
}

int log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

int log_format_parse(const char *s)
{
    if (strcmp(s, "pretty") == 0)
        return LOG_FORMAT_PRETTY;
    if (strcmp(s, "json") == 0)
        return LOG_FORMAT_JSON;
    return -1;
}

/* "2026-11-26T01:01:07.958Z". The part up to the seconds is formatted once per
 * second and kept: an access-log line is written for every request. */
static void timestamp(char *out, size_t n)
{
    static time_t cached_second = -1;
    static char cached_prefix[32];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != cached_second) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        strftime(cached_prefix, sizeof cached_prefix, "%Y-%m-%dT%H:%M:%S", &tm);
        cached_second = ts.tv_sec;
    }
    long ms = ts.tv_nsec / 1000000;
    size_t k = strlen(cached_prefix);
    if (k + 6 > n)
        k = n - 6;
    memcpy(out, cached_prefix, k);
    out[k] = '.';
    out[k + 1] = (char)('0' + ms / 100);
    out[k + 2] = (char)('0' + ms / 10 % 10);
    out[k + 3] = (char)('0' + ms % 10);
    out[k + 4] = 'Z';
    out[k + 5] = '\0';
}

/* Milliseconds with three decimals, as "%.3f" would print them. */
static void put_millis(buf_t *b, double ms)
{
    unsigned long long us = ms > 0 ? (unsigned long long)(ms * 1000.0 + 0.5) : 0;
    buf_put_int(b, (long long)(us / 1000));
    char frac[4] = {'.', (char)('0' + us / 100 % 10), (char)('0' + us / 10 % 10),
                    (char)('0' + us % 10)};
    buf_append(b, frac, sizeof frac);
}

/* Writes the line (and a newline) to stderr; the caller keeps the buffer.
 * The process is single-threaded, so stdio's lock is not needed. */
static void emit(buf_t *line, int level)
{
    buf_putc(line, '\n');
    fwrite_unlocked(line->data, 1, line->len, stderr);
    if (!log_buffered || level >= LOG_WARN)
        fflush(stderr);
}

bool log_enabled(int level)
{
    return level >= log_min_level;
}

void log_msg(int level, const char *fmt, ...)
{
    if (level < log_min_level)
        return;
    char ts[40];
    timestamp(ts, sizeof ts);
    va_list ap;
    va_start(ap, fmt);
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    buf_t line;
    buf_init(&line);
    if (log_fmt == LOG_FORMAT_JSON) {
        buf_printf(&line, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":", ts, level_names[level]);
        buf_put_json_string(&line, msg);
        buf_putc(&line, '}');
    } else if (log_fmt == LOG_FORMAT_PLAIN) {
        buf_puts(&line, msg);
    } else {
        buf_printf(&line, "%s %-5s %s", ts, level_names[level], msg);
    }
    emit(&line, level);
    buf_dispose(&line);
}

static void put_json_text_or_null(buf_t *b, const char *s)
{
    if (s && *s)
        buf_put_json_string(b, s);
    else
        buf_puts(b, "null");
}

void log_access(const char *method, const char *target, int status, const char *code,
                const char *rule, const char *fault, double duration_ms)
{
    if (LOG_INFO < log_min_level)
        return;
    char ts[40];
    timestamp(ts, sizeof ts);
    /* One line per request: the buffer is kept between calls instead of
     * growing a fresh one each time. It lives as long as the process, like
     * stderr's own buffer (a zeroed buf_t is an empty one). */
    static buf_t line;
    buf_reset(&line);
    if (log_fmt == LOG_FORMAT_JSON) {
        buf_puts(&line, "{\"ts\":\"");
        buf_puts(&line, ts);
        buf_puts(&line, "\",\"level\":\"info\",\"method\":");
        buf_put_json_string(&line, method);
        buf_puts(&line, ",\"target\":");
        buf_put_json_string(&line, target);
        buf_puts(&line, ",\"status\":");
        buf_put_int(&line, status);
        buf_puts(&line, ",\"code\":");
        put_json_text_or_null(&line, code);
        buf_puts(&line, ",\"rule\":");
        put_json_text_or_null(&line, rule);
        buf_puts(&line, ",\"fault\":");
        put_json_text_or_null(&line, fault);
        buf_puts(&line, ",\"duration_ms\":");
        put_millis(&line, duration_ms);
        buf_putc(&line, '}');
    } else {
        /* GET /rest/v1/profiles -> 0 connection_reset (rule "first read resets") (0.1 ms) */
        buf_printf(&line, "%s info  %s %s -> %d", ts, method, target, status);
        if (fault && *fault)
            buf_printf(&line, " %s", fault);
        if (code && *code)
            buf_printf(&line, " %s", code);
        if (rule && *rule) {
            buf_puts(&line, " (rule ");
            buf_put_json_string(&line, rule);
            buf_putc(&line, ')');
        }
        buf_printf(&line, " (%.3f ms)", duration_ms);
    }
    emit(&line, LOG_INFO);
}
