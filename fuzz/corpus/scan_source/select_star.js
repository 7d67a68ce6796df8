const q = `SELECT * FROM users WHERE id = ${id}`; // positive
const ok = 'SELECT id, name FROM users';
