/**
 * Paired A/B runs for a shared, loaded machine (docs/benchmarks.md, issue 12): each round starts
 * every candidate together, each pinned to the same CPU with taskset, so all meet the same load;
 * the start order alternates per round. Prints per-round and median ratios to the first candidate,
 * CPU (user + sys from /usr/bin/time) and wall. Used to compare builds, not part of `npm run bench`.
 *
 * usage: node bench/backfill/paired-runs.mjs ROUNDS CPU name=command ...
 *   (each command runs through sh; {out} becomes a fresh output path)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const [rounds, cpu, ...specs] = process.argv.slice(2);
const cands = specs.map((s) => {
  const i = s.indexOf('=');
  return { name: s.slice(0, i), cmd: s.slice(i + 1) };
});
const res = Object.fromEntries(cands.map((c) => [c.name, { cpu: [], wall: [], rss: [] }]));
function run(c, dir) {
  const tf = `${dir}/${c.name}.time`;
  const cmd = `/usr/bin/time -o ${tf} -f "%U %S %e %M" taskset -c ${cpu} ${c.cmd.replaceAll('{out}', `${dir}/${c.name}.out`)} > /dev/null 2>${dir}/${c.name}.err`;
  return new Promise((resolve) =>
    spawn('sh', ['-c', cmd], { stdio: 'ignore' }).on('close', (code) => {
      const [u, s, e, m] = readFileSync(tf, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      if (code !== 0) console.error(c.name, 'exit', code, readFileSync(`${dir}/${c.name}.err`, 'utf8').slice(0, 500));
      resolve({ cpu: u + s, wall: e, rss: m / 1024 });
    }),
  );
}
const med = (a) => {
  const b = [...a].sort((x, y) => x - y);
  const n = b.length;
  return n % 2 ? b[(n - 1) / 2] : (b[n / 2 - 1] + b[n / 2]) / 2;
};
for (let r = 0; r < Number(rounds); r++) {
  const dir = mkdtempSync(join(tmpdir(), 'alakai-paired-'));
  const order = r % 2 ? [...cands].reverse() : cands;
  const out = await Promise.all(order.map((c) => run(c, dir)));
  order.forEach((c, i) => {
    for (const k of ['cpu', 'wall', 'rss']) res[c.name][k].push(out[i][k]);
  });
  rmSync(dir, { recursive: true, force: true });
  const base = res[cands[0].name];
  console.log(
    `round ${r + 1}: ` +
      cands
        .map(
          (c) =>
            `${c.name} ${res[c.name].cpu[r].toFixed(2)}s cpu ${res[c.name].wall[r].toFixed(2)}s wall (×${(res[c.name].cpu[r] / base.cpu[r]).toFixed(3)} cpu)`,
        )
        .join(' | '),
  );
}
const base = res[cands[0].name];
for (const c of cands) {
  const x = res[c.name];
  const ratios = x.cpu.map((v, i) => v / base.cpu[i]);
  const wr = x.wall.map((v, i) => v / base.wall[i]);
  console.log(
    `${c.name}: cpu median ${med(x.cpu).toFixed(2)} s, wall median ${med(x.wall).toFixed(2)} s, rss max ${Math.max(...x.rss).toFixed(0)} MB; cpu ratio vs ${cands[0].name} median ${med(ratios).toFixed(3)} [${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}], wall ratio median ${med(wr).toFixed(3)} [${Math.min(...wr).toFixed(3)}–${Math.max(...wr).toFixed(3)}]`,
  );
}
