// A fast upstream for bench_proxy.py, so that the proxy rather than the upstream limits the figures.
//   GET /tile           20 kB with ETag and Cache-Control; 304 when If-None-Match matches
//   GET /bytes?size=N   N bytes streamed, with Content-Length
//   PUT/POST /sink      reads and counts the body
//   GET /stats          {"connections": accepted TCP connections so far}
// Prints "LISTENING <port>" once it accepts connections.
import http from 'node:http';

const TILE = Buffer.alloc(20 * 1024, 7);
const ETAG = '"bench-tile"';
const BLOCK = Buffer.alloc(256 * 1024, 3);
let connections = 0;

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/tile') {
    const headers = { ETag: ETAG, 'Cache-Control': 'public, max-age=3600', 'Content-Type': 'image/png' };
    if (req.headers['if-none-match'] === ETAG) {
      res.writeHead(304, headers).end();
    } else {
      res.writeHead(200, { ...headers, 'Content-Length': TILE.length }).end(TILE);
    }
  } else if (url.pathname === '/bytes') {
    let left = Number(url.searchParams.get('size') || 0);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': left });
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, BLOCK.length);
        left -= n;
        if (!res.write(n === BLOCK.length ? BLOCK : BLOCK.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
  } else if (url.pathname === '/sink') {
    let received = 0;
    req.on('data', chunk => (received += chunk.length));
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ received })));
  } else if (url.pathname === '/stats') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ connections }));
  } else {
    res.writeHead(404).end();
  }
});
server.on('connection', () => (connections += 1));
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
