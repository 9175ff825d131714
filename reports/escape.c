/* escape: text from the suite or a server made safe for the report formats that
 * share it (Markdown for summary.md and the comparison, XML for the JUnit files), so
 * that no step name or reason can break a table or a document. */
#include "escape.h"

#include "utf8.h"

/* Text as one line of Markdown that renders as itself, in a table cell or not: line
 * breaks and control characters become spaces, bytes that are not well-formed UTF-8
 * U+FFFD, HTML-significant characters entities,
 * and the punctuation Markdown (or GitHub: `$` starts maths there) would read is
 * backslash-escaped; `\|` keeps a pipe inside its cell. */
void lg_esc_md(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '\\':
        case '`':
        case '*':
        case '_':
        case '[':
        case ']':
        case '~':
        case '#':
        case '|':
        case '$':
        case '!':
            fputc('\\', f);
            fputc(*p, f);
            break;
        default:
            if (*p >= 0x80) {
                /* a stray byte as U+FFFD, as in every other report: the output stays
                 * UTF-8 whatever it was given */
                size_t n = lg_utf8_seq(p);
                if (n) {
                    fwrite(p, 1, n, f);
                    p += n - 1;
                } else {
                    fputs("\xef\xbf\xbd", f);
                }
            } else {
                fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, f);
            }
        }
    }
}

/* Appends s as XML 1.0 text or attribute content: markup characters escaped; tab,
 * LF and CR as character references (an attribute keeps them); other control
 * characters, which XML 1.0 cannot hold even as references, as '?'; bytes that are
 * not well-formed UTF-8, and U+FFFE/U+FFFF, as U+FFFD. */
void lg_esc_xml(struct lg_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            switch (c) {
            case '&':
                lg_buf_puts(b, "&amp;");
                break;
            case '<':
                lg_buf_puts(b, "&lt;");
                break;
            case '>':
                lg_buf_puts(b, "&gt;");
                break;
            case '"':
                lg_buf_puts(b, "&quot;");
                break;
            case '\'':
                lg_buf_puts(b, "&apos;");
                break;
            case '\t':
            case '\n':
            case '\r':
                lg_buf_printf(b, "&#%u;", c);
                break;
            default:
                lg_buf_putc(b, c < 0x20 ? '?' : (char)c);
            }
            p++;
            continue;
        }
        size_t n = lg_utf8_seq(p);
        if (n == 3 && c == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
            n = 0; /* U+FFFE and U+FFFF: well-formed, but not XML characters */
        if (n) {
            lg_buf_append(b, p, n);
            p += n;
        } else {
            lg_buf_puts(b, "\xef\xbf\xbd");
            p++;
        }
    }
}
