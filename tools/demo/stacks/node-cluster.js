// The Node.js benchmark server as a cluster: the primary forks WORKERS workers and does nothing
// else; each worker runs http.createServer. With round-robin scheduling (Node's default on Linux,
// set here so that NODE_CLUSTER_SCHED_POLICY cannot change it) the primary owns the listening
// socket, accepts every connection and hands it to a worker over the IPC channel.
// Usage: node node-cluster.js [PORT [WORKERS]] (or env PORT, WORKERS; default 2 workers).
// Prints "ready PID PORT" (the primary's PID) once every worker listens.
'use strict';
const cluster = require('node:cluster');
const http = require('node:http');

const port = Number(process.argv[2] || process.env.PORT || 3000);
const workers = Number(process.argv[3] || process.env.WORKERS || 2);
const body = JSON.stringify({ message: 'Hello, World!' });

if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  let listening = 0;
  let stopping = false;
  cluster.on('listening', () => {
    if (++listening === workers) console.log(`ready ${process.pid} ${port}`);
  });
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      console.error(`worker ${worker.process.pid} exited (${signal || code})`);
      process.exitCode = 1;
    }
    if (Object.keys(cluster.workers).length === 0) process.exit();
  });
  const stop = () => {
    stopping = true;
    for (const id in cluster.workers) cluster.workers[id].process.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  http
    .createServer((req, res) => {
      if (req.url === '/json') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
        res.end(body);
      } else {
        res.writeHead(404);
        res.end();
      }
    })
    .listen(port, '127.0.0.1');
}
