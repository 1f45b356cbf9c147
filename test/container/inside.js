// Runs inside the container as the image's runtime user (`BUN_BE_BUN=1 nexus -e "$(cat inside.js)"`):
// which user pid 1 is, every path that user may write, what real write attempts do, the data files' modes.
const fs = require('node:fs');
const DATA = process.env.NEXUS_DATA_DIR || '/var/lib/nexus';
const ids = (re) => Number(fs.readFileSync('/proc/1/status', 'utf8').match(re)[1]);
const skip = new Set(['/proc', '/sys', '/dev']);
const writable = [];
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir === '/' ? '' : dir}/${e.name}`;
    if (skip.has(p) || e.isSymbolicLink()) continue;
    try {
      fs.accessSync(p, fs.constants.W_OK);
      writable.push(p);
    } catch {}
    if (e.isDirectory()) {
      try {
        walk(p);
      } catch {}
    }
  }
};
walk('/');
const attempt = (path, flag) => {
  try {
    fs.closeSync(fs.openSync(path, flag));
    return 'written';
  } catch (e) {
    return e.code;
  }
};
const attempts = {
  '/etc/passwd': attempt('/etc/passwd', 'a'),
  '/etc/nexus/new.yaml': attempt('/etc/nexus/new.yaml', 'w'),
  '/etc/nexus/schema/x.json': attempt('/etc/nexus/schema/x.json', 'w'),
  '/usr/local/bin/nexus': attempt('/usr/local/bin/nexus', 'r+'),
  '/var/lib/other': attempt('/var/lib/other', 'w'),
  [`${DATA}/probe`]: attempt(`${DATA}/probe`, 'w'),
};
fs.rmSync(`${DATA}/probe`, { force: true });
const mode = (p) => (fs.statSync(p).mode & 0o777).toString(8);
const dataFiles = Object.fromEntries(fs.readdirSync(DATA).map((n) => [n, mode(`${DATA}/${n}`)]));
console.log(
  JSON.stringify({
    uid: ids(/^Uid:\s+(\d+)/m),
    gid: ids(/^Gid:\s+(\d+)/m),
    writableOutsideData: writable.filter((p) => p !== DATA && !p.startsWith(`${DATA}/`) && !['/tmp', '/home/nonroot'].includes(p)),
    attempts,
    dataDir: mode(DATA),
    dataFiles,
  }),
);
