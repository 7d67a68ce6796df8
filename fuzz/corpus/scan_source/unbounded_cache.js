const userCache = new Map(); // positive

export function getUser(id) {
  if (!userCache.has(id)) userCache.set(id, load(id));
  return userCache.get(id);
}

// negative
const boundedCache = new Map();
export function put(k, v) {
  boundedCache.set(k, v);
  if (boundedCache.size > 100) boundedCache.delete(boundedCache.keys().next().value);
}
