function active(users, orders) {
  const ids = users.map((u) => u.id);
  return orders.filter((o) => ids.includes(o.userId)); // positive
}

// negative
function activeSet(users, orders) {
  const ids = new Set(users.map((u) => u.id));
  return orders.filter((o) => ids.has(o.userId));
}
