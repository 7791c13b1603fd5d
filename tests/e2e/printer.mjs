// A loopback ESC/POS network printer for the end-to-end tests: a TCP server on 127.0.0.1 that answers the
// status queries (`DLE EOT n`) a connection starts with — `0x12`, all is well — and records the rest of
// each connection as one job.

import { createServer } from 'node:net';

/**
 * A loopback ESC/POS printer: each connection's leading `DLE EOT n` queries are answered with 0x12 (ready),
 * and the rest of the connection, until the till closes it, is one job.
 */
export async function loopbackPrinter() {
  const jobs = [];
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    let head = Buffer.alloc(0);
    let job = null;
    socket.on('data', (chunk) => {
      if (job) {
        job.push(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      // Answer every whole status query at the front; wait for more bytes when one may be starting.
      while (head.length >= 3 && head[0] === 0x10 && head[1] === 0x04) {
        socket.write(Buffer.from([0x12]));
        head = head.subarray(3);
      }
      const maybeQuery = head.length === 0 || (head[0] === 0x10 && (head.length === 1 || head[1] === 0x04));
      if (!maybeQuery) {
        job = [head];
        head = Buffer.alloc(0);
      }
    });
    const finish = () => {
      if (job) {
        jobs.push(Buffer.concat(job));
        job = null;
      }
      sockets.delete(socket);
    };
    socket.on('end', () => {
      finish();
      socket.end();
    });
    socket.on('close', finish);
    socket.on('error', () => {});
  });
  const listen = (port) =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = server.address().port;
  return {
    port,
    jobs,
    /** Stops listening, as a printer switched off: connections are refused. */
    async close() {
      for (const s of sockets) s.destroy();
      if (server.listening) await new Promise((resolve) => server.close(resolve));
    },
    /** Listens again on the same port, as the printer switched back on. */
    reopen: () => listen(port),
  };
}

