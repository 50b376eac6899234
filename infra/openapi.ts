/**
 * `npm run openapi -- [FILE]`: the OpenAPI 3.1 document, for the settings in the environment (API_URL names
 * the server), to FILE or to standard output, as drf-spectacular's `manage.py spectacular --file`.
 */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../shared/openapi/document';
import { loadSettings, SettingsError } from '../shared/settings';

function main(): void {
  const args = process.argv.slice(2);
  if (args.length > 1) throw new SettingsError('npm run openapi takes at most one file: npm run openapi -- [FILE]');
  const text = `${JSON.stringify(openApiDocument(loadSettings()), null, 2)}\n`;
  if (args[0] === undefined) process.stdout.write(text);
  else writeFileSync(args[0], text);
}

try {
  main();
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  console.error(`Error: ${error.message}`);
  process.exitCode = 1;
}
