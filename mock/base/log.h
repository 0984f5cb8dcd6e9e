/* Logging to stderr, pretty on a terminal and JSON lines otherwise. The level
 * and format are process-wide settings made once by main.c before the loop
 * starts; nothing else mutates them. */
#ifndef MOCK_LOG_H
#define MOCK_LOG_H

#include <stdbool.h>

enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
/* PLAIN: the message alone, one per line (`supamock validate`'s notes, which
 * read like compiler output). */
enum { LOG_FORMAT_PRETTY, LOG_FORMAT_JSON, LOG_FORMAT_PLAIN };

/* JSON logs (the non-terminal default) are block-buffered so that a busy
 * server does not pay one write(2) per access-log line; the loop calls
 * log_flush once per iteration, and warnings and errors flush at once. */
void log_setup(int level, int format);
void log_flush(void);
int log_level_parse(const char *s);  /* -1 when unknown */
int log_format_parse(const char *s); /* -1 when unknown */
bool log_enabled(int level);         /* would log_msg(level, ...) print? */
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One access-log line per answered request: status 0 for a connection fault
 * (named by `fault`); code, rule and fault may be NULL. */
void log_access(const char *method, const char *target, int status, const char *code,
                const char *rule, const char *fault, double duration_ms);

#endif
