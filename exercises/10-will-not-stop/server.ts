/**
 * The nifty useless model as a web service on port 3000. On SIGTERM, the signal with which
 * `docker stop` and `docker compose stop` ask a container's main process to end, it finishes the
 * requests under way and exits.
 */
import { createServer } from 'node:http';

const server = createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ model: 'nifty-useless', prediction: '1 + 1 = 2' }) + '\n');
});
server.listen(3000, () => console.log('the model answers on port 3000'));

process.on('SIGTERM', () => {
  console.log('SIGTERM received: closing the server');
  server.close(() => process.exit(0));
});
