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

static void timestamp(char *out, size_t n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t k = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + k, n - k, ".%03ldZ", ts.tv_nsec / 1000000);
}

static void emit(buf_t *line, int level)
{
    buf_putc(line, '\n');
    fwrite(line->data, 1, line->len, stderr);
    if (!log_buffered || level >= LOG_WARN)
        fflush(stderr);
    buf_dispose(line);
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
    } else {
        buf_printf(&line, "%s %-5s %s", ts, level_names[level], msg);
    }
    emit(&line, level);
}

void log_access(const char *method, const char *target, int status, const char *code,
                double duration_ms)
{
    if (LOG_INFO < log_min_level)
        return;
    char ts[40];
    timestamp(ts, sizeof ts);
    buf_t line;
    buf_init(&line);
    if (log_fmt == LOG_FORMAT_JSON) {
        buf_printf(&line, "{\"ts\":\"%s\",\"level\":\"info\",\"method\":", ts);
        buf_put_json_string(&line, method);
        buf_puts(&line, ",\"target\":");
        buf_put_json_string(&line, target);
        buf_printf(&line, ",\"status\":%d,\"code\":", status);
        if (code && *code)
            buf_put_json_string(&line, code);
        else
            buf_puts(&line, "null");
        buf_printf(&line, ",\"duration_ms\":%.3f}", duration_ms);
    } else {
        buf_printf(&line, "%s info  %s %s -> %d%s%s (%.3f ms)", ts, method, target, status,
                   code && *code ? " " : "", code ? code : "", duration_ms);
    }
    emit(&line, LOG_INFO);
}
