/* GET /__mock/: the dashboard, one self-contained HTML page (dashboard.html,
 * compiled into the binary by cmake/embed.cmake). The page drives the admin
 * API from the browser with fetch; it holds no data of its own. */
#ifndef MOCK_DASHBOARD_H
#define MOCK_DASHBOARD_H

#include "message.h"

/* The bytes of admin/dashboard.html, NUL-terminated (generated source). */
extern const char dashboard_html[];

/* Fills resp with the page: 200, text/html, and headers that keep other
 * sites out of it: a Content-Security-Policy allowing only the page's own
 * inline script and style (by their SHA-256) and fetches to its own origin,
 * no framing (frame-ancestors 'none', X-Frame-Options: DENY), no referrer. */
void dashboard_answer(mock_response_t *resp);

#endif
