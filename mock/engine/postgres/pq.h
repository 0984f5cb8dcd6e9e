/* libpq, loaded on first use of the database engine (dlopen of libpq.so.5),
 * so that the supamock binary and the memory engine need no libpq: the
 * database engine needs Debian's postgresql-15 anyway, which brings libpq5.
 * The types and constants come from libpq-fe.h at build time (libpq-dev). */
#ifndef MOCK_PQ_H
#define MOCK_PQ_H

#include <libpq-fe.h>

#include <stddef.h>

/* The libpq functions the engine calls, resolved from the loaded library. */
typedef struct pq_api {
    PGconn *(*connectdb)(const char *conninfo);
    ConnStatusType (*status)(const PGconn *conn);
    char *(*error_message)(const PGconn *conn);
    void (*finish)(PGconn *conn);
    PGPing (*ping)(const char *conninfo);
    PGresult *(*exec)(PGconn *conn, const char *query);
    PGresult *(*exec_params)(PGconn *conn, const char *command, int n_params,
                             const Oid *param_types, const char *const *param_values,
                             const int *param_lengths, const int *param_formats, int result_format);
    ExecStatusType (*result_status)(const PGresult *res);
    char *(*result_error_message)(const PGresult *res);
    char *(*result_error_field)(const PGresult *res, int field);
    int (*ntuples)(const PGresult *res);
    char *(*getvalue)(const PGresult *res, int row, int col);
    int (*getisnull)(const PGresult *res, int row, int col);
    void (*clear)(PGresult *res);
    /* The asynchronous API (pg_conn.c). */
    PGconn *(*connect_start)(const char *conninfo);
    PostgresPollingStatusType (*connect_poll)(PGconn *conn);
    int (*socket)(const PGconn *conn);
    int (*set_nonblocking)(PGconn *conn, int arg);
    int (*send_query_params)(PGconn *conn, const char *command, int n_params,
                             const Oid *param_types, const char *const *param_values,
                             const int *param_lengths, const int *param_formats, int result_format);
    int (*consume_input)(PGconn *conn);
    int (*is_busy)(PGconn *conn);
    PGresult *(*get_result)(PGconn *conn);
    int (*flush)(PGconn *conn);
    PGTransactionStatusType (*transaction_status)(const PGconn *conn);
    PGnotify *(*notifies)(PGconn *conn);
    void (*freemem)(void *ptr);
    int (*backend_pid)(const PGconn *conn);
    PQnoticeProcessor (*set_notice_processor)(PGconn *conn, PQnoticeProcessor proc, void *arg);
} pq_api_t;

/* The loaded API (loaded once per process, kept until exit), or NULL with a
 * message naming what to install written into err. */
const pq_api_t *pq_load(char *err, size_t err_len);

#endif
