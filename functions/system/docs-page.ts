/**
 * A readable API reference rendered on the server from the OpenAPI document: plain HTML with no
 * scripts or outside assets, so it works offline, behind strict CSPs, and in a small bundle.
 */

type Json = Record<string, unknown>;

const escapeHtml = (value: unknown) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function schemaBlock(schema: unknown): string {
  return schema ? `<pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>` : '';
}

export function renderReference(document: Json): string {
  const info = document.info as Json;
  const paths = (document.paths ?? {}) as Record<string, Record<string, Json>>;
  const components = ((document.components as Json | undefined)?.schemas ?? {}) as Record<string, unknown>;
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = ((op.tags as string[] | undefined) ?? ['Other'])[0] as string;
      const params = ((op.parameters as Json[] | undefined) ?? [])
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td>${escapeHtml(p.description)}</td></tr>`,
        )
        .join('');
      const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
      const responses = Object.entries((op.responses ?? {}) as Record<string, Json>)
        .map(([status, response]) => `<li><strong>${escapeHtml(status)}</strong> ${escapeHtml(response.description)}</li>`)
        .join('');
      const html = `<section id="${escapeHtml(op.operationId)}">
  <h3><span class="m ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>
  <p><strong>${escapeHtml(op.summary)}</strong>${(op.security as unknown[] | undefined)?.length === 0 ? ' <em>(public)</em>' : ''}</p>
  ${op.description ? `<p>${escapeHtml(op.description)}</p>` : ''}
  ${params ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th></th></tr>${params}</table>` : ''}
  ${body ? `<details><summary>Request body</summary>${schemaBlock(Object.values(body)[0]?.schema)}</details>` : ''}
  <ul>${responses}</ul>
</section>`;
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const sections = [...byTag.entries()].map(([tag, ops]) => `<h2>${escapeHtml(tag)}</h2>${ops.join('\n')}`).join('\n');
  const schemas = Object.entries(components)
    .map(
      ([name, schema]) =>
        `<details id="schema-${escapeHtml(name)}"><summary><code>${escapeHtml(name)}</code></summary>${schemaBlock(schema)}</details>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title)} API reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
code,pre{font-family:ui-monospace,monospace}pre{background:#f4f5f7;padding:.75rem;overflow:auto}
section{border-top:1px solid #ddd;padding:.5rem 0}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
.m{display:inline-block;min-width:4.5rem;font-size:.8rem;padding:.1rem .4rem;border-radius:3px;color:#fff;background:#555}
.get{background:#2f6f3e}.post{background:#1f5fa8}.patch,.put{background:#8a5a00}.delete{background:#a8261f}</style></head>
<body><h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1><p>${escapeHtml(info.description)}</p>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
${sections}
<h2>Schemas</h2>${schemas}
</body></html>`;
}
