/**
 * Line prompts for `manage`, on a terminal or on piped standard input. Secrets are not echoed on a
 * terminal: readline's own echo goes to an output that is muted while a secret is typed.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

export class InputClosedError extends Error {
  override readonly name = 'InputClosedError';
  constructor() {
    super('standard input closed before the answer was given');
  }
}

export class Prompter {
  private muted = false;
  private readonly lines: AsyncIterator<string>;
  private readonly close: () => void;
  readonly interactive: boolean;

  constructor(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stdout) {
    this.interactive = Boolean(input.isTTY);
    const echo = new Writable({
      write: (chunk, _encoding, done) => {
        if (!this.muted) output.write(chunk);
        done();
      },
    });
    const reader = createInterface({ input, output: echo, terminal: this.interactive });
    // On a terminal readline swallows Ctrl-C; hand it back to the process as the signal it is.
    reader.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
    this.lines = reader[Symbol.asyncIterator]();
    this.close = () => reader.close();
    this.output = output;
  }

  private readonly output: NodeJS.WriteStream;

  async ask(question: string): Promise<string> {
    return this.read(question, false);
  }

  async askSecret(question: string): Promise<string> {
    return this.read(question, true);
  }

  private async read(question: string, secret: boolean): Promise<string> {
    this.output.write(question);
    this.muted = secret;
    try {
      const next = await this.lines.next();
      if (next.done) throw new InputClosedError();
      return next.value;
    } finally {
      this.muted = false;
      if (secret || !this.interactive) this.output.write('\n');
    }
  }

  done(): void {
    this.close();
  }
}
