/**
 * `npm start [-- [HOST:]PORT]`: the API on http://127.0.0.1:8000 (as Django's runserver takes its address;
 * or HOST and PORT), backed by DynamoDB Local (or DYNAMODB_ENDPOINT), serving the same handler functions
 * Lambda runs. It stops with whatever started it (local/lifecycle.ts).
 */
import { loadSettings, SettingsError } from '../shared/settings';
import { prepareLocalEnvironment } from './local/environment';
import { listenAddress } from './local/address';
import { stopWithStarter } from './local/lifecycle';
import { createLocalServer } from './local/server';
import { ROUTE_KEYS } from './routes';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.length > 1) throw new SettingsError('npm start takes at most one address: npm start -- [HOST:]PORT');
  const { host, port } = listenAddress(args[0], process.env);
  const local = await prepareLocalEnvironment();
  const { corsAllowedOrigins: allowedOrigins, accounts, authCookie } = loadSettings();
  const server = createLocalServer({ allowedOrigins });

  stopWithStarter(() => {
    server.close();
    server.closeAllConnections();
    local.close();
    process.exit(0);
  });

  server.on('error', (error: NodeJS.ErrnoException) => {
    console.error(error.code === 'EADDRINUSE' ? `Error: port ${port} is in use; give another: npm start -- ${port + 1}` : `Error: ${error.message}`);
    local.close();
    process.exit(1);
  });
  server.listen(port, host, async () => {
    const { port: actual } = server.address() as { port: number };
    const origin = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
    // The discovery document's issuer: this server, unless ISSUER or API_URL says otherwise.
    process.env.API_URL ||= origin;
    const source = { DYNAMODB_ENDPOINT: 'DynamoDB from DYNAMODB_ENDPOINT', local: 'DynamoDB Local' }[local.dynamodbSource];
    console.log(`Serving the auth API on ${origin} (${source} at ${local.dynamodbEndpoint}; data in ${local.dataDir})`);
    const routes = ROUTE_KEYS.filter((key) => key.method === 'ANY' && !key.path.endsWith('{proxy+}'));
    const width = Math.max(...routes.map((key) => key.path.length));
    for (const key of routes) console.log(`  ${key.path.padEnd(width)}  ${key.route.methods.join(', ')}${key.authorized ? '  (behind the authorizer)' : ''}`);
    if (allowedOrigins.length > 0) console.log(`  CORS allowed for ${allowedOrigins.join(', ')}`);
    console.log(`  Mails are written to ${accounts.mailDir}; sign-up is ${accounts.registration === 'open' ? 'open' : 'for staff only (REGISTRATION=open opens it)'}`);
    console.log(`  The example web app: ${origin}/ (${authCookie ? 'cookie mode: the refresh token in an HttpOnly cookie' : 'bearer mode; AUTH_COOKIE=true for cookie mode'})`);
    if (await local.hasNoUsers()) console.log('No users yet: create the first one with  npm run manage -- createsuperuser');
  });
}

main().catch((error: Error) => {
  console.error(`Error: ${error.message}`);
  process.exit(1);
});
