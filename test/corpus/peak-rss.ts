// Preloaded into a child (`bun --preload`): reports its own peak RSS in bytes on the last stderr line.
// Not rusage: Linux carries ru_maxrss over from the spawning parent, so it reads the parent's peak.
import { readFileSync, writeSync } from 'node:fs';

export const PEAK_RSS_MARK = 'nexus-corpus-peak-rss';

function peakRss(): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {}
  return process.resourceUsage().maxRSS * 1024;
}

process.on('exit', () => writeSync(2, `\n${PEAK_RSS_MARK} ${peakRss()}\n`));
