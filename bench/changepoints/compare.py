"""perfhound's change points vs Apache Otava's on the same generated series.

Series (the generator of crates/perfhound-store/tests/changepoint.rs): ±3 % noise around
100, optionally bimodal (each run at 100 or 150 at random); stable ones (50 runs) must not
be flagged, a 10 % step after 30 runs must be caught within a few runs. perfhound runs as a
process (`history --series-file --format json`); Otava in-process
(`otava.analysis.compute_change_points`, its defaults: window 50, p ≤ 0.001).

Prints false alarms, detection delays and CPU seconds for each, and the ratios.
"""
import json, os, random, resource, subprocess, sys, tempfile, time

from otava.analysis import compute_change_points

PERFHOUND = sys.argv[1]
SEEDS = 20


def series(rng, n, bimodal, scale):
    out = []
    for _ in range(n):
        mode = 150.0 if bimodal and rng.random() < 0.5 else 100.0
        out.append(mode * (1.0 + (rng.random() - 0.5) * 0.06) * scale)
    return out


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def perfhound_points(values, tmp):
    path = os.path.join(tmp, "s.txt")
    with open(path, "w") as f:
        f.write("\n".join(repr(v) for v in values))
    out = subprocess.run([PERFHOUND, "history", "--format", "json", "--series-file", path],
                         check=True, capture_output=True, text=True).stdout
    return [c["index"] for c in json.loads(out)["change_points"]]


def otava_points(values):
    cps, _ = compute_change_points(values)
    return [c.index for c in cps]


def run(detect):
    stable_alarms = {False: 0, True: 0}
    delays = {False: [], True: []}
    for bimodal in (False, True):
        for seed in range(SEEDS):
            rng = random.Random(1000 + seed)
            if detect(series(rng, 50, bimodal, 1.0)):
                stable_alarms[bimodal] += 1
            rng = random.Random(2000 + seed)
            before, after = series(rng, 30, bimodal, 1.0), series(rng, 20, bimodal, 1.1)
            delay = None
            for k in range(1, len(after) + 1):
                if any(abs(i - 30) <= 1 for i in detect(before + after[:k])):
                    delay = k
                    break
            delays[bimodal].append(delay)
    return stable_alarms, delays


def summary(name, alarms, delays, cpu):
    print(f"{name}:")
    for bimodal in (False, True):
        kind = "bimodal 100/150" if bimodal else "unimodal"
        d = delays[bimodal]
        caught = [x for x in d if x is not None]
        median = sorted(caught)[len(caught) // 2] if caught else None
        print(f"  {kind:16} false alarms on stable series: {alarms[bimodal]}/{SEEDS}; "
              f"10 % step caught {len(caught)}/{SEEDS}, median delay {median} runs, delays {d}")
    print(f"  CPU: {cpu:.2f} s")


with tempfile.TemporaryDirectory() as tmp:
    c0 = children_cpu()
    ph = run(lambda v: perfhound_points(v, tmp))
    ph_cpu = children_cpu() - c0
t0 = time.process_time()
ot = run(otava_points)
ot_cpu = time.process_time() - t0
summary("perfhound", *ph, ph_cpu)
summary("Apache Otava 0.8.0 (defaults)", *ot, ot_cpu)
print(f"CPU ratio otava/perfhound: {ot_cpu / ph_cpu:.2f} (perfhound includes a process start per series)")
