/**
 * Preloaded (`node --import`) into every measured child process: at exit it writes the process's
 * own resource usage (peak RSS, CPU time) to the file named by ALAKAI_BENCH_USAGE_FILE. Works the
 * same on every machine, with or without GNU time, and sees the child only (not npm or a shell).
 */
import { writeFileSync } from 'node:fs';

const target = process.env['ALAKAI_BENCH_USAGE_FILE'];
if (target) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    // maxRSS is in kilobytes; CPU times are in microseconds.
    writeFileSync(target, JSON.stringify({ maxRssKb: u.maxRSS, userUs: u.userCPUTime, systemUs: u.systemCPUTime }));
  });
}
