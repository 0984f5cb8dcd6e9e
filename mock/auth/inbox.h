/* The test inbox: what GoTrue would have sent (mail through its mailer, SMS
 * through its SMS provider), kept per instance so a test can finish an email
 * or phone flow without a mail server. Bounded: at most INBOX_MAX_MESSAGES
 * (the oldest fall out) and every field cut at INBOX_MAX_FIELD bytes. A reset
 * builds a new instance, hence an empty inbox. Owned by the gotrue_t. */
#ifndef MOCK_INBOX_H
#define MOCK_INBOX_H

#include "buf.h"
#include "caps.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct inbox inbox_t;
typedef struct gotrue gotrue_t;

/* The inbox of an instance's Auth (owned by g). */
inbox_t *gotrue_inbox(gotrue_t *g);

/* One message to record; every string may be NULL (rendered null). */
typedef struct inbox_message {
    const char *channel;    /* "email" or "sms" */
    const char *to;         /* the address or the phone number */
    const char *kind;       /* "signup", "magiclink", "recovery", ... */
    const char *subject;    /* email: the default template's subject */
    const char *body;       /* sms: the default template's text */
    const char *link;       /* the /auth/v1/verify URL GoTrue builds, if any */
    const char *otp;        /* the code */
    const char *token_hash; /* the hash (with a pkce_ prefix in PKCE flows) */
    const char *redirect_to;
} inbox_message_t;

inbox_t *inbox_new(void);
void inbox_free(inbox_t *ib); /* NULL is a no-op */
/* Records m at now_us (scenario clock). Returns the message's id (1, 2, ...). */
uint64_t inbox_add(inbox_t *ib, const inbox_message_t *m, int64_t now_us);

/* Filters (NULL: any): email matches `to` case-insensitively, phone ignores
 * a leading '+' on either side, kind matches exactly. */
typedef struct inbox_filter {
    const char *email;
    const char *phone;
    const char *kind;
} inbox_filter_t;

/* A JSON array of the matching messages, oldest first: {"id","time","channel",
 * "to","kind","subject","body","link","otp","token_hash","redirect_to"}. */
void inbox_write_json(const inbox_t *ib, const inbox_filter_t *f, buf_t *out);
/* Removes the matching messages; returns how many. */
size_t inbox_delete(inbox_t *ib, const inbox_filter_t *f);
size_t inbox_count(const inbox_t *ib);

#endif
