import { expect, test } from 'bun:test';
import { resolve } from 'node:path';
import { parseBuildArgs } from '../../../scripts/build.ts';
import type { NexusError } from '../../../src/errors.ts';

test('build targets linux-x64 into dist/nexus by default and arm64 into its own file when asked', () => {
  const dist = resolve('dist');
  expect([
    parseBuildArgs([]),
    parseBuildArgs(['--arm64']),
    parseBuildArgs(['--target', 'linux-arm64']),
    parseBuildArgs(['--target=bun-linux-x64', '--outdir', '/tmp/o']),
    parseBuildArgs(['--target', 'linux-amd64', '--outfile', '/tmp/x/nexus']),
  ]).toEqual([
    { target: 'bun-linux-x64', outdir: dist, outfile: `${dist}/nexus` },
    { target: 'bun-linux-arm64', outdir: dist, outfile: `${dist}/nexus-linux-arm64` },
    { target: 'bun-linux-arm64', outdir: dist, outfile: `${dist}/nexus-linux-arm64` },
    { target: 'bun-linux-x64', outdir: '/tmp/o', outfile: '/tmp/o/nexus' },
    { target: 'bun-linux-x64', outdir: dist, outfile: '/tmp/x/nexus' },
  ]);
});

test('an unknown build target or argument is refused', () => {
  const code = (argv: string[]) => {
    try {
      parseBuildArgs(argv);
    } catch (e) {
      return (e as NexusError).code;
    }
  };
  expect([code(['--target', 'windows-x64']), code(['--fast'])]).toEqual(['INVALID_INPUT', 'INVALID_INPUT']);
});
