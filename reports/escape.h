/* escape: writing text from the suite or a server into Markdown and XML so that it
 * renders as itself (shared by summary.md, junit.xml and the comparison reports). */
#ifndef LG_REPORT_ESCAPE_H
#define LG_REPORT_ESCAPE_H

#include <stdio.h>

#include "buf.h"

/* Writes s (NULL: "") to f as one line of Markdown that renders as itself, in a table
 * cell or not: line breaks and control characters become spaces, bytes that are not
 * well-formed UTF-8 U+FFFD, HTML-significant
 * characters entities, and the punctuation Markdown (or GitHub: `$` starts maths
 * there) would read is backslash-escaped; `\|` keeps a pipe inside its cell. */
void lg_esc_md(FILE *f, const char *s);

/* Appends s (NULL: "") to b as XML 1.0 text or attribute content: markup characters
 * escaped; tab, LF and CR as character references (an attribute keeps them); other
 * control characters, which XML 1.0 cannot hold even as references, as '?'; bytes
 * that are not well-formed UTF-8, and U+FFFE/U+FFFF, as U+FFFD. */
void lg_esc_xml(struct lg_buf *b, const char *s);

#endif
