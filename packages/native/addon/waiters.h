// Asynchronous futex waits on dedicated threads (never libuv's thread pool: a
// pool thread parked in FUTEX_WAIT for minutes would starve fs, dns and crypto).
#pragma once

#include <node_api.h>
#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <unordered_set>

#include "util.h"

namespace mp {

// One pending waitAsync.
struct Job {
  int32_t* word = nullptr;
  int32_t expected = 0;
  bool limited = false;
  timespec deadline{};
  napi_deferred deferred = nullptr;
  // Keeps the Int32Array (so its SharedArrayBuffer, so the mapping) alive while a
  // thread waits on an address inside it.
  napi_ref keep = nullptr;
  WaitResult result = kOk;
  int err = 0;
  std::atomic<bool> cancelled{false};
};

// The waiter threads of one Node.js environment (main thread or worker). Each
// environment that loads the addon gets its own instance (Node-API instance data),
// which is what makes the addon safe to load in several isolates at once.
//
// Threads are pooled: a thread that finished a wait parks for a while waiting for
// the next job, so a ping-pong does not pay for a thread creation per round.
class Waiters {
 public:
  // Creates the thread-safe function and the env cleanup hook; returns false (with
  // an exception pending) on failure.
  bool Init(napi_env env);

  // waitAsync(array, index, expected, timeoutMs) → Promise<'ok'|'not-equal'|'timed-out'>
  static napi_value WaitAsync(napi_env env, napi_callback_info info);

  // Stops every thread: cancels jobs, wakes their futexes, waits until all threads
  // have exited. Idempotent. Runs on the JS thread at env teardown.
  void Shutdown();

 private:
  static void CallJs(napi_env env, napi_value js_callback, void* context, void* data);
  static void OnTeardown(void* self);
  static void OnThreadFunctionFinalized(napi_env env, void* data, void* hint);
  static void* ThreadMain(void* self);

  // JS thread: hands a job to a parked thread or starts one. False if no thread
  // could be started.
  bool Submit(Job* job, int* err);
  void Run();

  std::mutex mu_;
  std::condition_variable work_cv_;  // parked threads wait here for jobs
  std::condition_variable exit_cv_;  // Shutdown waits here for threads to exit
  std::deque<Job*> queue_;
  std::unordered_set<Job*> running_;
  int live_ = 0;
  int idle_ = 0;
  bool shutdown_ = false;

  // JS thread only.
  napi_threadsafe_function tsfn_ = nullptr;
  int pending_ = 0;
};

}  // namespace mp
