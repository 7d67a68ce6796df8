const { Pool } = require('pg');
const express = require('express');
const app = express();

app.get('/orders', async (req, res) => {
  const pool = new Pool(); // positive
  const r = await pool.query('SELECT id FROM orders');
  res.json(r.rows);
});

// negative
const shared = new Pool();
app.get('/ok', async (req, res) => {
  res.json((await shared.query('SELECT id FROM orders')).rows);
});
