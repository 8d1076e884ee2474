// Small N-API helpers: argument reading and errors that carry errno's name.
#ifndef ISOLATED_NAPI_UTIL_H
#define ISOLATED_NAPI_UTIL_H

#include <node_api.h>
#include <stdint.h>

#define CHECK_NAPI(env, call)                                                    \
  do {                                                                           \
    if ((call) != napi_ok) {                                                     \
      napi_throw_error((env), "ERR_ISOLATED_NATIVE", "N-API call failed: " #call); \
      return NULL;                                                               \
    }                                                                            \
  } while (0)

/** Throws an Error with code (errno name), errno and syscall set. Returns NULL for `return`. */
napi_value throw_errno(napi_env env, int err, const char *syscall);
napi_value throw_type(napi_env env, const char *message);

/** Reads argv[i] as an int32; false (and a TypeError thrown) when it is not a number. */
int arg_int(napi_env env, napi_value v, int32_t *out, const char *what);
/** Reads an optional property: returns 0 if absent/undefined, 1 if read, -1 on a wrong type (thrown). */
int prop_int(napi_env env, napi_value obj, const char *name, int32_t *out);
int prop_bool(napi_env env, napi_value obj, const char *name, int *out);

napi_value make_int(napi_env env, int64_t v);
napi_value make_str(napi_env env, const char *s);
void set_prop(napi_env env, napi_value obj, const char *name, napi_value v);

#endif
