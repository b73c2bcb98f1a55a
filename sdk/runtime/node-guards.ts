import childProcess from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import dns from 'node:dns';
import fs from 'node:fs';
import fsPromises from 'node:fs/promises';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';
import { guardGlobalFunction } from '../engine/global-overrides.ts';

let installed = false;

function guardAll(module: object, label: string, instead: string, only?: readonly string[]): void {
  const owner = module as Record<string, unknown>;
  for (const name of only ?? Object.keys(owner)) {
    if (typeof owner[name] === 'function' && !/^[A-Z]/.test(name))
      guardGlobalFunction(owner, name, instead, `${label}.${name}`);
  }
}

/**
 * Makes Node's I/O modules throw inside workflow code (and only there): files, network, DNS,
 * child processes and crypto randomness. Imported names see the guards too, because the
 * built-in ESM exports are re-synced afterwards. Installed once per process by every worker.
 */
export function installNodeGuards(): void {
  if (installed) return;
  installed = true;
  const files = 'do file I/O in an activity';
  const network = 'do network I/O in an activity';
  guardAll(fs, 'fs', files);
  guardAll(fsPromises, 'fs/promises', files);
  for (const [module, label] of [
    [net, 'net'],
    [tls, 'tls'],
    [http, 'http'],
    [https, 'https'],
    [http2, 'http2'],
    [dns, 'dns'],
    [dgram, 'dgram'],
  ] as const) {
    guardAll(module, label, network);
  }
  guardAll(childProcess, 'child_process', 'run processes in an activity');
  guardAll(crypto, 'crypto', 'use Math.random() (seeded per run) or uuid4() from cairnflow/workflow', [
    'randomBytes',
    'randomFillSync',
    'randomFill',
    'randomInt',
    'randomUUID',
    'getRandomValues',
  ]);
  syncBuiltinESMExports();
}
