// A small stand-in for the systems the example tools in tools/ talk to: an issue tracker (Jira-like),
// a CRM and an internal inventory service. In-memory, loopback only. Used by `npm run demo` and tests.
type Issue = { key: string; fields: { summary: string; status: { name: string }; assignee: string | null; description?: string } };

export function startDemoBackend(port = Number(process.env.NEXUS_DEMO_PORT ?? 8090)) {
  const issues = new Map<string, Issue>([
    ['PROJ-1', { key: 'PROJ-1', fields: { summary: 'Login page times out', status: { name: 'In Progress' }, assignee: 'ana' } }],
    ['PROJ-2', { key: 'PROJ-2', fields: { summary: 'Export to CSV drops accents', status: { name: 'To Do' }, assignee: null } }],
  ]);
  const contacts = [
    { id: 'c-100', name: 'Ada Lovelace', email: 'ada@example.com', account: 'a-1' },
    { id: 'c-101', name: 'Grace Hopper', email: 'grace@example.com', account: 'a-2' },
  ];
  const accounts: Record<string, unknown> = {
    'a-1': { id: 'a-1', name: 'Analytical Engines Ltd', tier: 'gold', arr: 120000 },
    'a-2': { id: 'a-2', name: 'Compilers Inc', tier: 'silver', arr: 48000 },
  };
  let next = 3;
  return Bun.serve({
    port,
    hostname: '127.0.0.1',
    async fetch(req) {
      const url = new URL(req.url);
      const p = url.pathname;
      let m: RegExpMatchArray | null;
      if ((m = p.match(/^\/jira\/rest\/api\/3\/issue\/([^/]+)$/)) && req.method === 'GET') {
        const issue = issues.get(decodeURIComponent(m[1]!));
        return issue ? Response.json(issue) : Response.json({ errorMessages: ['Issue does not exist'] }, { status: 404 });
      }
      if (p === '/jira/rest/api/3/search' && req.method === 'GET') {
        const jql = (url.searchParams.get('jql') ?? '').toLowerCase();
        const max = Number(url.searchParams.get('maxResults') ?? 50);
        const found = [...issues.values()].filter(
          (i) =>
            !jql ||
            JSON.stringify(i)
              .toLowerCase()
              .includes(jql.replace(/^text ~ /, '').replace(/"/g, '')),
        );
        return Response.json({ total: found.length, issues: found.slice(0, max) });
      }
      if (p === '/jira/rest/api/3/issue' && req.method === 'POST') {
        const body = (await req.json()) as { fields?: { summary?: string; description?: string; project?: { key?: string } } };
        if (!body.fields?.summary) return Response.json({ errors: { summary: 'required' } }, { status: 400 });
        const key = `${body.fields.project?.key ?? 'PROJ'}-${next++}`;
        issues.set(key, {
          key,
          fields: { summary: body.fields.summary, description: body.fields.description, status: { name: 'To Do' }, assignee: null },
        });
        return Response.json({ key, self: `${url.origin}/jira/rest/api/3/issue/${key}` }, { status: 201 });
      }
      if (p === '/crm/v1/contacts' && req.method === 'GET') {
        const q = (url.searchParams.get('q') ?? '').toLowerCase();
        return Response.json({ contacts: contacts.filter((c) => !q || c.name.toLowerCase().includes(q) || c.email.includes(q)) });
      }
      if ((m = p.match(/^\/crm\/v1\/accounts\/([^/]+)$/)) && req.method === 'GET') {
        const a = accounts[decodeURIComponent(m[1]!)];
        return a ? Response.json(a) : Response.json({ error: 'account not found' }, { status: 404 });
      }
      if ((m = p.match(/^\/crm\/v1\/contacts\/([^/]+)$/)) && req.method === 'PATCH') {
        const c = contacts.find((x) => x.id === decodeURIComponent(m![1]!));
        if (!c) return Response.json({ error: 'contact not found' }, { status: 404 });
        Object.assign(c, await req.json());
        return Response.json(c);
      }
      if ((m = p.match(/^\/inventory\/stock\/([^/]+)$/)) && req.method === 'GET') {
        const sku = decodeURIComponent(m[1]!);
        if (sku === 'BOOM') return new Response('inventory database unavailable', { status: 500 });
        return Response.json({ sku, warehouse: url.searchParams.get('warehouse') ?? 'all', available: sku.length * 7, reserved: 2 });
      }
      if (p === '/inventory/health') return new Response('ok', { headers: { 'content-type': 'text/plain' } });
      return Response.json({ error: 'not found', path: p }, { status: 404 });
    },
  });
}

if (import.meta.main) {
  const s = startDemoBackend();
  console.error(`demo backend on http://127.0.0.1:${s.port} (issue tracker /jira, CRM /crm, inventory /inventory)`);
}
