#!/usr/bin/env python3
"""Writes a large pprof profile (uncompressed protobuf) to stdout for bench/profile_pprof.sh.

STACKS distinct stacks (depth 8-40 over FUNCTIONS functions, seeded so every run writes the
same file) are sampled again and again until the samples alone reach MB megabytes; the
tables (locations, functions, strings) come AFTER the samples, which the format allows and
which forces a streaming reader to sum samples before it can name their frames.

Usage: bench/pprof_large.py MB [STACKS] [FUNCTIONS] | gzip -1 > big.pb.gz
"""
import random
import sys


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def ld(field, payload):
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def vi(field, n):
    return varint(field << 3) + varint(n)


def packed(field, xs):
    return ld(field, b"".join(varint(x) for x in xs))


def main():
    mb = int(sys.argv[1])
    n_stacks = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    n_funcs = int(sys.argv[3]) if len(sys.argv) > 3 else 800
    rng = random.Random(13)
    out = sys.stdout.buffer
    strings = ["", "samples", "count", "cpu", "nanoseconds"]
    strings += [f"pkg{i % 37}.(*Server).handler{i}" for i in range(n_funcs)]
    strings += [f"/src/pkg{i % 37}/file{i % 91}.go" for i in range(n_funcs)]
    out.write(ld(1, vi(1, 1) + vi(2, 2)) + ld(1, vi(1, 3) + vi(2, 4)))
    samples = []
    for _ in range(n_stacks):
        depth = rng.randint(8, 40)
        ids = [rng.randint(1, n_funcs) for _ in range(depth)]  # leaf first
        samples.append(ld(2, packed(1, ids) + packed(2, [1, 10_000_000])))
    chunk = b"".join(samples)
    written, target = 0, mb << 20
    while written < target:
        out.write(chunk)
        written += len(chunk)
    tables = bytearray()
    for i in range(1, n_funcs + 1):
        tables += ld(4, vi(1, i) + vi(3, 0x1000 + i) + ld(4, vi(1, i) + vi(2, 10 + i % 300)))
        tables += ld(5, vi(1, i) + vi(2, 4 + i) + vi(4, 4 + n_funcs + i) + vi(5, 10 + i % 300))
    for s in strings:
        tables += ld(6, s.encode())
    out.write(bytes(tables))
    sys.stderr.write(f"{written} bytes of samples ({len(samples)} distinct stacks), {len(tables)} bytes of tables\n")


if __name__ == "__main__":
    main()
