// The Node.js benchmark server as one process: http.createServer on one event loop.
// Usage: node node-single.js [PORT] (or env PORT). Prints "ready PID PORT" once it listens.
'use strict';
const http = require('node:http');

const port = Number(process.argv[2] || process.env.PORT || 3000);
const body = JSON.stringify({ message: 'Hello, World!' });

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
  .listen(port, '127.0.0.1', () => console.log(`ready ${process.pid} ${port}`));
