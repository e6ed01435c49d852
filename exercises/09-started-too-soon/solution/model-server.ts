/**
 * The model server: it takes a few seconds to load its model, and only then listens on port 3000,
 * where GET /predict answers with a prediction and GET /health with "ok".
 */
import { createServer } from 'node:http';

// Stop at once when Docker asks (docker compose stop or down sends SIGTERM), even while loading.
process.on('SIGTERM', () => process.exit(0));

const loadSeconds = 3;
console.log(`loading the model (${loadSeconds} s)`);
await new Promise((resolve) => setTimeout(resolve, loadSeconds * 1000));

const server = createServer((request, response) => {
  if (request.url === '/predict') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ prediction: '1 + 1 = 2' }) + '\n');
  } else if (request.url === '/health') {
    response.end('ok\n');
  } else {
    response.writeHead(404).end();
  }
});
server.listen(3000, () => console.log('model loaded: answering on port 3000'));
