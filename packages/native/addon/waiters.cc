#include "waiters.h"

#include <errno.h>
#include <signal.h>

#include <chrono>
#include <climits>
#include <cmath>

namespace mp {
namespace {

// How long a parked thread waits for another job before exiting.
constexpr auto kIdleTimeout = std::chrono::seconds(10);
// Waiter threads only ever sit in futex(): a small stack is plenty.
constexpr size_t kStackBytes = 256 * 1024;

}  // namespace

bool Waiters::Init(napi_env env) {
  napi_value name;
  if (napi_create_string_utf8(env, "@mp/native futex waitAsync", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_threadsafe_function(env, nullptr, nullptr, name, 0 /* unlimited queue */, 1, this,
                                      OnThreadFunctionFinalized, this, CallJs, &tsfn_) != napi_ok) {
    ThrowIfNoneIsPending(env, "napi_create_threadsafe_function");
    return false;
  }
  // Unref'd while no wait is pending: loading the addon must not keep a program
  // alive. WaitAsync refs it for as long as any promise is pending.
  napi_unref_threadsafe_function(env, tsfn_);
  // Registered after the thread-safe function, so it runs before the function's own
  // teardown (cleanup hooks run in reverse order): every thread has stopped before
  // the function they deliver through goes away.
  if (napi_add_env_cleanup_hook(env, OnTeardown, this) != napi_ok) {
    ThrowIfNoneIsPending(env, "napi_add_env_cleanup_hook");
    return false;
  }
  return true;
}

void Waiters::OnTeardown(void* self) { static_cast<Waiters*>(self)->Shutdown(); }

void Waiters::OnThreadFunctionFinalized(napi_env env, void* data, void* hint) {
  // Normally a no-op (OnTeardown ran first); kept so that the threads can never
  // outlive the function whatever the teardown order.
  static_cast<Waiters*>(data)->Shutdown();
}

bool Waiters::Submit(Job* job, int* err) {
  std::unique_lock<std::mutex> lock(mu_);
  if (shutdown_) {
    *err = ECANCELED;
    return false;
  }
  queue_.push_back(job);
  if (static_cast<size_t>(idle_) >= queue_.size()) {
    work_cv_.notify_one();
    return true;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kStackBytes);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // Start the thread with every signal blocked, so that process-directed signals
  // (SIGINT, SIGCHLD, …) go to Node's own threads, never to a waiter.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  pthread_t thread;
  int rc = pthread_create(&thread, &attr, ThreadMain, this);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    queue_.pop_back();
    *err = rc;
    return false;
  }
  ++live_;
  return true;
}

void* Waiters::ThreadMain(void* self) {
  // Visible in /proc/<pid>/task/*/comm, top -H, gdb: and to the tests, which count
  // these threads to check that teardown stops them.
  pthread_setname_np(pthread_self(), "mp-futex-wait");
  static_cast<Waiters*>(self)->Run();
  return nullptr;
}

void Waiters::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (queue_.empty() && !shutdown_) {
      ++idle_;
      const bool got_work = work_cv_.wait_for(lock, kIdleTimeout, [this] { return !queue_.empty() || shutdown_; });
      --idle_;
      if (!got_work) break;  // Parked too long: exit; Submit starts a new one when needed.
    }
    if (shutdown_) break;
    Job* job = queue_.front();
    queue_.pop_front();
    running_.insert(job);
    lock.unlock();

    // Async waiters also listen on kCancelBit: Shutdown wakes them with that bit
    // alone, which does not disturb synchronous waiters on the same word.
    job->result = WaitOnWord(job->word, job->expected, job->limited ? &job->deadline : nullptr,
                             kSyncBit | kCancelBit, &job->cancelled, &job->err);

    lock.lock();
    running_.erase(job);
    if (shutdown_) {
      // The environment is being torn down: there is no promise to settle any more.
      delete job;
      continue;
    }
    // Delivered under mu_, so once Shutdown has set shutdown_ (under mu_), no thread
    // touches the thread-safe function again. Non-blocking with an unlimited queue:
    // this never waits for the JS thread, so holding mu_ cannot deadlock with it.
    if (napi_call_threadsafe_function(tsfn_, job, napi_tsfn_nonblocking) != napi_ok) {
      delete job;  // Closing: the environment is going away.
    }
  }
  --live_;
  exit_cv_.notify_all();
  // After unlocking, this thread touches nothing of *this again (Shutdown may free
  // it as soon as live_ is 0).
  return;
}

void Waiters::Shutdown() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!shutdown_) {
    shutdown_ = true;
    for (Job* job : queue_) delete job;
    queue_.clear();
    work_cv_.notify_all();
    for (Job* job : running_) job->cancelled.store(true);
  }
  // A thread may be between its last look at `cancelled` and entering futex(), so
  // one wake-up could miss it: keep waking until every thread has left. Each round
  // costs one syscall per running wait and at most a millisecond.
  while (live_ > 0) {
    for (Job* job : running_) FutexWake(job->word, INT_MAX, kCancelBit);
    exit_cv_.wait_for(lock, std::chrono::milliseconds(1));
  }
}

void Waiters::CallJs(napi_env env, napi_value /*js_callback*/, void* context, void* data) {
  Job* job = static_cast<Job*>(data);
  Waiters* self = static_cast<Waiters*>(context);
  if (env == nullptr) {
    // The thread-safe function is being torn down with this item still queued.
    delete job;
    return;
  }
  if (job->result == kFailed) {
    napi_value error = ErrnoError(env, job->err, "futex", nullptr);
    napi_reject_deferred(env, job->deferred, error);
  } else {
    napi_resolve_deferred(env, job->deferred, ResultString(env, job->result));
  }
  napi_delete_reference(env, job->keep);
  delete job;
  // The last pending wait lets the event loop exit again.
  if (--self->pending_ == 0) napi_unref_threadsafe_function(env, self->tsfn_);
}

napi_value Waiters::WaitAsync(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  void* data = nullptr;
  MP_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, &data));
  Waiters* self = static_cast<Waiters*>(data);
  int32_t* word = nullptr;
  int32_t expected = 0;
  double timeout_ms = 0;
  if (!GetWaitArgs(env, argc, argv, "@mp/native: waitAsync(array, index, expected, timeoutMs)", &word, &expected,
                   &timeout_ms)) {
    return nullptr;
  }

  napi_deferred deferred;
  napi_value promise;
  MP_CALL(env, napi_create_promise(env, &deferred, &promise));
  // Settle at once when no wait is needed: the word already differs, or the caller
  // asked not to wait. The deadline is taken now, so the time a thread needs to
  // pick the job up counts against the timeout (never in the caller's favour).
  const int32_t now = __atomic_load_n(word, __ATOMIC_SEQ_CST);
  if (now != expected || timeout_ms <= 0) {
    MP_CALL(env, napi_resolve_deferred(env, deferred, ResultString(env, now != expected ? kNotEqual : kTimedOut)));
    return promise;
  }
  Job* job = new Job();
  job->word = word;
  job->expected = expected;
  job->limited = DeadlineAfter(timeout_ms, &job->deadline);
  job->deferred = deferred;
  if (napi_create_reference(env, argv[0], 1, &job->keep) != napi_ok) {
    delete job;
    ThrowIfNoneIsPending(env, "napi_create_reference");
    return nullptr;
  }
  int err = 0;
  if (!self->Submit(job, &err)) {
    napi_delete_reference(env, job->keep);
    delete job;
    napi_reject_deferred(env, deferred, ErrnoError(env, err, "pthread_create", nullptr));
    return promise;
  }
  // A pending promise keeps the event loop alive, like a timer would.
  if (self->pending_++ == 0) napi_ref_threadsafe_function(env, self->tsfn_);
  return promise;
}

}  // namespace mp
