/* GoTrue's obfuscation of a soft-deleted user's fields (models/user.go
 * obfuscateValue). */
#ifndef MOCK_GOTRUE_OBFUSCATE_H
#define MOCK_GOTRUE_OBFUSCATE_H

/* base64.RawURLEncoding(sha256(id + value)): 43 characters and a NUL. */
void gotrue_obfuscate(const char *id, const char *value, char out[48]);

#endif
