/* A transcription of boombuler/barcode's QR encoder for byte mode at error
 * correction level H (qr/unicode.go, versioninfo.go, blocks.go,
 * encoder.go render, qrcode.go calcPenalty; utils' Reed-Solomon over
 * GF(256) with polynomial 285) and of goqrsvg's SVG rendering, so the
 * qr_code of an enrollment is the bytes GoTrue would send. Work is bounded
 * by the largest code (177 x 177 modules, 8 masks). */
#include "qr.h"

#include "buf.h"
#include "xalloc.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* versionInfos rows for level H: ecc per block, blocks and data codewords
 * in group 1, then group 2. */
static const unsigned char vinfo_h[40][5] = {
    {17, 1, 9, 0, 0},     {28, 1, 16, 0, 0},    {22, 2, 13, 0, 0},    {16, 4, 9, 0, 0},
    {22, 2, 11, 2, 12},   {28, 4, 15, 0, 0},    {26, 4, 13, 1, 14},   {26, 4, 14, 2, 15},
    {24, 4, 12, 4, 13},   {28, 6, 15, 2, 16},   {24, 3, 12, 8, 13},   {28, 7, 14, 4, 15},
    {22, 12, 11, 4, 12},  {24, 11, 12, 5, 13},  {24, 11, 12, 7, 13},  {30, 3, 15, 13, 16},
    {28, 2, 14, 17, 15},  {28, 2, 14, 19, 15},  {26, 9, 13, 16, 14},  {28, 15, 15, 10, 16},
    {30, 19, 16, 6, 17},  {24, 34, 13, 0, 0},   {30, 16, 15, 14, 16}, {30, 30, 16, 2, 17},
    {30, 22, 15, 13, 16}, {30, 33, 16, 4, 17},  {30, 12, 15, 28, 16}, {30, 11, 15, 31, 16},
    {30, 19, 15, 26, 16}, {30, 23, 15, 25, 16}, {30, 23, 15, 28, 16}, {30, 19, 15, 35, 16},
    {30, 11, 15, 46, 16}, {30, 59, 16, 1, 17},  {30, 22, 15, 41, 16}, {30, 2, 15, 64, 16},
    {30, 24, 15, 46, 16}, {30, 42, 15, 32, 16}, {30, 10, 15, 67, 16}, {30, 20, 15, 61, 16},
};

/* formatInfos[H][mask], bit 0 first. */
static const char *const format_h[8] = {
    "001011010001001", "001001110111110", "001110011100111", "001100111010000",
    "000011101100010", "000001001010101", "000110100001100", "000100000111011",
};

/* versionInfoBitsByVersion for versions 7..40, bit 0 first (18 bits). */
static const uint32_t version_bits[41] = {
    [7] = 0x07C94,  [8] = 0x085BC,  [9] = 0x09A99,  [10] = 0x0A4D3, [11] = 0x0BBF6, [12] = 0x0C762,
    [13] = 0x0D847, [14] = 0x0E60D, [15] = 0x0F928, [16] = 0x10B78, [17] = 0x1145D, [18] = 0x12A17,
    [19] = 0x13532, [20] = 0x149A6, [21] = 0x15683, [22] = 0x168C9, [23] = 0x177EC, [24] = 0x18EC4,
    [25] = 0x191E1, [26] = 0x1AFAB, [27] = 0x1B08E, [28] = 0x1CC1A, [29] = 0x1D33F, [30] = 0x1ED75,
    [31] = 0x1F250, [32] = 0x209D5, [33] = 0x216F0, [34] = 0x228BA, [35] = 0x2379F, [36] = 0x24B0B,
    [37] = 0x2542E, [38] = 0x26A64, [39] = 0x27541, [40] = 0x28C69,
};

static int total_data_bytes(int v)
{
    const unsigned char *r = vinfo_h[v - 1];
    return r[1] * r[2] + r[3] * r[4];
}

/* ---- bits ---- */

typedef struct {
    unsigned char *b;
    size_t len, cap; /* in bits */
} bits_t;

static void add_bit(bits_t *bl, bool v)
{
    if (bl->len == bl->cap * 8) {
        bl->cap = bl->cap ? bl->cap * 2 : 64;
        bl->b = xrealloc(bl->b, bl->cap);
        memset(bl->b + bl->cap / 2, 0, bl->cap - bl->cap / 2);
        if (bl->cap == 64)
            memset(bl->b, 0, 64);
    }
    if (v)
        bl->b[bl->len / 8] |= (unsigned char)(0x80 >> (bl->len % 8));
    bl->len++;
}

static void add_bits(bits_t *bl, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--)
        add_bit(bl, (v >> i) & 1);
}

/* ---- Reed-Solomon over GF(256), polynomial 285, generator base 0 ---- */

static int alog[256], lg[256];

static void gf_init(void)
{
    if (alog[1])
        return;
    int x = 1;
    for (int i = 0; i < 256; i++) {
        alog[i] = x;
        x *= 2;
        if (x >= 256)
            x = (x ^ 285) & 255;
    }
    for (int i = 0; i < 256; i++)
        lg[alog[i]] = i;
}

static int gf_mul(int a, int b)
{
    return a && b ? alog[(lg[a] + lg[b]) % 255] : 0;
}

static void rs_ecc(const unsigned char *data, int n, int ecc, unsigned char *out)
{
    int gen[64] = {1};
    int glen = 1;
    for (int d = 0; d < ecc; d++) { /* gen *= (x + a^d) */
        int next[64] = {0};
        for (int i = 0; i < glen; i++) {
            next[i] ^= gen[i];
            next[i + 1] ^= gf_mul(gen[i], alog[d]);
        }
        glen++;
        memcpy(gen, next, sizeof gen);
    }
    unsigned char rem[64] = {0};
    for (int i = 0; i < n; i++) {
        int factor = data[i] ^ rem[0];
        memmove(rem, rem + 1, (size_t)ecc - 1);
        rem[ecc - 1] = 0;
        for (int j = 0; j < ecc; j++)
            rem[j] ^= (unsigned char)gf_mul(gen[j + 1], factor);
    }
    memcpy(out, rem, (size_t)ecc);
}

/* ---- the matrix ---- */

typedef struct {
    int dim;
    unsigned char *m; /* m[x * dim + y] */
} grid_t;

static void gset(grid_t *g, int x, int y, bool v)
{
    g->m[x * g->dim + y] = v;
}

static bool gget(const grid_t *g, int x, int y)
{
    return g->m[x * g->dim + y];
}

typedef struct {
    grid_t res[8], occ;
} canvas_t;

static void set_all(canvas_t *c, int x, int y, bool v)
{
    gset(&c->occ, x, y, true);
    for (int i = 0; i < 8; i++)
        gset(&c->res[i], x, y, v);
}

static void finder(canvas_t *c, int dim, int xoff, int yoff)
{
    for (int x = -1; x < 8; x++)
        for (int y = -1; y < 8; y++) {
            bool val =
                (x == 0 || x == 6 || y == 0 || y == 6 || (x > 1 && x < 5 && y > 1 && y < 5)) &&
                (x <= 6 && y <= 6 && x >= 0 && y >= 0);
            if (x + xoff >= 0 && x + xoff < dim && y + yoff >= 0 && y + yoff < dim)
                set_all(c, x + xoff, y + yoff, val);
        }
}

static int alignment_positions(int version, int *out)
{
    if (version == 1)
        return 0;
    int dim = (version - 1) * 4 + 21;
    int first = 6, last = dim - 7;
    double space = last - first;
    int count = (int)ceil(space / 28) + 1;
    out[0] = first;
    out[count - 1] = last;
    if (count > 2) {
        int step = (int)ceil((double)(last - first) / (double)(count - 1));
        if (step % 2 == 1) {
            double frac = (double)(last - first) / (double)(count - 1);
            double ip;
            double x = modf(frac, &ip);
            frac = x >= 0.5 ? ceil(frac) : floor(frac);
            if ((int)frac % 2 == 0)
                step--;
            else
                step++;
        }
        for (int i = 1; i <= count - 2; i++)
            out[i] = last - step * (count - 1 - i);
    }
    return count;
}

static void format_info(grid_t *targets, int ntargets, bool all_true, int mask, int dim)
{
    bool f[15];
    for (int i = 0; i < 15; i++)
        f[i] = all_true || format_h[mask][i] == '1';
    static const int coords[15][2] = {{0, 8}, {1, 8}, {2, 8}, {3, 8}, {4, 8},
                                      {5, 8}, {7, 8}, {8, 8}, {8, 7}, {8, 5},
                                      {8, 4}, {8, 3}, {8, 2}, {8, 1}, {8, 0}};
    for (int t = 0; t < ntargets; t++) {
        for (int i = 0; i < 15; i++)
            gset(&targets[t], coords[i][0], coords[i][1], f[i]);
        for (int i = 0; i < 7; i++)
            gset(&targets[t], 8, dim - 1 - i, f[i]);
        for (int i = 7; i < 15; i++)
            gset(&targets[t], dim - 15 + i, 8, f[i]);
    }
}

static bool masked(int x, int y, bool val, int mask)
{
    bool m = false;
    switch (mask) {
    case 0:
        m = (y + x) % 2 == 0;
        break;
    case 1:
        m = y % 2 == 0;
        break;
    case 2:
        m = x % 3 == 0;
        break;
    case 3:
        m = (y + x) % 3 == 0;
        break;
    case 4:
        m = (y / 2 + x / 3) % 2 == 0;
        break;
    case 5:
        m = (y * x) % 2 + (y * x) % 3 == 0;
        break;
    case 6:
        m = ((y * x) % 2 + (y * x) % 3) % 2 == 0;
        break;
    default:
        m = ((y + x) % 2 + (y * x) % 3) % 2 == 0;
        break;
    }
    return val != m;
}

static unsigned penalty(const grid_t *g)
{
    int dim = g->dim;
    unsigned result = 0;
    for (int x = 0; x < dim; x++) { /* rule 1 */
        bool cx = false, cy = false;
        unsigned nx = 0, ny = 0;
        for (int y = 0; y < dim; y++) {
            if (gget(g, x, y) == cx) {
                nx++;
            } else {
                cx = !cx;
                if (nx >= 5)
                    result += nx - 2;
                nx = 1;
            }
            if (gget(g, y, x) == cy) {
                ny++;
            } else {
                cy = !cy;
                if (ny >= 5)
                    result += ny - 2;
                ny = 1;
            }
        }
        if (nx >= 5)
            result += nx - 2;
        if (ny >= 5)
            result += ny - 2;
    }
    for (int x = 0; x < dim - 1; x++) /* rule 2 */
        for (int y = 0; y < dim - 1; y++) {
            bool c = gget(g, x, y);
            if (gget(g, x, y + 1) == c && gget(g, x + 1, y) == c && gget(g, x + 1, y + 1) == c)
                result += 3;
        }
    static const bool p1[11] = {1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0};
    static const bool p2[11] = {0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1};
    for (int x = 0; x <= dim - 11; x++) /* rule 3 */
        for (int y = 0; y < dim; y++) {
            bool a = true, b = true, c = true, d = true;
            for (int i = 0; i < 11; i++) {
                bool iv = gget(g, x + i, y);
                a &= iv == p1[i];
                b &= iv == p2[i];
                iv = gget(g, y, x + i);
                c &= iv == p1[i];
                d &= iv == p2[i];
            }
            if (a || b)
                result += 40;
            if (c || d)
                result += 40;
        }
    int total = dim * dim, dark = 0; /* rule 4 */
    for (int i = 0; i < total; i++)
        dark += g->m[i];
    double perc = (double)dark * 100 / (double)total;
    double fl = fabs(floor(perc / 5) - 10), ce = fabs(ceil(perc / 5) - 10);
    result += (unsigned)((fl < ce ? fl : ce) * 10);
    return result;
}

char *qr_svg(const char *text)
{
    gf_init();
    size_t n = strlen(text);
    /* findSmallestVersionInfo(H, byteMode, len*8). */
    int version = 0;
    for (int v = 1; v <= 40 && !version; v++) {
        int ccb = v < 10 ? 8 : 16;
        if ((size_t)total_data_bytes(v) * 8 >= n * 8 + 4 + (size_t)ccb)
            version = v;
    }
    if (!version)
        return NULL;
    const unsigned char *vi = vinfo_h[version - 1];
    int total = total_data_bytes(version);
    bits_t bl = {0};
    add_bits(&bl, 4, 4);
    add_bits(&bl, (unsigned)n, version < 10 ? 8 : 16);
    for (size_t i = 0; i < n; i++)
        add_bits(&bl, (unsigned char)text[i], 8);
    for (int i = 0; i < 4 && bl.len < (size_t)total * 8; i++) /* addPaddingAndTerminator */
        add_bit(&bl, false);
    while (bl.len % 8)
        add_bit(&bl, false);
    for (int i = 0; bl.len < (size_t)total * 8; i++)
        add_bits(&bl, i % 2 == 0 ? 236 : 17, 8);

    /* splitToBlocks and interleave. */
    int ecc = vi[0], nb = vi[1] + vi[3];
    int maxcw = vi[2] > vi[4] ? vi[2] : vi[4];
    unsigned char *eccs = xcalloc((size_t)nb * (size_t)ecc, 1);
    int off = 0;
    int starts[128], lens[128];
    for (int b = 0; b < nb; b++) {
        lens[b] = b < vi[1] ? vi[2] : vi[4];
        starts[b] = off;
        rs_ecc(bl.b + off, lens[b], ecc, eccs + (size_t)b * (size_t)ecc);
        off += lens[b];
    }
    size_t dlen = (size_t)total + (size_t)nb * (size_t)ecc;
    unsigned char *data = xcalloc(dlen, 1);
    size_t k = 0;
    for (int i = 0; i < maxcw; i++)
        for (int b = 0; b < nb; b++)
            if (lens[b] > i)
                data[k++] = bl.b[starts[b] + i];
    for (int i = 0; i < ecc; i++)
        for (int b = 0; b < nb; b++)
            data[k++] = eccs[(size_t)b * (size_t)ecc + (size_t)i];
    free(eccs);
    free(bl.b);

    /* render. */
    int dim = (version - 1) * 4 + 21;
    canvas_t c;
    for (int i = 0; i < 8; i++)
        c.res[i] = (grid_t){.dim = dim, .m = xcalloc((size_t)dim * (size_t)dim, 1)};
    c.occ = (grid_t){.dim = dim, .m = xcalloc((size_t)dim * (size_t)dim, 1)};
    finder(&c, dim, 0, 0);
    finder(&c, dim, 0, dim - 7);
    finder(&c, dim, dim - 7, 0);
    int pos[8];
    int np = alignment_positions(version, pos);
    for (int a = 0; a < np; a++)
        for (int b = 0; b < np; b++) {
            if (gget(&c.occ, pos[a], pos[b]))
                continue;
            for (int x = -2; x <= 2; x++)
                for (int y = -2; y <= 2; y++)
                    set_all(&c, x + pos[a], y + pos[b],
                            x == -2 || x == 2 || y == -2 || y == 2 || (x == 0 && y == 0));
        }
    for (int i = 0; i < dim; i++) {
        if (!gget(&c.occ, i, 6))
            set_all(&c, i, 6, i % 2 == 0);
        if (!gget(&c.occ, 6, i))
            set_all(&c, 6, i, i % 2 == 0);
    }
    set_all(&c, 8, dim - 8, true);
    if (version >= 7) {
        uint32_t vb = version_bits[version];
        for (int i = 0; i < 18; i++) {
            /* versionInfoBits[len-i-1] with bit 0 the most significant. */
            bool v = (vb >> i) & 1;
            int x = dim - 11 + i % 3, y = i / 3;
            set_all(&c, x, y, v);
            set_all(&c, y, x, v);
        }
    }
    format_info(&c.occ, 1, true, 0, dim);
    for (int i = 0; i < 8; i++)
        format_info(&c.res[i], 1, false, i, dim);
    /* iterateModules: two-column zigzag from the bottom right, skipping
     * column 6, over the modules not occupied. */
    size_t bitno = 0;
    int cx = dim - 1, cy = dim - 1;
    bool up = true;
    for (;;) {
        for (int d = 0; d < 2; d++) {
            int x = cx - d, y = cy;
            if (x >= 0 && !gget(&c.occ, x, y)) {
                bool bit = bitno < dlen * 8 && ((data[bitno / 8] >> (7 - bitno % 8)) & 1);
                for (int i = 0; i < 8; i++)
                    gset(&c.res[i], x, y, masked(x, y, bit, i));
                bitno++;
            }
        }
        if (up) {
            if (--cy < 0) {
                cy = 0;
                cx -= 2;
                if (cx == 6)
                    cx--;
                if (cx < 0)
                    break;
                up = false;
            }
        } else {
            if (++cy >= dim) {
                cy = dim - 1;
                cx -= 2;
                if (cx == 6)
                    cx--;
                up = true;
                if (cx < 0)
                    break;
            }
        }
    }
    free(data);
    unsigned best = UINT32_MAX;
    int besti = 0;
    for (int i = 0; i < 8; i++) {
        unsigned p = penalty(&c.res[i]);
        if (p < best) {
            best = p;
            besti = i;
        }
    }

    /* goqrsvg: StartQrSVG (block size 3, a 4-block quiet zone), then for
     * each x a row at currY of rects along y; svgo's Start, Rect and End. */
    const int bs = 3;
    int width = dim * bs + bs * 8;
    buf_t out;
    buf_init(&out);
    buf_printf(&out,
               "<?xml version=\"1.0\"?>\n<!-- Generated by SVGo -->\n<svg width=\"%d\" "
               "height=\"%d\"\n     xmlns=\"http://www.w3.org/2000/svg\"\n     "
               "xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n",
               width, width);
    int cur_y = bs * 4;
    for (int x = 0; x < dim; x++) {
        int cur_x = bs * 4;
        for (int y = 0; y < dim; y++) {
            buf_printf(&out,
                       "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                       "style=\"fill:%s;stroke:none\" />\n",
                       cur_x, cur_y, bs, bs, gget(&c.res[besti], x, y) ? "black" : "white");
            cur_x += bs;
        }
        cur_y += bs;
    }
    buf_puts(&out, "</svg>\n");
    for (int i = 0; i < 8; i++)
        free(c.res[i].m);
    free(c.occ.m);
    return buf_steal(&out);
}
