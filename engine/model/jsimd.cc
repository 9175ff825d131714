/* jsimd: simdjson's DOM parser, one per thread and reused from one response to the
 * next, in front of jansson. simdjson validates the whole body (structure, UTF-8,
 * escapes, numbers) before a value is built, so a truncated or broken body is never
 * half read; the tree is then copied into jansson's types, which the checks use. */
#include "jsimd.h"

#include <string.h>
#include <simdjson.h>

namespace
{

/* The parser keeps the capacity of the largest body it parsed for the thread's
 * life; larger bodies are rare and jansson's. */
constexpr size_t max_body = 256 * 1024;

thread_local simdjson::dom::parser parser{max_body};

json_t *build(simdjson::dom::element e);

json_t *build_array(simdjson::dom::array a)
{
    json_t *out = json_array();
    if (!out)
        return nullptr;
    for (simdjson::dom::element item : a) {
        json_t *v = build(item);
        if (!v || json_array_append_new(out, v)) {
            json_decref(out);
            return nullptr;
        }
    }
    return out;
}

json_t *build_object(simdjson::dom::object o)
{
    json_t *out = json_object();
    if (!out)
        return nullptr;
    for (simdjson::dom::key_value_pair kv : o) {
        json_t *v = build(kv.value);
        /* a repeated key replaces the value in place, as jansson's own parser does */
        if (!v || json_object_setn_new_nocheck(out, kv.key.data(), kv.key.size(), v)) {
            json_decref(out);
            return nullptr;
        }
    }
    return out;
}

json_t *build(simdjson::dom::element e)
{
    using type = simdjson::dom::element_type;
    switch (e.type()) {
    case type::ARRAY:
        return build_array(e.get_array().value_unsafe());
    case type::OBJECT:
        return build_object(e.get_object().value_unsafe());
    case type::INT64:
        return json_integer(e.get_int64().value_unsafe());
    case type::UINT64: /* above INT64_MAX: jnum.c keeps it as text */
        return nullptr;
    case type::DOUBLE:
        return json_real(e.get_double().value_unsafe());
    case type::STRING: {
        std::string_view s = e.get_string().value_unsafe();
        return json_stringn_nocheck(s.data(), s.size());
    }
    case type::BOOL:
        return json_boolean(e.get_bool().value_unsafe());
    case type::NULL_VALUE:
        return json_null();
    }
    return nullptr;
}

} // namespace

extern "C" json_t *lg_jsimd_loadb(const char *buf, size_t len)
{
    /* A NUL can only reach a string or a key through this escape (JSON refuses a raw
     * one): jansson refuses it in a key and keeps it in a string only as the mark of
     * a number it holds as text (jnum.c), so such a body is jansson's to read. An
     * escaped backslash before "u0000" sends a body there too, which costs only
     * time. */
    if (len > max_body || memmem(buf, len, "\\u0000", 6))
        return nullptr;
    simdjson::dom::element root;
    if (parser.parse(buf, len).get(root) != simdjson::SUCCESS)
        return nullptr;
    return build(root);
}
