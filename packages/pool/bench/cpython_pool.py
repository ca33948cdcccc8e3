"""CPython's multiprocessing.Pool (fork) doing the work of pool.bench.ts; prints one JSON object."""
import json
import statistics
import sys
import time
import multiprocessing as mp


def square(x):
    return x * x


def main():
    processes, items, applies, reps = (int(a) for a in sys.argv[1:5])
    ctx = mp.get_context('fork')
    out = {}

    starts = []
    for _ in range(reps):
        t = time.perf_counter()
        pool = ctx.Pool(processes)
        pool.close()
        pool.join()
        starts.append((time.perf_counter() - t) * 1000)
    out['startCloseJoinMs'] = statistics.median(starts)

    firsts = []
    for _ in range(reps):
        t = time.perf_counter()
        pool = ctx.Pool(processes)
        pool.apply(square, (1,))
        pool.close()
        pool.join()
        firsts.append((time.perf_counter() - t) * 1000)
    out['startTaskShutdownMs'] = statistics.median(firsts)

    with ctx.Pool(processes) as pool:
        data = list(range(items))
        until = time.perf_counter() + 1.5  # as pool.bench.ts warms up
        while time.perf_counter() < until:
            pool.map(square, data)
        rates = []
        for _ in range(reps):
            t = time.perf_counter()
            result = pool.map(square, data)
            rates.append(items / (time.perf_counter() - t))
        assert result[-1] == (items - 1) ** 2
        out['mapItemsPerSec'] = statistics.median(rates)
        for i in range(1000):
            pool.apply(square, (i,))
        trips = []
        for _ in range(reps):
            t = time.perf_counter()
            for i in range(applies):
                pool.apply(square, (i,))
            trips.append((time.perf_counter() - t) / applies * 1e6)
        out['applyRoundTripUs'] = statistics.median(trips)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
