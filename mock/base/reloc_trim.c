/* See reloc_trim.h. Linux/ELF only: the program headers come from the
 * auxiliary vector, the table's place from the executable's dynamic section. */
#include "reloc_trim.h"

#if defined(__linux__) && defined(__ELF__)
#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

size_t mock_reloc_trim(void)
{
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    size_t phnum = getauxval(AT_PHNUM);
    if (!ph || phnum == 0)
        return 0;
    /* The load bias: where PT_PHDR is against where it was linked (0 for a
     * fixed-address executable). */
    uintptr_t bias = 0;
    const ElfW(Phdr) *dynamic = NULL;
    for (size_t i = 0; i < phnum; i++) {
        if (ph[i].p_type == PT_PHDR)
            bias = (uintptr_t)ph - ph[i].p_vaddr;
        else if (ph[i].p_type == PT_DYNAMIC)
            dynamic = &ph[i];
    }
    if (!dynamic)
        return 0;
    uintptr_t rela = 0;
    size_t size = 0;
    for (const ElfW(Dyn) *d = (const ElfW(Dyn) *)(bias + dynamic->p_vaddr); d->d_tag != DT_NULL;
         d++) {
        if (d->d_tag == DT_RELA)
            rela = d->d_un.d_ptr;
        else if (d->d_tag == DT_RELASZ)
            size = d->d_un.d_val;
    }
    if (!rela || !size)
        return 0;
    /* glibc's loader rewrites the executable's DT_RELA in place to the
     * relocated address where the dynamic section is writable; a value below
     * the bias is still the linked one. */
    if (rela < bias)
        rela += bias;
    /* The table must lie inside one read-only loaded segment, or this is not
     * the layout expected and nothing is touched. */
    bool inside = false;
    for (size_t i = 0; i < phnum && !inside; i++)
        inside = ph[i].p_type == PT_LOAD && !(ph[i].p_flags & PF_W) &&
                 rela >= bias + ph[i].p_vaddr &&
                 rela + size <= bias + ph[i].p_vaddr + ph[i].p_memsz;
    if (!inside)
        return 0;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = (rela + page - 1) & ~(page - 1), hi = (rela + size) & ~(page - 1);
    if (hi <= lo)
        return 0;
    /* A private file mapping never written: MADV_DONTNEED drops the pages and
     * a later read faults them in from the file unchanged. */
    if (madvise((void *)lo, hi - lo, MADV_DONTNEED) != 0)
        return 0;
    return hi - lo;
}
#else
size_t mock_reloc_trim(void)
{
    return 0;
}
#endif
