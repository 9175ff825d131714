/* jsame.h: the strict comparison the JSON parse tests use: same types (integer,
 * real, string), same values (reals bit for bit, -0.0 apart from 0.0), same bytes
 * of every string and key, same key order. */
#ifndef LG_TEST_JSAME_H
#define LG_TEST_JSAME_H

#include <jansson.h>
#include <stdbool.h>
#include <string.h>

static inline bool jsame(const json_t *a, const json_t *b)
{
    if (!a || !b)
        return a == b;
    if (json_typeof(a) != json_typeof(b))
        return false;
    switch (json_typeof(a)) {
    case JSON_INTEGER:
        return json_integer_value(a) == json_integer_value(b);
    case JSON_REAL: {
        double x = json_real_value(a), y = json_real_value(b);
        return memcmp(&x, &y, sizeof(x)) == 0;
    }
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               !memcmp(json_string_value(a), json_string_value(b), json_string_length(a));
    case JSON_ARRAY:
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!jsame(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    case JSON_OBJECT: {
        if (json_object_size(a) != json_object_size(b))
            return false;
        void *ia = json_object_iter((json_t *)a), *ib = json_object_iter((json_t *)b);
        for (; ia && ib; ia = json_object_iter_next((json_t *)a, ia),
                         ib = json_object_iter_next((json_t *)b, ib)) {
            size_t ka = json_object_iter_key_len(ia), kb = json_object_iter_key_len(ib);
            if (ka != kb || memcmp(json_object_iter_key(ia), json_object_iter_key(ib), ka) ||
                !jsame(json_object_iter_value(ia), json_object_iter_value(ib)))
                return false;
        }
        return !ia && !ib;
    }
    default:
        return true; /* true, false, null: the type says it all */
    }
}

#endif
