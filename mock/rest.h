/* /rest/v1: one request executed against the instance's store as PostgREST
 * would execute it, under the role the gateway resolved. */
#ifndef MOCK_REST_H
#define MOCK_REST_H

#include "instance.h"
#include "message.h"

/* `rel_path` is the path after "/rest/v1/" ("" for the root, "profiles", ...). */
void rest_handle(instance_t *inst, const mock_request_t *req, const char *rel_path,
                 mock_response_t *resp);

#endif
