/* The test inbox: a ring of owned messages. See inbox.h. */
#include "inbox.h"

#include "clock.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { F_CHANNEL, F_TO, F_KIND, F_SUBJECT, F_BODY, F_LINK, F_OTP, F_HASH, F_REDIRECT, F_COUNT };

static const char *const field_names[F_COUNT] = {
    "channel", "to", "kind", "subject", "body", "link", "otp", "token_hash", "redirect_to"};

typedef struct stored {
    uint64_t id;
    int64_t time_us;
    char *f[F_COUNT]; /* owned, NULL when absent */
} stored_t;

struct inbox {
    stored_t *msgs; /* oldest first */
    size_t count, cap;
    uint64_t next_id;
};

inbox_t *inbox_new(void)
{
    inbox_t *ib = xcalloc(1, sizeof *ib);
    ib->next_id = 1;
    return ib;
}

static void stored_dispose(stored_t *s)
{
    for (int i = 0; i < F_COUNT; i++)
        free(s->f[i]);
}

void inbox_free(inbox_t *ib)
{
    if (!ib)
        return;
    for (size_t i = 0; i < ib->count; i++)
        stored_dispose(&ib->msgs[i]);
    free(ib->msgs);
    free(ib);
}

static char *capped(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strnlen(s, INBOX_MAX_FIELD);
    /* Cut at a character boundary: never half of a UTF-8 sequence. */
    if (s[n] != '\0')
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

uint64_t inbox_add(inbox_t *ib, const inbox_message_t *m, int64_t now_us)
{
    if (ib->count == INBOX_MAX_MESSAGES) {
        stored_dispose(&ib->msgs[0]);
        memmove(ib->msgs, ib->msgs + 1, (ib->count - 1) * sizeof *ib->msgs);
        ib->count--;
    }
    if (ib->count == ib->cap) {
        ib->cap = ib->cap ? ib->cap * 2 : 16;
        ib->msgs = xrealloc(ib->msgs, ib->cap * sizeof *ib->msgs);
    }
    stored_t *s = &ib->msgs[ib->count++];
    memset(s, 0, sizeof *s);
    s->id = ib->next_id++;
    s->time_us = now_us;
    const char *in[F_COUNT] = {m->channel, m->to,  m->kind,       m->subject,    m->body,
                               m->link,    m->otp, m->token_hash, m->redirect_to};
    for (int i = 0; i < F_COUNT; i++)
        s->f[i] = capped(in[i]);
    return s->id;
}

static const char *strip_plus(const char *s)
{
    return s && *s == '+' ? s + 1 : s;
}

static bool matches(const stored_t *s, const inbox_filter_t *f)
{
    if (!f)
        return true;
    const char *to = s->f[F_TO] ? s->f[F_TO] : "";
    bool sms = s->f[F_CHANNEL] && strcmp(s->f[F_CHANNEL], "sms") == 0;
    if (f->email && (sms || strcasecmp(to, f->email) != 0))
        return false;
    if (f->phone && (!sms || strcmp(strip_plus(to), strip_plus(f->phone)) != 0))
        return false;
    if (f->kind && (!s->f[F_KIND] || strcmp(s->f[F_KIND], f->kind) != 0))
        return false;
    return true;
}

void inbox_write_json(const inbox_t *ib, const inbox_filter_t *f, buf_t *out)
{
    buf_putc(out, '[');
    bool first = true;
    for (size_t i = 0; i < ib->count; i++) {
        const stored_t *s = &ib->msgs[i];
        if (!matches(s, f))
            continue;
        if (!first)
            buf_putc(out, ',');
        first = false;
        char t[48];
        clock_format_iso(s->time_us, t, sizeof t);
        buf_printf(out, "{\"id\":%llu,\"time\":", (unsigned long long)s->id);
        buf_put_json_string(out, t);
        for (int k = 0; k < F_COUNT; k++) {
            buf_printf(out, ",\"%s\":", field_names[k]);
            if (s->f[k])
                buf_put_json_string(out, s->f[k]);
            else
                buf_puts(out, "null");
        }
        buf_putc(out, '}');
    }
    buf_putc(out, ']');
}

size_t inbox_delete(inbox_t *ib, const inbox_filter_t *f)
{
    size_t kept = 0, gone = 0;
    for (size_t i = 0; i < ib->count; i++) {
        if (matches(&ib->msgs[i], f)) {
            stored_dispose(&ib->msgs[i]);
            gone++;
        } else {
            ib->msgs[kept++] = ib->msgs[i];
        }
    }
    ib->count = kept;
    return gone;
}

size_t inbox_count(const inbox_t *ib)
{
    return ib->count;
}
