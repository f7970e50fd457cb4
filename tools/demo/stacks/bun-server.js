// The Bun benchmark server: Bun.serve with reusePort, so that several of these processes share
// the port and the kernel spreads connections among them (SO_REUSEPORT); each accepts its own.
// Usage: bun bun-server.js [PORT] (or env PORT). Prints "ready PID PORT" once it listens.
const port = Number(process.argv[2] || process.env.PORT || 3000);
const body = JSON.stringify({ message: 'Hello, World!' });
const headers = { 'Content-Type': 'application/json' };

const server = Bun.serve({
  port,
  hostname: '127.0.0.1',
  reusePort: true,
  fetch(req) {
    if (new URL(req.url).pathname === '/json') return new Response(body, { headers });
    return new Response(null, { status: 404 });
  },
});
console.log(`ready ${process.pid} ${server.port}`);
