// The far side of the runner tick bench, in its own process, as on AWS where DynamoDB and the
// checked services are elsewhere: dynalite (in memory) and `targets` HTTP servers on loopback
// that answer 200 `{"status":"UP"}` after `delayMs`. Prints one JSON line with the addresses,
// then counts target hits until stdin closes, and prints `{"hits": N}` before it exits. A `cpu`
// line on stdin is answered with `{"cpuMs": N}`, the CPU this process has used so far.
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import dynalite from 'dynalite';

const [targets = '4', delayMs = '100'] = process.argv.slice(2);

const listen = (server) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });

let hits = 0;
const store = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const servers = Array.from({ length: Number(targets) }, () =>
  createServer((request, response) => {
    request.resume();
    hits++;
    setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"UP"}'), Number(delayMs));
  }),
);
const endpoint = await listen(store);
const urls = await Promise.all(servers.map(listen));
process.stdout.write(`${JSON.stringify({ endpoint, targets: urls })}\n`);
const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  if (line.trim() !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuMs: (user + system) / 1000 })}\n`);
});
commands.on('close', () => {
  process.stdout.write(`${JSON.stringify({ hits })}\n`);
  process.exit(0);
});
