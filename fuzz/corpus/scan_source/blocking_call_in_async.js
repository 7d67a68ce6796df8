const fs = require('fs');

async function load(path) {
  return JSON.parse(fs.readFileSync(path, 'utf8')); // positive
}

// negatives
function loadSync(path) {
  return fs.readFileSync(path, 'utf8');
}

async function loadAsync(path) {
  return fs.promises.readFile(path, 'utf8');
}
