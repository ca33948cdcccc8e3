"""CPython's multiprocessing doing the work of every case of apps/bench.

Run by src/cpython.mjs as `python3 -u bench.py METHOD` (METHOD: fork or spawn). Reads one
request per line on stdin, {"op": ..., "args": {...}}, runs one repetition and answers one
line on stdout, {"value": figure} or {"error": "..."}. It is a file, not `python3 -c`,
because the spawn start method re-imports the main module in every child: everything a
child needs is defined at the top level, and the request loop is under the main guard.

Each op does what the matching src/cases/*.mjs does with @mp, with the same sizes, and
times the same span (see the comments there and the README).
"""
import json
import multiprocessing as mp
import sys
import time
from multiprocessing import shared_memory
from multiprocessing.connection import Client, Listener

ctx = None  # the context of this server's start method, set under the main guard


# ----- child targets -------------------------------------------------------------------

def noop():
    pass


def square(x):
    return x * x


def produce(q, n, payload, ready):
    ready.wait()
    if payload is None:
        for i in range(n):
            q.put(i)
    else:
        for _ in range(n):
            q.put(payload)
    q.put(None)


def consume(q, ready, report):
    ready.set()
    q.get()
    start = time.perf_counter()
    transfers = 1
    while q.get() is not None:
        transfers += 1
    report.value = transfers / (time.perf_counter() - start)


def round_trip_us(conn, n, warm):
    """Mean microseconds of send + recv over conn, n times after warm untimed."""
    for i in range(warm):
        conn.send(i)
        conn.recv()
    start = time.perf_counter()
    for i in range(n):
        conn.send(i)
        conn.recv()
    return (time.perf_counter() - start) * 1e6 / n


def pipe_ping(conn, n, warm, report):
    report.value = round_trip_us(conn, n, warm)
    conn.send(-1)


def pipe_pong(conn):
    while True:
        m = conn.recv()
        if m == -1:
            return
        conn.send(m)


def lock_uncontended(lock, ops, report):
    for _ in range(min(ops, 100_000)):
        lock.acquire()
        lock.release()
    start = time.perf_counter()
    for _ in range(ops):
        lock.acquire()
        lock.release()
    report.value = (time.perf_counter() - start) * 1e9 / ops


def lock_increment(v, times, start, end):
    start.wait()
    for _ in range(times):
        with v.get_lock():
            v.value += 1
    end.wait()


def event_serve(ping, pong, n, warm, report):
    for i in range(warm + n):
        if i == warm:
            start = time.perf_counter()
        ping.set()
        pong.wait()
        pong.clear()
    report.value = (time.perf_counter() - start) * 1e6 / n


def event_answer(ping, pong, rounds):
    for _ in range(rounds):
        ping.wait()
        ping.clear()
        pong.set()


def listener_echo(address):
    with Client(address, authkey=mp.current_process().authkey) as conn:
        while True:
            m = conn.recv()
            if m == -1:
                return
            conn.send(m)


def manager_dict_trips(d, n, warm):
    for i in range(warm):
        d['k'] = i
        d['k']
    start = time.perf_counter()
    for i in range(n):
        d['k'] = i
        d['k']
    d['us'] = (time.perf_counter() - start) * 1e6 / n


def shm_attach(name, n, warm, report):
    for _ in range(warm):
        shared_memory.SharedMemory(name).close()
    start = time.perf_counter()
    for _ in range(n):
        shared_memory.SharedMemory(name).close()
    report.value = (time.perf_counter() - start) * 1e6 / n


def array_sum(a, report):
    start = time.perf_counter()
    with a.get_lock():
        total = sum(a.get_obj())
    report[0] = (time.perf_counter() - start) * 1e3
    report[1] = total


# ----- one repetition per op ---------------------------------------------------------------

def run_all(processes):
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    for p in processes:
        if p.exitcode != 0:
            raise RuntimeError(f'{p.name} exited with {p.exitcode}')


def op_process_start(count):
    start = time.perf_counter()
    run_all([ctx.Process(target=noop) for _ in range(count)])
    return (time.perf_counter() - start) * 1e3


def op_pool_start(processes):
    start = time.perf_counter()
    pool = ctx.Pool(processes)
    pool.close()
    pool.join()
    close_join = (time.perf_counter() - start) * 1e3
    start = time.perf_counter()
    pool = ctx.Pool(processes)
    pool.apply(square, (1,))
    pool.close()
    pool.join()
    task_close_join = (time.perf_counter() - start) * 1e3
    return {'closeJoin': close_join, 'taskCloseJoin': task_close_join}


POOL = None
DATA = {}


def ensure_pool(processes, warm_up_ms, items):
    """The pool of the map and apply cases: started once, warmed up, reused."""
    global POOL
    if POOL is None:
        POOL = ctx.Pool(processes)
        data = data_of(items)
        until = time.perf_counter() + warm_up_ms / 1e3
        POOL.map(square, data)
        while time.perf_counter() < until:
            POOL.map(square, data)
    return POOL


def data_of(items):
    if items not in DATA:
        DATA[items] = list(range(items))
    return DATA[items]


def op_pool_setup(processes, warmUpMs, items):
    ensure_pool(processes, warmUpMs, items)
    return 0


def op_pool_map(processes, warmUpMs, items):
    pool = ensure_pool(processes, warmUpMs, items)
    data = data_of(items)
    start = time.perf_counter()
    result = pool.map(square, data)
    ms = (time.perf_counter() - start) * 1e3
    if result[-1] != (items - 1) ** 2:
        raise RuntimeError('wrong map result')
    return ms


def op_pool_apply(processes, warmUpMs, items, applies):
    pool = ensure_pool(processes, warmUpMs, items)
    start = time.perf_counter()
    for i in range(applies):
        pool.apply(square, (i,))
    return (time.perf_counter() - start) * 1e6 / applies


def op_queue(n, payload):
    q = ctx.Queue()
    ready = ctx.Event()
    report = ctx.RawValue('d', 0.0)
    item = None if payload is None else 'x' * payload
    run_all([ctx.Process(target=consume, args=(q, ready, report)),
             ctx.Process(target=produce, args=(q, n, item, ready))])
    return report.value


def op_pipe(n, warm):
    a, b = ctx.Pipe()
    report = ctx.RawValue('d', 0.0)
    run_all([ctx.Process(target=pipe_pong, args=(b,)),
             ctx.Process(target=pipe_ping, args=(a, n, warm, report))])
    return report.value


def op_lock_uncontended(ops):
    lock = ctx.Lock()
    report = ctx.RawValue('d', 0.0)
    run_all([ctx.Process(target=lock_uncontended, args=(lock, ops, report))])
    return report.value


def op_lock_increments(times):
    v = ctx.Value('i', 0)
    start, end = ctx.Barrier(3), ctx.Barrier(3)
    children = [ctx.Process(target=lock_increment, args=(v, times, start, end)) for _ in range(2)]
    for p in children:
        p.start()
    start.wait()
    t = time.perf_counter()
    end.wait()
    elapsed = time.perf_counter() - t
    for p in children:
        p.join()
    if v.value != 2 * times:
        raise RuntimeError(f'lost increments: {v.value}')
    return elapsed * 1e9 / (2 * times)


def op_event(n, warm):
    ping, pong = ctx.Event(), ctx.Event()
    report = ctx.RawValue('d', 0.0)
    run_all([ctx.Process(target=event_answer, args=(ping, pong, warm + n)),
             ctx.Process(target=event_serve, args=(ping, pong, n, warm, report))])
    return report.value


def op_shared_array(length):
    start = time.perf_counter()
    a = ctx.Array('d', length)
    create = (time.perf_counter() - start) * 1e3
    a.get_obj()[:] = range(length)  # untimed: gives the sum a value to check
    report = ctx.RawArray('d', 2)
    started = time.perf_counter()
    run_all([ctx.Process(target=array_sum, args=(a, report))])
    end_to_end = (time.perf_counter() - started) * 1e3
    if report[1] != length * (length - 1) / 2:
        raise RuntimeError(f'wrong sum {report[1]}')
    return {'create': create, 'sum': report[0], 'endToEnd': end_to_end}


def op_listener(n, warm):
    with Listener(('127.0.0.1', 0), authkey=mp.current_process().authkey) as listener:
        p = ctx.Process(target=listener_echo, args=(listener.address,))
        p.start()
        with listener.accept() as conn:
            us = round_trip_us(conn, n, warm)
            conn.send(-1)
        p.join()
    if p.exitcode != 0:
        raise RuntimeError(f'{p.name} exited with {p.exitcode}')
    return us


def op_manager_dict(n, warm):
    with ctx.Manager() as manager:
        d = manager.dict()
        run_all([ctx.Process(target=manager_dict_trips, args=(d, n, warm))])
        return d['us']


def op_shared_memory_attach(n, warm):
    shm = shared_memory.SharedMemory(create=True, size=4096)
    try:
        report = ctx.RawValue('d', 0.0)
        run_all([ctx.Process(target=shm_attach, args=(shm.name, n, warm, report))])
        return report.value
    finally:
        shm.close()
        shm.unlink()


OPS = {
    'process-start': op_process_start,
    'pool-start': op_pool_start,
    'pool-setup': op_pool_setup,
    'pool-map': op_pool_map,
    'pool-apply': op_pool_apply,
    'queue': op_queue,
    'pipe': op_pipe,
    'lock-uncontended': op_lock_uncontended,
    'lock-increments': op_lock_increments,
    'event': op_event,
    'shared-array': op_shared_array,
    'listener': op_listener,
    'shared-memory-attach': op_shared_memory_attach,
    'manager-dict': op_manager_dict,
}


def main():
    global ctx
    ctx = mp.get_context(sys.argv[1])
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = {'value': OPS[request['op']](**request.get('args', {}))}
        except Exception as error:  # reported to the bench, which marks the variant failed
            answer = {'error': f'{type(error).__name__}: {error}'}
        print(json.dumps(answer), flush=True)
    if POOL is not None:
        POOL.terminate()


if __name__ == '__main__':
    main()
