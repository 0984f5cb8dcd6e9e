/* The dynamic loader's relocation table, given back once it has been read.
 * A position-independent executable linked from static archives (libpg_query,
 * libstemmer, libcrypto) carries one relocation entry per pointer in its
 * constant tables, about 40,000 entries (930 KB) that the loader reads once at
 * start; the kernel keeps those file pages mapped, so they count in the
 * process's resident memory for as long as it runs. */
#ifndef MOCK_RELOC_TRIM_H
#define MOCK_RELOC_TRIM_H

#include <stddef.h>

/* Unmaps the whole pages of the executable's DT_RELA table (they are read
 * again from the file should anything ever read them). Call once, from main,
 * after the loader is done (any time after main starts). Returns the bytes
 * given back (0 where there is nothing to do or the platform is not ELF on
 * Linux). */
size_t mock_reloc_trim(void);

#endif
