/**
 * The nifty useless model as a web service: GET / answers with a prediction in JSON. It listens
 * on port 3000 inside its container; the compose file decides where the host publishes it.
 */
import { createServer } from 'node:http';

const server = createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ model: 'nifty-useless', prediction: '1 + 1 = 2' }) + '\n');
});
server.listen(3000, () => console.log('the model answers on port 3000'));

// Stop at once when Docker asks (docker compose stop or down sends SIGTERM).
process.on('SIGTERM', () => server.close(() => process.exit(0)));
