/**
 * `npm start`: the API on http://127.0.0.1:8000 (PORT, HOST to change), backed by DynamoDB Local
 * (or DYNAMODB_ENDPOINT), serving the same handler functions Lambda runs.
 */
import { prepareLocalEnvironment } from './local/environment';
import { loadSettings } from '../shared/settings';
import { createLocalServer } from './local/server';
import { ROUTES } from './routes';

function port(raw: string | undefined): number {
  const value = Number(raw ?? 8000);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`PORT must be a port number, not "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const listenPort = port(process.env.PORT);
  const host = process.env.HOST || '127.0.0.1';
  const local = await prepareLocalEnvironment();
  const allowedOrigins = loadSettings().corsAllowedOrigins;
  const server = createLocalServer({ allowedOrigins });

  const stop = () => {
    server.close();
    server.closeAllConnections();
    local.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  server.on('error', (error: NodeJS.ErrnoException) => {
    console.error(error.code === 'EADDRINUSE' ? `Error: port ${listenPort} is in use; set PORT to another one.` : `Error: ${error.message}`);
    local.close();
    process.exit(1);
  });
  server.listen(listenPort, host, () => {
    const { port: actual } = server.address() as { port: number };
    // The discovery document's issuer: this server, unless ISSUER or API_URL says otherwise.
    process.env.API_URL ||= `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
    const source = { DYNAMODB_ENDPOINT: 'DynamoDB from DYNAMODB_ENDPOINT', local: 'DynamoDB Local' }[local.dynamodbSource];
    console.log(`Serving the auth API on http://${host}:${actual} (${source} at ${local.dynamodbEndpoint}; data in ${local.dataDir})`);
    for (const route of ROUTES) console.log(`  ${route.name.padEnd(8)} ${route.path}`);
    if (allowedOrigins.length > 0) console.log(`  CORS allowed for ${allowedOrigins.join(', ')}`);
  });
}

main().catch((error: Error) => {
  console.error(`Error: ${error.message}`);
  process.exit(1);
});
