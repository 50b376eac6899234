/**
 * `npm run manage -- <command>`: user administration in the spirit of Django's manage.py, on the same
 * tables `npm start` serves (DynamoDB Local in the data folder, or DYNAMODB_ENDPOINT), or with --aws on the
 * deployed ones. This file only dispatches: each command group has its own file.
 */
import { UserNotFoundError } from '../../shared/users/users';
import { LocalSetupError } from '../local/dynamodb-local';
import { prepareLocalEnvironment } from '../local/environment';
import { InputClosedError, Prompter } from '../local/prompt';
import { CommandError, type Command } from './command';
import { IMPORT_COMMANDS } from './import';
import { KEY_COMMANDS } from './keys';
import { MAIL_COMMANDS } from './mail';
import { SESSION_COMMANDS } from './sessions';
import { USER_COMMANDS } from './users';

const COMMANDS: readonly Command[] = [...USER_COMMANDS, ...SESSION_COMMANDS, ...KEY_COMMANDS, ...IMPORT_COMMANDS, ...MAIL_COMMANDS];

const USAGE = `Usage: npm run manage -- [--aws] <command> [options]

  --aws    Work on deployed tables: USERS_TABLE names the stack's UsersTableName output, and AWS
           credentials and region come from the usual chain (AWS_PROFILE, AWS_REGION, ...).
           Without it, the local tables npm start uses.

Commands:
${COMMANDS.map((command) => `  ${command.usage.replaceAll('\n', '\n  ')}`).join('\n')}`;

/** The stack's users table in AWS, through the SDK's usual credential and region chain. */
function deployedTables(): { close(): void } {
  if (!process.env.USERS_TABLE) throw new CommandError("With --aws, set USERS_TABLE to the stack's UsersTableName output.");
  if (process.env.DYNAMODB_ENDPOINT) throw new CommandError('--aws and DYNAMODB_ENDPOINT contradict each other; unset one.');
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return { close() {} };
}

async function main(argv: string[]): Promise<number> {
  const aws = argv[0] === '--aws';
  const [name, ...args] = aws ? argv.slice(1) : argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    console.error(`Error: unknown command '${name}'. Commands: ${COMMANDS.map((candidate) => candidate.name).join(', ')}.`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`Usage: npm run manage -- [--aws] ${command.usage}`);
    return 0;
  }
  // A signal becomes an ordinary exit, so the local database is left on the way out; Ctrl-C says so, as Django does.
  process.on('SIGINT', () => {
    console.error('\nOperation cancelled.');
    process.exit(1);
  });
  process.on('SIGTERM', () => process.exit(143));
  const fileOnly = command.fileOnly === true && args.some((arg) => arg === '--file' || arg.startsWith('--file='));
  const local: { close(): void; dataDir?: string } = fileOnly ? { close() {} } : aws ? deployedTables() : await prepareLocalEnvironment();
  const prompt = new Prompter();
  try {
    await command.run(args, { prompt, dataDir: local.dataDir });
    return 0;
  } finally {
    prompt.done();
    local.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CommandError) {
      console.error(`Error: ${error.message}`);
      process.exit(error.exitCode);
    }
    if (error instanceof InputClosedError) {
      console.error(`\nError: ${error.message}.`);
      process.exit(1);
    }
    if (error instanceof UserNotFoundError || error instanceof LocalSetupError) {
      console.error(`Error: ${error.message}`);
      process.exit(1);
    }
    // parseArgs reports unknown or malformed options as TypeErrors with a readable message.
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`Error: ${error.message}`);
      process.exit(2);
    }
    // One line, without class names; settings errors name the setting.
    console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
