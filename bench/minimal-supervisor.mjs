#!/usr/bin/env node
// The floor of the benchmark: what any Node supervisor costs at least.
// It spawns every unit, pipes its output (line-tagged) to its own stdout,
// respawns a unit when it exits (after 1 s if it lived less than 1 s, as runit
// does, so a crashing unit cannot spin a core) and, on SIGTERM or SIGINT, sends
// SIGTERM to every unit and exits once they are all gone.
//
//   node bench/minimal-supervisor.mjs UNITS.json
//   UNITS.json: [{ "name": "u001", "command": "/abs/path", "args": ["..."] }, ...]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const units = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const children = new Map();
let stopping = false;

function pipe(name, stream) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) process.stdout.write(`${name}: ${line}\n`);
  });
}

function start(unit) {
  const startedAt = Date.now();
  const child = spawn(unit.command, unit.args ?? [], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(unit.name, child);
  pipe(unit.name, child.stdout);
  pipe(unit.name, child.stderr);
  child.on('error', (err) => process.stderr.write(`${unit.name}: ${err.message}\n`));
  child.on('exit', () => {
    children.delete(unit.name);
    if (stopping) {
      if (children.size === 0) process.exit(0);
      return;
    }
    const delay = Date.now() - startedAt < 1000 ? 1000 : 0;
    setTimeout(() => { if (!stopping) start(unit); }, delay);
  });
}

function stop() {
  if (stopping) return;
  stopping = true;
  if (children.size === 0) process.exit(0);
  for (const child of children.values()) child.kill('SIGTERM');
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
for (const unit of units) start(unit);
