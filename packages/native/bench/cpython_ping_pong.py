"""CPython baseline: ping-pong between two processes (fork) over multiprocessing's
named POSIX semaphores. Prints JSON: microseconds per round trip, best of `repeat`."""
import json
import multiprocessing as mp
import sys
import time


def sem_player(a, b, rounds):
    for _ in range(rounds):
        a.acquire()
        b.release()


def event_player(e1, e2, rounds):
    for _ in range(rounds):
        e1.wait()
        e1.clear()
        e2.set()


def bench_semaphore(ctx, rounds):
    a, b = ctx.Semaphore(0), ctx.Semaphore(0)
    p = ctx.Process(target=sem_player, args=(a, b, rounds))
    p.start()
    # Warm-up handshake, so that the child's start-up is not timed.
    a.release()
    b.acquire()
    t0 = time.perf_counter()
    for _ in range(rounds - 1):
        a.release()
        b.acquire()
    dt = time.perf_counter() - t0
    p.join()
    return dt / (rounds - 1) * 1e6


def bench_event(ctx, rounds):
    e1, e2 = ctx.Event(), ctx.Event()
    p = ctx.Process(target=event_player, args=(e1, e2, rounds))
    p.start()
    e1.set()
    e2.wait()
    e2.clear()
    t0 = time.perf_counter()
    for _ in range(rounds - 1):
        e1.set()
        e2.wait()
        e2.clear()
    dt = time.perf_counter() - t0
    p.join()
    return dt / (rounds - 1) * 1e6


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    ctx = mp.get_context("fork")
    print(json.dumps({
        "python": sys.version.split()[0],
        "semaphore": min(bench_semaphore(ctx, rounds) for _ in range(repeat)),
        "event": min(bench_event(ctx, rounds // 4) for _ in range(repeat)),
    }))
