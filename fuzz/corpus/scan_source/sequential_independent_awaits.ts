export async function page(id: string) {
  const user = await fetchUser(id); // positive
  const orders = await fetchOrders(id);
  const recs = await fetchRecommendations(id);
  return { user, orders, recs };
}

// negatives
export async function parallel(id: string) {
  const [user, orders] = await Promise.all([fetchUser(id), fetchOrders(id)]);
  return { user, orders };
}

export async function chain(id: string) {
  const user = await fetchUser(id);
  const orders = await fetchOrders(user.id);
  return orders;
}
