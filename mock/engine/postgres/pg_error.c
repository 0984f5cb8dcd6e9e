/* A failed PGresult -> pgrst_error_t, as Error.hs's ErrorBody instance for
 * SQL.CommandError reads a ServerError: code, message, details and hint are
 * the server's own. Custom headers of a RAISE SQLSTATE 'PGRST' are not
 * carried (pgrst_error_t has no place for them yet); its status is. */
#include "pg_error.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <string.h>

/* libpq's PG_DIAG_* field codes (postgres_ext.h), spelt out so that this file
 * depends on nothing but libpq-fe.h's API. */
enum { DIAG_SQLSTATE = 'C', DIAG_MESSAGE = 'M', DIAG_DETAIL = 'D', DIAG_HINT = 'H' };

static int parse_error(pgrst_error_t *err, bool message, const char *text)
{
    /* Error.hs PGRSTParseError (PGRST121, 500). */
    pgrst_error_setf(err, "PGRST121",
                     "Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error");
    if (message) {
        pgrst_error_detailsf(err, "Invalid JSON value for MESSAGE: '%s'", text);
        pgrst_error_hintf(err, "MESSAGE must be a JSON object with obligatory keys: 'code', "
                               "'message' and optional keys: 'details', 'hint'.");
    } else {
        if (text)
            pgrst_error_detailsf(err, "Invalid JSON value for DETAIL: '%s'", text);
        else
            pgrst_error_detailsf(err, "DETAIL is missing in the RAISE statement");
        pgrst_error_hintf(err, "DETAIL must be a JSON object with obligatory keys: 'status', "
                               "'headers' and optional key: 'status_text'.");
    }
    return -1;
}

/* parseRaisePGRST: MESSAGE {"code","message","details"?,"hint"?} and DETAIL
 * {"status","status_text"?,"headers"}. */
static int raise_pgrst(const char *m, const char *d, pgrst_error_t *err)
{
    cJSON *msg = cJSON_Parse(m);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(msg, "code");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(msg, "message");
    const cJSON *details = cJSON_GetObjectItemCaseSensitive(msg, "details");
    const cJSON *hint = cJSON_GetObjectItemCaseSensitive(msg, "hint");
    bool ok = cJSON_IsObject(msg) && cJSON_IsString(code) && cJSON_IsString(text) &&
              (!details || cJSON_IsString(details) || cJSON_IsNull(details)) &&
              (!hint || cJSON_IsString(hint) || cJSON_IsNull(hint));
    if (!ok) {
        cJSON_Delete(msg);
        return parse_error(err, true, m);
    }
    if (!d) {
        cJSON_Delete(msg);
        return parse_error(err, false, NULL);
    }
    cJSON *det = cJSON_Parse(d);
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(det, "status");
    const cJSON *headers = cJSON_GetObjectItemCaseSensitive(det, "headers");
    if (!cJSON_IsObject(det) || !cJSON_IsNumber(status) || !cJSON_IsObject(headers)) {
        cJSON_Delete(det);
        cJSON_Delete(msg);
        return parse_error(err, false, d);
    }
    /* pgrst_error_t's code holds 15 bytes; a longer custom code is cut. */
    char c[16];
    snprintf(c, sizeof c, "%s", code->valuestring);
    pgrst_error_setf(err, c, "%s", text->valuestring);
    if (cJSON_IsString(details))
        pgrst_error_detailsf(err, "%s", details->valuestring);
    if (cJSON_IsString(hint))
        pgrst_error_hintf(err, "%s", hint->valuestring);
    err->status = (int)status->valuedouble;
    cJSON_Delete(det);
    cJSON_Delete(msg);
    return -1;
}

int pg_error_from_result(const pq_api_t *pq, const PGresult *res, pgrst_error_t *err)
{
    const char *code = pq->result_error_field(res, DIAG_SQLSTATE);
    const char *message = pq->result_error_field(res, DIAG_MESSAGE);
    const char *detail = pq->result_error_field(res, DIAG_DETAIL);
    const char *hint = pq->result_error_field(res, DIAG_HINT);
    if (!code || !message) {
        /* Not a server error (SQL.ResultError of another kind): PGRSTX00. */
        pgrst_error_setf(err, "PGRSTX00", "%s", pq->result_error_message(res));
        return -1;
    }
    if (strcmp(code, "PGRST") == 0)
        return raise_pgrst(message, detail, err);
    char c[16];
    snprintf(c, sizeof c, "%s", code);
    pgrst_error_setf(err, c, "%s", message);
    if (detail)
        pgrst_error_detailsf(err, "%s", detail);
    if (hint)
        pgrst_error_hintf(err, "%s", hint);
    return -1;
}

int pg_error_connection(const char *message, pgrst_error_t *err)
{
    pgrst_error_setf(err, "PGRST000", "Database connection error.");
    if (message && *message) {
        /* libpq's messages end in a newline PostgREST keeps as sent. */
        pgrst_error_detailsf(err, "%s", message);
    }
    return -1;
}

int pg_error_client(const char *message, pgrst_error_t *err)
{
    pgrst_error_setf(err, "PGRST001", "Database client error. Retrying the connection.");
    if (message && *message)
        pgrst_error_detailsf(err, "%s", message);
    return -1;
}
