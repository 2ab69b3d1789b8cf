// The netoops dashboard: hash routes (every page a permalink), each page built from the JSON API
// with DOM calls only. Nothing from the network is ever parsed as HTML: every string becomes a
// text node or a URL-encoded part of a "#/..." link.
const main = document.getElementById('main');
const live = document.getElementById('live');
const POLL_MS = 2000;
const DAY = 86400000;

// el('a', {href: '#/x', class: 'c'}, 'text', child...): an element; strings become text nodes.
function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const kid of kids.flat()) {
    if (kid === undefined || kid === null || kid === false) continue;
    e.append(kid instanceof Node ? kid : String(kid));
  }
  return e;
}

const link = (hash, ...kids) => el('a', { href: '#' + hash }, ...kids);
const enc = encodeURIComponent;
const groupLink = (id, text) => link(`/groups/${enc(id)}`, text ?? `group ${id}`);
const hostLink = (h) => link(`/hosts/${enc(h)}`, h);
const reportLink = (id, text) => link(`/reports/${enc(id)}`, text ?? `#${id}`);

function fmtTime(ms) {
  if (!ms) return '';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z';
}

function ago(ms) {
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 90) return `${Math.round(s)} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 129600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

const when = (ms) => el('span', { title: fmtTime(ms) }, ago(ms));

async function api(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `${r.status} ${r.statusText}`);
  return body;
}

function table(headers, rows, numeric = []) {
  return el('table', {},
    el('thead', {}, el('tr', {}, headers.map((h, i) =>
      el('th', { class: numeric.includes(i) ? 'num' : null }, h)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) =>
      el('td', { class: numeric.includes(i) ? 'num' : (i === 0 ? 'title' : null) }, c))))));
}

function fields(pairs) {
  return el('table', { class: 'fields' }, el('tbody', {}, pairs
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v)))));
}

// Crashes over time: one bar per bucket of /v1/timeline, an SVG built element by element.
function plot(t, label) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  const n = t.counts.length, max = Math.max(1, ...t.counts);
  const W = 1000, H = 120, top = 14, bottom = 16;
  const total = t.counts.reduce((a, b) => a + b, 0);
  const mk = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  svg.setAttribute('viewBox', `0 0 ${W} ${H + bottom}`);
  svg.setAttribute('class', 'plot');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${label}: ${total} in all`);
  t.counts.forEach((c, i) => {
    if (!c) return;
    const h = Math.max(1, (c / max) * (H - top));
    const bar = mk('rect', { class: 'bar', x: (i * W) / n, y: H - h, width: Math.max(1, W / n - 1),
      height: h });
    bar.append(mk('title', {}, `${fmtTime(t.from_ms + i * t.bucket_ms)}: ${c}`));
    svg.append(bar);
  });
  svg.append(mk('line', { x1: 0, y1: H, x2: W, y2: H, stroke: '#ccc' }));
  svg.append(mk('text', { x: 2, y: 10 }, `max ${max} per ${t.bucket_ms / 3600000} h`));
  svg.append(mk('text', { x: 2, y: H + 12 }, fmtTime(t.from_ms).slice(0, 10)));
  svg.append(mk('text', { x: W - 2, y: H + 12, 'text-anchor': 'end' }, fmtTime(t.until_ms).slice(0, 16)));
  return el('figure', { class: 'timeline' }, svg,
    el('figcaption', { class: 'muted' }, `${label}: ${total} crash dumps`));
}

const reportRows = (list) => list.map((d) => [
  reportLink(d.id, d.title), hostLink(d.host), d.reason, d.release,
  el('span', { class: d.complete ? 'tag ok' : 'tag bad' }, d.complete ? 'complete' : 'incomplete'),
  when(d.received_ms)]);
const reportHeaders = ['Title', 'Host', 'Reason', 'Kernel', 'Dump', 'Received'];

// ---- pages ---------------------------------------------------------------------------

const HEALTH = [
  ['Datagrams received', 'datagrams_received'], ['Malformed', 'malformed'],
  ['Socket overflow (kernel drops)', 'socket_overflow'], ['Over a reassembly limit', 'over_limit'],
  ['Shed under load', 'shed'], ['Dumps complete', 'dumps_complete'],
  ['Dumps incomplete', 'dumps_incomplete'], ['Dumps stored', 'stored'],
  ['Store errors', 'store_errors'], ['Analysis crashes', 'analysis_crashes'],
];

async function overview() {
  const [o, t, latest] = await Promise.all([api('/v1/overview'), api('/v1/timeline'),
    api('/v1/reports?limit=10')]);
  const c = o.collector.counters || {};
  document.title = 'netoops: overview';
  return [
    el('h1', {}, 'Overview'),
    el('div', { class: 'grid' },
      el('section', { class: 'card wide', id: 'crashes' }, el('h2', {}, 'Crashes, last 7 days'),
        plot(t, 'Last 7 days')),
      el('section', { class: 'card', id: 'new-groups' }, el('h2', {}, 'New groups'),
        el('p', { class: 'muted' }, `${o.recent.day} in the last day, ${o.recent.week} in the last week; `,
          `${o.recent.hosts_day} hosts sent dumps in the last day`),
        o.new_groups.length ? table(['Group', 'Reports', 'Hosts', 'First seen'],
          o.new_groups.map((g) => [groupLink(g.id, g.title), g.count, g.hosts, when(g.first_seen_ms)]),
          [1, 2]) : el('p', {}, 'No new group in the last day.')),
      el('section', { class: 'card', id: 'top-groups' }, el('h2', {}, 'Groups hitting most hosts'),
        table(['Group', 'Hosts', 'Reports', 'Last seen'], o.top_by_hosts.map((g) =>
          [groupLink(g.id, g.title), g.hosts, g.count, when(g.last_seen_ms)]), [1, 2])),
      el('section', { class: 'card', id: 'health' }, el('h2', {}, 'Collector health'),
        table(['Counter', 'Value'], HEALTH.map(([label, k]) => [label, c[k] ?? 0]), [1]),
        el('p', { class: 'muted' }, o.collector.updated_ms
          ? ['Saved ', when(o.collector.updated_ms), `; ${o.collector.stored.dumps} dumps, `,
            `${o.collector.stored.groups} groups in the database.`] : 'No counters saved yet.'))),
    el('h2', {}, 'Latest reports'),
    table(reportHeaders, reportRows(latest.slice().reverse())),
  ];
}

const SORTS = [['count', 'Reports'], ['hosts', 'Hosts'], ['first_seen', 'First seen'],
  ['last_seen', 'Last seen']];
const FILTERS = [['q', 'Title contains'], ['kernel', 'Kernel release'], ['reason', 'Reason'],
  ['since', 'Seen since (7d, 2026-11-30)'], ['until', 'Seen until'],
  ['min_count', 'At least N reports'], ['min_hosts', 'At least N hosts']];

function groupsHash(p) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) if (v) q.set(k, v);
  const s = q.toString();
  return '/groups' + (s ? '?' + s : '');
}

async function groups(params) {
  const p = Object.fromEntries(['sort', 'order', 'cursor', 'limit', ...FILTERS.map((f) => f[0])]
    .map((k) => [k, params.get(k) || '']));
  const query = new URLSearchParams(Object.entries(p).filter(([, v]) => v));
  const r = await api('/v1/groups/search?' + query);
  const sort = p.sort || 'count', asc = p.order === 'asc';
  const form = el('form', { class: 'filters', id: 'filters', onsubmit: (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    location.hash = groupsHash({ sort: p.sort, order: p.order, limit: p.limit,
      ...Object.fromEntries(FILTERS.map(([k]) => [k, f.get(k).trim()])) });
  } }, FILTERS.map(([k, label]) => el('label', {}, label,
    el('input', { name: k, value: p[k], size: k === 'q' ? 24 : k.startsWith('min_') ? 6 : 12 }))),
  el('button', { type: 'submit' }, 'Filter'),
  link('/groups', 'Clear'));
  const head = (key, label) => {
    const on = sort === key;
    return el('a', { class: on ? (asc ? 'sorted asc' : 'sorted') : null, href: '#' + groupsHash({
      ...p, cursor: '', sort: key, order: on && !asc ? 'asc' : '' }) }, label);
  };
  document.title = 'netoops: groups';
  return [
    el('h1', {}, 'Groups'), form,
    el('p', { class: 'muted', id: 'total' }, `${r.total} groups match.`),
    el('table', { id: 'groups' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Title'),
        SORTS.map(([k, l]) => el('th', { class: k === 'count' || k === 'hosts' ? 'num' : null }, head(k, l))))),
      el('tbody', {}, r.groups.map((g) => el('tr', {},
        el('td', { class: 'title' }, groupLink(g.id, g.title)), el('td', { class: 'num' }, g.count),
        el('td', { class: 'num' }, g.hosts), el('td', {}, when(g.first_seen_ms)),
        el('td', {}, when(g.last_seen_ms)))))),
    el('div', { class: 'pager' },
      p.cursor ? link(groupsHash({ ...p, cursor: '' }), '« First page') : null,
      r.next ? el('a', { id: 'next-page', href: '#' + groupsHash({ ...p, cursor: r.next }) },
        'Next page »') : el('span', { class: 'muted' }, 'Last page.')),
  ];
}

function pager(base, page) {
  return el('div', { class: 'pager' },
    page.next ? el('a', { class: 'older', href: `#${base}?before=${enc(page.next)}` }, 'Older »')
      : el('span', { class: 'muted' }, 'No older reports.'));
}

async function group(id, params) {
  const before = params.get('before');
  const [g, page, t] = await Promise.all([api(`/v1/groups/${enc(id)}`),
    api(`/v1/groups/${enc(id)}/reports?limit=25${before ? '&before=' + enc(before) : ''}`),
    api(`/v1/timeline?group=${enc(id)}&since=30d`)]);
  document.title = `netoops: ${g.title}`;
  return [
    el('h1', { id: 'group-title' }, g.title),
    fields([['Group', String(g.id)], ['Signature', el('code', {}, g.signature)],
      ['Signature version', g.signature_version], ['Type', g.type],
      ['Reports', String(g.count)], ['Hosts', String(g.hosts)],
      ['First seen', [fmtTime(g.first_seen_ms), ' (', when(g.first_seen_ms), ')']],
      ['Last seen', [fmtTime(g.last_seen_ms), ' (', when(g.last_seen_ms), ')']],
      ['Kernels', g.kernels.map((k) => el('span', { class: 'tag' }, k))],
      ['Representative report', g.latest_dump ? reportLink(g.latest_dump, `the latest, #${g.latest_dump}`) : null]]),
    el('h2', {}, 'Crashes, last 30 days'), plot(t, 'Last 30 days'),
    el('h2', {}, 'Hosts it hit most'),
    table(['Host', 'Dumps', 'Last'], g.top_hosts.map((h) => [hostLink(h.host), h.dumps, when(h.last_ms)]), [1]),
    el('h2', {}, 'Reports'),
    el('div', { id: 'group-reports' }, table(reportHeaders, reportRows(page.reports))),
    pager(`/groups/${enc(id)}`, page),
  ];
}

// The frame as the kernel prints it, with file:line when symbolized.
function frameText(f) {
  let s = `${f.reliable ? '' : '? '}${f.func}+0x${(f.offset || 0).toString(16)}/0x${(f.size || 0).toString(16)}`;
  if (f.module) s += ` [${f.module}]`;
  return s;
}

function trace(frames) {
  return el('ol', { class: 'trace' }, frames.map((f) => el('li', {}, el('code', {}, frameText(f)),
    f.file ? el('span', { class: 'muted' }, `  ${f.file}${f.line ? ':' + f.line : ''}`) : null,
    f.section && f.section !== 'TASK' ? el('span', { class: 'tag' }, f.section) : null)));
}

// The dump's text: the crash itself (bytes START..END) highlighted, the backlog before it folded.
function dumpText(bytes, start, end) {
  const dec = new TextDecoder('utf-8');
  const part = (a, b) => dec.decode(bytes.subarray(a, b));
  const before = part(0, start), crash = part(start, end), after = part(end, bytes.length);
  const lines = (s) => (s.match(/\n/g) || []).length;
  return el('div', { id: 'dump-text' },
    before ? el('details', { id: 'backlog' }, el('summary', {}, `${lines(before)} earlier log lines (the backlog before the crash)`),
      el('pre', { class: 'dump' }, before)) : null,
    el('pre', { class: 'dump' }, el('mark', { id: 'crash' }, crash)),
    after.trim() ? el('details', { open: lines(after) <= 20 ? '' : null },
      el('summary', {}, `${lines(after)} later lines`), el('pre', { class: 'dump' }, after)) : null);
}

async function report(id) {
  const [d, raw] = await Promise.all([api(`/v1/reports/${enc(id)}`),
    fetch(`/v1/reports/${enc(id)}/text`).then((r) => r.arrayBuffer())]);
  const bytes = new Uint8Array(raw);
  const primary = d.reports.find((r) => r.is_primary) || d.reports[0];
  document.title = `netoops: ${d.title}`;
  const out = [
    el('h1', { id: 'report-title' }, d.title),
    el('p', {}, el('span', { class: d.complete ? 'tag ok' : 'tag bad' }, d.complete ? 'complete' : 'incomplete'),
      el('span', { class: d.analysis === 'ok' ? 'tag ok' : 'tag bad' }, `analysis ${d.analysis}`),
      el('a', { id: 'raw', href: `/v1/reports/${enc(id)}/text`, download: `netoops-${id}.txt` }, 'raw text'),
      primary && primary.group_id ? [' · ', groupLink(primary.group_id, 'its group')] : null,
      ' · ', link(`/hosts/${enc(d.host)}`, 'its host')),
    fields([['Dump', String(d.id)], ['Host', hostLink(d.host)], ['Source', d.source],
      ['Reason', d.reason], ['Kernel release', d.release], ['Format', d.format],
      ['Received', fmtTime(d.received_ms)], ['Dump time (sender)', d.dump_time],
      ['Boot', d.boot], ['Parts', `${d.parts_received} of ${d.parts}`],
      ['Missing', d.missing && d.missing.length ? JSON.stringify(d.missing) : null],
      ['Analysis error', d.analysis_error], ['Text', `${d.text_len} bytes`]]),
  ];
  for (const r of d.reports) {
    out.push(el('section', { class: 'report', id: `report-${r.seq}` },
      el('h2', {}, r.seq === 0 ? 'Crash report' : `Report ${r.seq}`, ': ', r.title),
      fields([['Class', r.class], ['Type', r.type], ['Kernel', r.kernel], ['Taint', r.taint],
        ['CPU', r.cpu], ['PID', r.pid], ['Command', r.comm], ['Hardware', r.hardware],
        ['RIP', r.rip], ['Panic message', r.panic_msg], ['Also known as', r.alt_title],
        ['Signature', r.signature ? el('code', {}, r.signature) : null],
        ['Group', r.group_id ? groupLink(r.group_id, `group ${r.group_id} (${r.group_count} reports)`) : null],
        ['Corrupted', r.corrupted ? 'yes' : null]]),
      r.frames && r.frames.length ? [el('h2', {}, 'Call trace'), trace(r.frames)] : null));
  }
  out.push(el('h2', {}, 'Kernel log'),
    dumpText(bytes, primary ? primary.text_start : 0, primary ? primary.text_end : bytes.length));
  return out;
}

async function host(name, params) {
  const before = params.get('before');
  const q = `name=${enc(name)}`;
  const [h, page, t] = await Promise.all([api(`/v1/host?${q}`),
    api(`/v1/host/reports?${q}&limit=25${before ? '&before=' + enc(before) : ''}`),
    api(`/v1/timeline?${q}&since=30d`)]);
  document.title = `netoops: ${h.host}`;
  return [
    el('h1', { id: 'host-name' }, h.host),
    fields([['Dumps', String(h.dumps)], ['Crash dumps', String(h.crashes)],
      ['First heard from', fmtTime(h.first_ms)],
      ['Last heard from', [fmtTime(h.last_ms), ' (', when(h.last_ms), ')']]]),
    el('h2', {}, 'Crashes, last 30 days'), plot(t, 'Last 30 days'),
    el('h2', {}, 'Kernels it ran'),
    table(['Release', 'Dumps', 'Last'], h.kernels.map((k) => [k.release, k.dumps, when(k.last_ms)]), [1]),
    el('h2', {}, 'Its groups'),
    table(['Group', 'Here', 'Everywhere'], h.groups.map((g) => [groupLink(g.id, g.title), g.here, g.count]), [1, 2]),
    el('h2', {}, 'Reports'), table(reportHeaders, reportRows(page.reports)),
    pager(`/hosts/${enc(name)}`, page),
  ];
}

// ---- routing and live updates ------------------------------------------------------------

const routes = [
  [/^\/?$/, () => overview()],
  [/^\/groups$/, (m, p) => groups(p)],
  [/^\/groups\/(\d+)$/, (m, p) => group(m[1], p)],
  [/^\/reports\/(\d+)$/, (m) => report(m[1])],
  [/^\/hosts\/(.+)$/, (m, p) => host(decodeURIComponent(m[1]), p)],
];

let rendering = 0;

async function render(quiet) {
  const token = ++rendering;
  const h = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = h.split('?');
  const params = new URLSearchParams(qs || '');
  let content;
  try {
    const r = routes.find(([re]) => re.test(path));
    content = r ? await r[1](path.match(r[0]), params) : [el('h1', {}, 'Not found'),
      el('p', {}, 'No such page: ', link('/', 'the overview'))];
  } catch (e) {
    content = [el('p', { class: 'error', id: 'error' }, `Cannot show this page: ${e.message}`)];
  }
  if (token !== rendering) return;
  const y = window.scrollY;
  main.replaceChildren(...[content].flat(2));
  main.dataset.ready = String(token);
  if (quiet) window.scrollTo(0, y);
}

let newest = null;

// New reports: the newest id is polled; a new one re-renders the page (unless typing in it).
async function poll() {
  try {
    const l = await api('/v1/reports?limit=1');
    const id = l.length ? l[l.length - 1].id : 0;
    if (newest !== null && id > newest) {
      live.textContent = `${id - newest} new`;
      live.classList.add('fresh');
      setTimeout(() => { live.textContent = 'live'; live.classList.remove('fresh'); }, 5000);
      if (!document.activeElement || document.activeElement.tagName !== 'INPUT') render(true);
    }
    newest = id;
    live.title = `newest report #${id}; checked ${fmtTime(Date.now())}`;
  } catch (e) {
    live.textContent = 'offline';
  }
}

window.addEventListener('hashchange', () => { render(false); window.scrollTo(0, 0); });
render(false);
poll();
setInterval(poll, POLL_MS);
