/** Where `npm start` listens: its argument as Django's runserver takes one, else HOST and PORT. */
import { SettingsError } from '../../shared/settings';

const DEFAULT_PORT = 8000;

/** `8001`, `0.0.0.0:8001`, `[::1]:8001`, or nothing (HOST and PORT, then 127.0.0.1:8000). */
export function listenAddress(argument: string | undefined, env: NodeJS.ProcessEnv): { host: string; port: number } {
  const match = argument === undefined ? undefined : /^(?:(\[[^\]]+\]|[^:]+):)?([^:]*)$/.exec(argument);
  if (argument !== undefined && !match) throw new SettingsError(`"${argument}" is not an address: give PORT or HOST:PORT, e.g. 8001 or 0.0.0.0:8001`);
  const host = match?.[1]?.replace(/^\[(.*)\]$/, '$1') || env.HOST || '127.0.0.1';
  const rawPort = match ? match[2]! : env.PORT;
  if (rawPort === undefined) return { host, port: DEFAULT_PORT };
  if (!/^\d{1,5}$/.test(rawPort.trim()) || Number(rawPort) > 65535) {
    throw new SettingsError(`${match ? 'the port' : 'PORT'} must be a port number from 0 to 65535, not "${rawPort}"`);
  }
  return { host, port: Number(rawPort) };
}
