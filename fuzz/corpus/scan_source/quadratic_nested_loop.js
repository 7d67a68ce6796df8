function dupes(users) {
  const out = [];
  for (const a of users) {
    for (const b of users) { // positive
      if (a !== b && a.email === b.email) out.push(b);
    }
  }
  return out;
}
