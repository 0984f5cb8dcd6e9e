/* dlopen of libpq.so.5 and dlsym of the functions pq.h lists. The handle and
 * the table live for the process: libpq keeps global state (SSL, Kerberos)
 * that must not be unloaded while connections may exist. */
#include "pq.h"

#include <dlfcn.h>
#include <stdio.h>

/* The one process-wide load: set once, never changed afterwards. */
static pq_api_t loaded;
static int load_state; /* 0 not tried, 1 loaded, -1 failed */
static char load_error[256];

static int resolve(void *lib, const char *name, void **out)
{
    *out = dlsym(lib, name);
    if (*out)
        return 0;
    snprintf(load_error, sizeof load_error, "libpq.so.5 has no %s", name);
    return -1;
}

const pq_api_t *pq_load(char *err, size_t err_len)
{
    if (load_state == 0) {
        void *lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
        load_state = -1;
        if (!lib) {
            snprintf(load_error, sizeof load_error,
                     "the database engine needs libpq (Debian package libpq5, which postgresql-15 "
                     "brings): %s",
                     dlerror());
        } else {
            pq_api_t a;
            /* POSIX (dlsym) guarantees object and function pointers convert. */
            if (resolve(lib, "PQconnectdb", (void **)&a.connectdb) == 0 &&
                resolve(lib, "PQstatus", (void **)&a.status) == 0 &&
                resolve(lib, "PQerrorMessage", (void **)&a.error_message) == 0 &&
                resolve(lib, "PQfinish", (void **)&a.finish) == 0 &&
                resolve(lib, "PQping", (void **)&a.ping) == 0 &&
                resolve(lib, "PQexec", (void **)&a.exec) == 0 &&
                resolve(lib, "PQexecParams", (void **)&a.exec_params) == 0 &&
                resolve(lib, "PQresultStatus", (void **)&a.result_status) == 0 &&
                resolve(lib, "PQresultErrorMessage", (void **)&a.result_error_message) == 0 &&
                resolve(lib, "PQresultErrorField", (void **)&a.result_error_field) == 0 &&
                resolve(lib, "PQntuples", (void **)&a.ntuples) == 0 &&
                resolve(lib, "PQgetvalue", (void **)&a.getvalue) == 0 &&
                resolve(lib, "PQgetisnull", (void **)&a.getisnull) == 0 &&
                resolve(lib, "PQclear", (void **)&a.clear) == 0 &&
                resolve(lib, "PQconnectStart", (void **)&a.connect_start) == 0 &&
                resolve(lib, "PQconnectPoll", (void **)&a.connect_poll) == 0 &&
                resolve(lib, "PQsocket", (void **)&a.socket) == 0 &&
                resolve(lib, "PQsetnonblocking", (void **)&a.set_nonblocking) == 0 &&
                resolve(lib, "PQsendQueryParams", (void **)&a.send_query_params) == 0 &&
                resolve(lib, "PQconsumeInput", (void **)&a.consume_input) == 0 &&
                resolve(lib, "PQisBusy", (void **)&a.is_busy) == 0 &&
                resolve(lib, "PQgetResult", (void **)&a.get_result) == 0 &&
                resolve(lib, "PQflush", (void **)&a.flush) == 0 &&
                resolve(lib, "PQtransactionStatus", (void **)&a.transaction_status) == 0 &&
                resolve(lib, "PQnotifies", (void **)&a.notifies) == 0 &&
                resolve(lib, "PQfreemem", (void **)&a.freemem) == 0 &&
                resolve(lib, "PQbackendPID", (void **)&a.backend_pid) == 0 &&
                resolve(lib, "PQsetNoticeProcessor", (void **)&a.set_notice_processor) == 0) {
                loaded = a;
                load_state = 1;
            } else {
                dlclose(lib);
            }
        }
    }
    if (load_state == 1)
        return &loaded;
    if (err && err_len)
        snprintf(err, err_len, "%s", load_error);
    return NULL;
}
