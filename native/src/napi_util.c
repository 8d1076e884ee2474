#include "napi_util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *errno_name(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case ENOSYS: return "ENOSYS";
    case ENOTSOCK: return "ENOTSOCK";
    case ECONNREFUSED: return "ECONNREFUSED";
    default: return "EUNKNOWN";
  }
}

napi_value throw_errno(napi_env env, int err, const char *syscall) {
  char message[160];
  snprintf(message, sizeof message, "%s failed: %s (%s)", syscall, strerror(err), errno_name(err));
  napi_value msg, error;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  set_prop(env, error, "code", make_str(env, errno_name(err)));
  set_prop(env, error, "errno", make_int(env, err));
  set_prop(env, error, "syscall", make_str(env, syscall));
  napi_throw(env, error);
  return NULL;
}

napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
  return NULL;
}

int arg_int(napi_env env, napi_value v, int32_t *out, const char *what) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    char message[128];
    snprintf(message, sizeof message, "%s must be a number", what);
    throw_type(env, message);
    return 0;
  }
  return 1;
}

static int get_prop(napi_env env, napi_value obj, const char *name, napi_value *v) {
  napi_valuetype t;
  if (napi_typeof(env, obj, &t) != napi_ok || t != napi_object) return 0;
  if (napi_get_named_property(env, obj, name, v) != napi_ok) return 0;
  if (napi_typeof(env, *v, &t) != napi_ok || t == napi_undefined || t == napi_null) return 0;
  return 1;
}

int prop_int(napi_env env, napi_value obj, const char *name, int32_t *out) {
  napi_value v;
  if (!get_prop(env, obj, name, &v)) return 0;
  return arg_int(env, v, out, name) ? 1 : -1;
}

int prop_bool(napi_env env, napi_value obj, const char *name, int *out) {
  napi_value v;
  if (!get_prop(env, obj, name, &v)) return 0;
  bool b;
  if (napi_get_value_bool(env, v, &b) != napi_ok) {
    char message[128];
    snprintf(message, sizeof message, "%s must be a boolean", name);
    throw_type(env, message);
    return -1;
  }
  *out = b;
  return 1;
}

napi_value make_int(napi_env env, int64_t v) {
  napi_value r;
  napi_create_int64(env, v, &r);
  return r;
}

napi_value make_str(napi_env env, const char *s) {
  napi_value r;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &r);
  return r;
}

void set_prop(napi_env env, napi_value obj, const char *name, napi_value v) { napi_set_named_property(env, obj, name, v); }
