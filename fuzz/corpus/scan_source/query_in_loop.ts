import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();

export async function prismaLoop(ids: number[]) {
  const out = [];
  for (const id of ids) {
    out.push(await prisma.user.findUnique({ where: { id } })); // positive
  }
  return out;
}

export async function typeorm(ids: number[], userRepository: any) {
  return Promise.all(ids.map((id) => userRepository.findOneBy({ id }))); // positive
}

export async function sequelize(orders: any[]) {
  for (const o of orders) {
    o.customer = await Customer.findByPk(o.customerId); // positive
  }
}

export async function knexLoop(ids: number[]) {
  for (const id of ids) {
    await knex('orders').where({ id }).first(); // positive
  }
}

export async function pg(client: any, ids: number[]) {
  for (const id of ids) {
    await client.query('SELECT * FROM items WHERE order_id = $1', [id]); // positive
  }
}

// negatives
export async function batched(ids: number[]) {
  const users = await prisma.user.findMany({ where: { id: { in: ids } } });
  return ids.map((id) => users.find((u) => u.id === id));
}

export function arrays(xs: number[][]) {
  for (const x of xs) {
    x.find((v) => v > 1);
  }
}
