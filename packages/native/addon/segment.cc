// POSIX shared-memory segments exposed as real SharedArrayBuffers.
//
// Node-API has no way to wrap foreign memory in a SharedArrayBuffer on Node 20
// (Node 24 only has the experimental node_api_create_external_sharedarraybuffer),
// so this file uses V8's SharedArrayBuffer::NewBackingStore directly. That makes the
// binary specific to one Node ABI (NODE_MODULE_VERSION); module.cc exports the ABI
// it was compiled for and the JavaScript loader refuses a mismatch.

#include "segment.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <v8.h>

#include <cstring>
#include <memory>

#include "util.h"

namespace mp {
namespace {

// shm names are "/" + at most NAME_MAX (255) bytes.
constexpr size_t kNameCapacity = 256 + 1;

void Unmap(void* data, size_t length, void* /*deleter_data*/) {
  // Runs when the last SharedArrayBuffer over the mapping (in any isolate of this
  // process: a SharedArrayBuffer posted to a worker shares the backing store) is
  // garbage-collected. munmap is thread-safe, so the thread does not matter.
  munmap(data, length);
}

// Wraps a mapping in a SharedArrayBuffer that owns it.
napi_value WrapMapping(napi_env env, void* data, size_t length) {
  static_assert(sizeof(napi_value) == sizeof(v8::Local<v8::Value>),
                "napi_value is expected to be a v8::Local<v8::Value>");
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  std::unique_ptr<v8::BackingStore> store =
      v8::SharedArrayBuffer::NewBackingStore(data, length, Unmap, nullptr);
  v8::Local<v8::Value> buffer = v8::SharedArrayBuffer::New(isolate, std::move(store));
  // Node-API's napi_value *is* a v8::Local<v8::Value> (node's js_native_api_v8.h
  // converts between them with the same memcpy). We are inside a Node-API callback,
  // so the HandleScope V8 opened for it keeps the handle alive until we return.
  napi_value result;
  std::memcpy(static_cast<void*>(&result), static_cast<const void*>(&buffer), sizeof result);
  return result;
}

bool GetLength(napi_env env, napi_value value, size_t* out) {
  double bytes = 0;
  if (!GetDouble(env, value, "the size", &bytes)) return false;
  // 2^53: every such length is exact in a double; SharedArrayBuffer's own limit is lower.
  if (!(bytes >= 0) || bytes != static_cast<double>(static_cast<uint64_t>(bytes)) || bytes > 9007199254740991.0) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "@mp/native: the size must be a non-negative integer");
    return false;
  }
  *out = static_cast<size_t>(bytes);
  return true;
}

napi_value Map(napi_env env, int fd, size_t length, const char* name, bool unlink_on_failure) {
  void* data = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int err = errno;
  close(fd);  // The mapping keeps the segment's memory; the descriptor is not needed.
  if (data == MAP_FAILED) {
    if (unlink_on_failure) shm_unlink(name);
    ThrowErrno(env, err, "mmap", name);
    return nullptr;
  }
  return WrapMapping(env, data, length);
}

}  // namespace

// createSegment(name: string, bytes: number): SharedArrayBuffer
napi_value CreateSegment(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  MP_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  char name[kNameCapacity];
  size_t length = 0;
  if (argc < 2 || !GetString(env, argv[0], "the name", name, sizeof name) || !GetLength(env, argv[1], &length)) {
    return nullptr;
  }
  if (length == 0) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "@mp/native: a segment needs at least one byte");
    return nullptr;
  }
  // O_EXCL: never adopt someone else's segment by accident. 0600: only this user.
  int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    ThrowErrno(env, errno, "shm_open", name);
    return nullptr;
  }
  // shm_open's mode is filtered through the umask; fchmod makes the mode exactly
  // 0600 whatever the umask (it can only have removed bits from 0600 anyway).
  // ftruncate on tmpfs is sparse: pages are allocated when first touched, so a large
  // reservation costs nothing until used.
  if (fchmod(fd, 0600) != 0 || ftruncate(fd, static_cast<off_t>(length)) != 0) {
    int err = errno;
    close(fd);
    shm_unlink(name);
    ThrowErrno(env, err, "ftruncate", name);
    return nullptr;
  }
  return Map(env, fd, length, name, true);
}

// openSegment(name: string, bytes: number): SharedArrayBuffer — bytes 0 maps the
// whole segment.
napi_value OpenSegment(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  MP_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  char name[kNameCapacity];
  size_t length = 0;
  if (argc < 2 || !GetString(env, argv[0], "the name", name, sizeof name) || !GetLength(env, argv[1], &length)) {
    return nullptr;
  }
  int fd = shm_open(name, O_RDWR, 0);
  if (fd < 0) {
    ThrowErrno(env, errno, "shm_open", name);
    return nullptr;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    ThrowErrno(env, err, "fstat", name);
    return nullptr;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (length == 0) length = size;
  if (length == 0 || length > size) {
    close(fd);
    char message[512];
    snprintf(message, sizeof message,
             "Cannot map %zu bytes of shared-memory segment '%s': it has %zu. Pass at most its size, or omit "
             "`bytes` to map all of it.",
             length, name, size);
    ThrowCoded(env, "ERR_MP_SEGMENT_SIZE", message);
    return nullptr;
  }
  return Map(env, fd, length, name, false);
}

// unlinkSegment(name: string): boolean — false when no segment had that name.
napi_value UnlinkSegment(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  MP_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  char name[kNameCapacity];
  if (argc < 1 || !GetString(env, argv[0], "the name", name, sizeof name)) return nullptr;
  bool existed = true;
  if (shm_unlink(name) != 0) {
    if (errno != ENOENT) {
      ThrowErrno(env, errno, "shm_unlink", name);
      return nullptr;
    }
    existed = false;
  }
  napi_value result;
  MP_CALL(env, napi_get_boolean(env, existed, &result));
  return result;
}

}  // namespace mp
