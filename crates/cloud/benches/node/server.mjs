// The peer of the cloud's WebSocket fan-out bench (crates/cloud/benches/cloud.rs): a Node `ws` server
// doing the hub's job without its database. A client's first message must authenticate; a publisher's
// events are broadcast, each as one text message, to every authenticated client. It prints its address.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 });
const clients = new Set();

wss.on('connection', (ws) => {
  let authenticated = false;
  ws.on('message', (data) => {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      ws.close(4400);
      return;
    }
    if (!authenticated) {
      if (message.type === 'authenticate' && typeof message.token === 'string') {
        authenticated = true;
        clients.add(ws);
        ws.send(JSON.stringify({ type: 'authenticated', latest: 0 }));
      } else {
        ws.close(4401);
      }
      return;
    }
    if (message.type === 'publish') {
      for (const event of message.events) {
        const text = JSON.stringify({ type: 'event', seq: event.seq, topic: event.topic, data: event.data });
        for (const client of clients) client.send(text);
      }
    } else if (message.type === 'heartbeat') {
      ws.send('{"type":"heartbeat"}');
    }
  });
  ws.on('close', () => clients.delete(ws));
});

wss.on('listening', () => console.log(`listening on http://127.0.0.1:${wss.address().port}`));
