async function perRow(rows) {
  for (const r of rows) {
    await prisma.order.create({ data: r }); // positive
  }
  rows.forEach(async (r) => {
    await Order.create({ total: r.total }); // positive
  });
}

// negative
async function batched(rows) {
  await prisma.order.createMany({ data: rows });
}
