// Parse each diagram text of a JSON list with the real Mermaid and write what it computed:
// gantt tasks (id, start, end, renderEndTime), flowchart vertices/edges/subgraphs, or the error.
//   node oracle.mjs in.json out.json      (run with TZ=UTC; `npm install` here first)
import { JSDOM } from 'jsdom';
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window; globalThis.document = dom.window.document;
try { globalThis.navigator = dom.window.navigator; } catch {}
globalThis.DOMParser = dom.window.DOMParser;
const { default: mermaid } = await import('mermaid');
import fs from 'fs';
const texts = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
mermaid.initialize({ startOnLoad: false, securityLevel: 'loose' });
const out = [];
for (const text of texts) {
  try {
    const d = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = d.db;
    if (db.getTasks) {
      out.push({tasks: db.getTasks().map(t => ({id: t.id, start: t.startTime, end: t.endTime, render: t.renderEndTime}))});
    } else {
      out.push({vertices: [...db.getVertices().entries()].map(([k,v]) => [k, v.text]), edges: db.getEdges().map(e => [e.start, e.end, e.text]), subgraphs: db.getSubGraphs().map(s => [s.id, s.title, s.nodes])});
    }
  } catch (e) { out.push({error: e.message.split('\n').slice(0,3).join(' | ')}); }
}
fs.writeFileSync(process.argv[3], JSON.stringify(out));
