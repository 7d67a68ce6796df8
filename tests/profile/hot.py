"""A CPU-bound Python process with a known hot function, for the real py-spy tests.

    python3 hot.py N SECONDS

`find_similar` compares N items pairwise (O(N²)); `encode` serializes 2 000 rows to JSON.
Prints `ready` once the interpreter is up; the loop stops after SECONDS, so every
run is bounded.
"""
import json
import sys
import time


def find_similar(items):
    out = 0
    for a in items:
        for b in items:
            if a == b:
                out += 1
    return out


def encode(n):
    return len(json.dumps([{"id": i, "name": "x" * 20} for i in range(n)]))


def handle(n):
    return find_similar(list(range(n))) + encode(2000)


def main():
    n, seconds = int(sys.argv[1]), float(sys.argv[2])
    print("ready", flush=True)  # a profiler may attach now
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        handle(n)


if __name__ == "__main__":
    main()
