// Runs in a worker thread of its own pool: argon2 here is synchronous on purpose, so hashing
// never competes with SQLite for libuv's shared thread pool and never blocks the event loop.
'use strict';
const argon2 = require('@node-rs/argon2');
const bcrypt = require('bcryptjs');

const PARAMS = { algorithm: 2 /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 };

module.exports = function run(task) {
  if (task.op === 'hash') return argon2.hashSync(task.password, PARAMS);
  if (task.op === 'verify') {
    try {
      // Imported bcrypt hashes ($2a$/$2b$/$2y$) verify here too, as slowly as they were made.
      if (task.hash.startsWith('$2')) return bcrypt.compareSync(task.password, task.hash);
      return argon2.verifySync(task.hash, task.password);
    } catch {
      return false;
    }
  }
  throw new Error(`unknown op ${task.op}`);
};
