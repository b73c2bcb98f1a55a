import { NO_FAULTS } from '../../local/fault-injector.ts';
import { runChaos } from './run.ts';

const only = process.argv[2];
const t0 = Date.now();
const rates =
  only === 'all'
    ? {}
    : only === 'none'
      ? NO_FAULTS
      : {
          ...NO_FAULTS,
          ...Object.fromEntries(only.split(',').map((k) => [k, Number(process.env.RATE ?? 0.2)])),
        };
const r = await runChaos({
  seed: 7,
  workflows: 1,
  kinds: ['fanOut'],
  fanOut: Number(process.argv[3] ?? 200),
  rates,
  deadlineMs: 90_000,
  progress: (l) => console.error(Date.now() - t0, l),
});
console.log(only, JSON.stringify(r.summary), r.problems.slice(0, 5));
