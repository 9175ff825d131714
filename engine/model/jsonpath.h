/* jsonpath: the subset of RFC 9535 JSONPath that scenario checks and captures use:
 * $, .name, ['name'], [N], [-N] and [*], compiled once at load time and evaluated
 * against jansson values. */
#ifndef LG_JSONPATH_H
#define LG_JSONPATH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct lg_jpath;

/* Compiles a path such as "$.questions[*].id" or "$['a b'][-1]". Returns 0 and
 * *out, or LG_ESYNTAX with a message in err (errlen bytes) and the 0-based byte
 * offset of the problem in *err_off. Free with lg_jpath_free. */
int lg_jpath_compile(const char *src, struct lg_jpath **out, char *err, size_t errlen,
                     int *err_off);
void lg_jpath_free(struct lg_jpath *p); /* accepts NULL */

/* True when the path can select at most one value (no [*]). */
bool lg_jpath_is_singular(const struct lg_jpath *p);
/* The source text the path was compiled from. */
const char *lg_jpath_src(const struct lg_jpath *p);

/* Evaluates the path against root. A singular path returns a new reference to the
 * selected value, or NULL when nothing is selected. A non-singular path returns a
 * new array (possibly empty) of the selected values in document order. The caller
 * owns the result (json_decref). root may be NULL (selects nothing). */
json_t *lg_jpath_query(const struct lg_jpath *p, json_t *root);

#endif
