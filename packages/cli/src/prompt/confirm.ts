import { createInterface } from "node:readline";

/**
 * Asks a yes/no question on stderr and reads one line from `input`. Only "y" or "yes" is consent; a closed or empty
 * input (a script that forgot --yes) is a no, so money never moves without a deliberate answer.
 */
export function confirm(question: string, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, output, terminal: false });
    let settled = false;
    const finish = (answer: boolean) => {
      if (settled) return;
      settled = true;
      rl.close();
      resolve(answer);
    };
    output.write(`${question} [y/N] `);
    rl.once("line", (line) => {
      // A piped answer is not echoed: end the prompt line ourselves so the next output starts on its own line.
      if ((input as { isTTY?: boolean }).isTTY !== true) output.write("\n");
      finish(/^\s*y(es)?\s*$/i.test(line));
    });
    rl.once("close", () => finish(false));
  });
}
