// The demo's Node.js server: GET /json answered with a JSON body, either by one process or by a
// cluster whose master accepts every connection and hands it to a worker (Node's default
// round-robin scheduling). Usage: node cluster.js PORT [WORKERS]; prints "ready PID PORT".
'use strict';
const cluster = require('node:cluster');
const http = require('node:http');

const port = Number(process.argv[2] || 0);
const workers = Number(process.argv[3] || 0);
const body = JSON.stringify({ message: 'Hello, World!' });

function serve() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  });
  server.listen(port, '127.0.0.1', () => {
    if (!workers) console.log(`ready ${process.pid} ${server.address().port}`);
    else process.send({ port: server.address().port });
  });
}

if (workers && cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  let listening = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('message', (m) => {
      if (++listening === workers) console.log(`ready ${process.pid} ${m.port}`);
    });
  }
  process.on('SIGTERM', () => {
    for (const id in cluster.workers) cluster.workers[id].kill();
    process.exit(0);
  });
} else {
  serve();
}
