// A CPU-bound Node process with a known hot function, for the real `node --cpu-prof` and
// `perf record` tests:  node hot.js N MILLISECONDS
// findSimilar compares N items pairwise (O(N²)); encode serializes 2 000 rows to JSON.
"use strict";

function findSimilar(items) {
  let out = 0;
  for (const a of items) for (const b of items) if (a === b) out++;
  return out;
}

function encode(n) {
  const rows = [];
  for (let i = 0; i < n; i++) rows.push({ id: i, name: "x".repeat(20) });
  return JSON.stringify(rows).length;
}

function handle(n) {
  return findSimilar([...Array(n).keys()]) + encode(2000);
}

const [n, ms] = [Number(process.argv[2]), Number(process.argv[3])];
const deadline = Date.now() + ms;
while (Date.now() < deadline) handle(n);
